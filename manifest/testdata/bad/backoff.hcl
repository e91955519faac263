# max_delay is checked against delay after merging with the defaults: a
# conflict is reported at max_delay, once however many modules inherit it.
defaults {
  restart {
    delay     = "1m"
    max_delay = "30s"
  }
}

module "inherits" {
  command = ["./server"]
}

module "inherits-too" {
  command = ["./server"]
}

module "slower" {
  command = ["./server"]
  restart {
    delay = "2m"
  }
}

module "fine" {
  command = ["./server"]
  restart {
    max_delay = "5m"
  }
}

module "broken-delay" {
  command = ["./server"]
  restart {
    delay = "forever"
  }
}

module "alone" {
  command          = ["./server"]
  inherit_defaults = false
  restart {
    max_delay = "500ms"
  }
}
