module "web" {
  command = ["./server"]

  alarm {
    max_tries               = -1
    max_tries_if_coredumped = 1.5
    mail                    = ["ops@example.com", "ops", "Ops <ops@>"]
    exec                    = []
    webhook                 = "ftp://example.com/hook"
  }
}

module "worker" {
  command = ["./worker"]

  alarm {
    max_tries = "many"
    mail      = "ops@example.com"
    exec      = ["", "--page"]
    webhook   = "https://"
  }
  alarm {
    interval = "5m"
  }
}

module "notify" {
  command = ["./notify"]

  alarm {
    exec    = "./notify"
    webhook = "http://[::1"
  }
}

module "noisy" {
  command = ["./noisy"]

  alarm {
    interval = "1ns"
  }
}

module "legacy_pace" {
  command = ["./legacy"]

  alarm {
    interval = "1s"
  }
}
