module "web" {
  command = ["./server"]
}

module "worker" {
  command = ["./worker"]
}

module "web" {
  command = ["./server", "--port", "8081"]
}

module "worker" {
  command = ["./worker"]
}
