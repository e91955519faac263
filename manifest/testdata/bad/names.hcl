module "my web" {
  command = ["./server"]
}

module ".." {
  command = ["./server"]
}

module "" {
  command = ["./server"]
}

module "api/v2" {
  command = ["./api"]
}

module "-web" {
  command = ["./web"]
}

module ".hidden" {
  command = ["./hidden"]
}

module "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn" {
  command = ["./long"]
}

module "ok_name-1.2" {
  command = ["./fine"]
}
