defaults {
  log {
    max_size = "999B"
  }
}

module "web" {
  command = ["./server"]
  log {
    timestamps = "yes"
    max_size   = "50 megs"
    keep       = -1
  }
}

module "worker" {
  command = ["./worker"]
  log {
    max_size = "unlimited"
    keep     = 1.5
    rotate   = true
  }
  log {
    keep = 3
  }
}

module "more" {
  command = ["./more"]
  log {
    max_size = -5
    keep     = "ten"
  }
}

module "huge" {
  command = ["./huge"]
  log {
    max_size = ["50MB"]
    keep     = 1e30
  }
}

module "tiny" {
  command = ["./tiny"]
  log {
    max_size = 512
  }
}
