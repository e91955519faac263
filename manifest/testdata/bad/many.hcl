# Several unrelated mistakes in one file: every one must be reported, in order.
status_dir = ""

defaults {
  stop_timeout = "ten seconds"
  env = {
    LANG = "C.UTF-8"
  }
}

module "web" {
  command     = []
  stop_signal = "TERN"
  autostrat   = false

  restart {
    policy = "allways"
    delay  = 1
  }
}

module "web" {
  command = "exec ./server 2>&1"
  alarm {
    webhook = "hooks.example.com"
    mail    = ["@example.com"]
  }
}

module "bad name" {
}
