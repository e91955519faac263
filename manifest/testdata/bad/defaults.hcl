defaults {
  command          = ["./server"]
  inherit_defaults = false
  stop_signal      = "TERMINATE"

  restart {
    policy = "always"
  }
}

defaults {
  stop_timeout = "5s"
}

module "web" {
  command = ["./server"]
}
