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

module "patient" {
  command      = ["./patient"]
  stop_timeout = "3000000h"

  restart {
    max_delay = "9223372036854775808ns"
  }
}
