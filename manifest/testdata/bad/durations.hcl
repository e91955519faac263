defaults {
  stop_timeout = 10
}

module "web" {
  command      = ["./server"]
  stop_timeout = "10"

  restart {
    delay = "1 s"
  }
}

module "worker" {
  command      = ["./worker"]
  stop_timeout = "-5s"

  alarm {
    interval = true
  }
}

module "fast" {
  command      = ["./fast"]
  stop_timeout = "fast"
}
