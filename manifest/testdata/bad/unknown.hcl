# Misspelt attributes and blocks, at every level.
statusdir = "./status"

module "web" {
  comand       = ["./server"]
  stop_timout  = "5s"
  restart = { policy = "never" }

  restrat {
    policy = "never"
  }
  alarm {
    intervall = "30s"
  }
}

modul "worker" {
  command = ["./worker"]
}
