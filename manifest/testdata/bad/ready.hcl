module "none" {
  command = ["./none"]
  ready {
    timeout = "10s"
  }
}

module "two" {
  command = ["./two"]
  ready {
    http = "http://127.0.0.1:8080/healthz"
    tcp  = "127.0.0.1:8080"
  }
}

module "bad" {
  command = ["./bad"]
  ready {
    http            = "ftp://127.0.0.1/"
    timeout         = "0s"
    interval        = "-1s"
    watchdog        = "30s"
    on_timeout      = "kep"
  }
}

module "tcp" {
  command = ["./tcp"]
  ready { tcp = "127.0.0.1:http" }
}

module "tcp2" {
  command = ["./tcp2"]
  ready { tcp = ":8080" }
}

module "tcp3" {
  command = ["./tcp3"]
  ready { tcp = "127.0.0.1" }
}

module "log" {
  command = ["./log"]
  ready { log = "listening (on" }
}

module "fd" {
  command = ["./fd"]
  ready { notification_fd = 2 }
}

module "exec" {
  command = ["./exec"]
  ready { exec = [] }
}

module "dup" {
  command = ["./dup"]
  ready { notify = true }
  ready { notify = true }
}
