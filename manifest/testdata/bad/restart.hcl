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

module "codes" {
  command = ["./server"]
  restart {
    policy     = "on-failure"
    exit_codes = [0, 256, -1, 1.5, "two", null]
  }
}

module "no-codes" {
  command = ["./server"]
  restart {
    exit_codes = []
  }
}

module "one-code" {
  command = ["./server"]
  restart {
    exit_codes = 0
  }
}

module "backoff" {
  command = ["./server"]
  restart {
    delay        = "10s"
    max_delay    = "5s"
    stable_after = "soon"
  }
}

module "below-default" {
  command = ["./server"]
  restart {
    max_delay    = "500ms"
    stable_after = "-1s"
  }
}
