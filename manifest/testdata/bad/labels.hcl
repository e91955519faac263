module {
  command = ["./server"]
}

module "a" "b" {
  command = ["./server"]
}

module "c" {
  command = ["./server"]

  restart "fast" {
    delay = "0s"
  }
}
