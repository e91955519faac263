module "typo" {
  command = ["./server"]
  restart {
    policy = "alway"
  }
}

module "underscore" {
  command = ["./server"]
  restart {
    policy = "on_failure"
  }
}

module "unknown" {
  command = ["./server"]
  restart {
    policy = "sometimes"
  }
}

module "twice" {
  command = ["./server"]
  restart {
    policy = "never"
  }
  restart {
    delay = "5s"
  }
}
