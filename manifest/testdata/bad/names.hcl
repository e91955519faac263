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

module "ok_name-1.2" {
  command = ["./fine"]
}
