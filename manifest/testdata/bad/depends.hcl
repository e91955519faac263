defaults {
  depends_on            = { db = "ready" }
  on_dependency_restart = "restrat"
  ready { tcp = "127.0.0.1:5432" }
  health { tcp = "127.0.0.1:5432" }
}

module "db" {
  command = ["postgres"]
}

module "migrate" {
  command    = ["./migrate"]
  depends_on = { db = "redy" }
}

module "api" {
  command    = ["./api"]
  depends_on = { dbb = "started", migrate = "completed", api = "started", cache = "ready" }
}

module "cache" {
  command   = ["redis-server"]
  autostart = false
}

module "a" {
  command    = ["./a"]
  depends_on = { b = "started" }
}

module "b" {
  command    = ["./b"]
  depends_on = { c = "ready" }
}

module "c" {
  command    = ["./c"]
  depends_on = { a = "healthy" }
}

module "list" {
  command    = ["./list"]
  depends_on = ["db"]
}

module "manual" {
  command    = ["./manual"]
  autostart  = false
  depends_on = { cache = "started" }
}
