# The default manifest: `make run` supervises these example modules.
# Every field is documented in README.md.
status_dir = "./status"

defaults {
  stop_timeout = "5s"
  restart {
    policy = "always"
    delay  = "1s"
  }
}

module "web" {
  command = ["./bin/webserver"]
  env = {
    ADDR     = "127.0.0.1:8080"
    GREETING = "hello from svman, ${env("USER", "friend")}"
  }
}

module "ticker" {
  command = ["./bin/ticker", "-every", "2s"]
}

module "crasher" {
  command = ["./bin/crasher", "-after", "4s"]
  restart {
    policy = "on-failure"
    delay  = "2s"
  }
}

module "shell" {
  # A string runs through /bin/sh -c.
  command   = "while sleep 3; do echo \"$(date +%T) load: $(cut -d' ' -f1 /proc/loadavg)\"; done"
  autostart = true
}
