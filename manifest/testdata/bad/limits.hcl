defaults {
  limits {
    nofile = 0
  }
}

module "web" {
  command = ["./server"]
  limits {
    core    = -1
    nofile  = 0
    nproc   = 1.5
    memlock = "1.5GB"
  }
}

module "worker" {
  command = ["./worker"]
  limits {
    core    = "lots"
    nofile  = "64k"
    nproc   = 1e30
    memlock = "99999999TB"
    stack   = "8M"
  }
  limits {
    nofile = 1024
  }
}

module "more" {
  command = ["./more"]
  limits {
    core    = ["unlimited"]
    nofile  = "-5"
    nproc   = "unlimted"
    memlock = true
  }
}
