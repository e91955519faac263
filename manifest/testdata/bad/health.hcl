module "none" {
  command = ["./none"]
  health {
    interval = "5s"
  }
}

module "log" {
  command = ["./log"]
  health {
    log = "ok"
  }
}

module "two" {
  command = ["./two"]
  health {
    exec     = ["./two", "ping"]
    http     = "http://localhost"
    failures = 0
    timeout  = "0s"
  }
}

module "url" {
  command = ["./url"]
  health {
    http     = "http:///path"
    failures = 1.5
  }
}

module "tcp" {
  command = ["./tcp"]
  health { tcp = "127.0.0.1:70000" }
}
