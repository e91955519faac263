module "web" {
  command   = ["./server", true, 8080]
  dir       = ["./site"]
  autostart = "yes"
  env = {
    PORT      = ["8080"]
    "A=B"     = "x"
    HOME      = null
    OK        = "fine"
  }
}

module "worker" {
  command          = ["./worker"]
  env              = "PORT=8080"
  inherit_defaults = "no"
  dir              = ""
}
