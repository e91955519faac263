defaults {
  on_exit = []
}

module "web" {
  command = ["./server"]
  on_exit = ["", "--all"]
}

module "worker" {
  command = ["./worker"]
  on_exit = "./cleanup"
}
