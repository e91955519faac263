defaults {
  instances = 2
  port_base = 5000
}

module "web" {
  command   = ["./web", "--port", port]
  instances = 3
  port_base = 65534
}

module "web.1" {
  command = ["./other"]
}

module "api" {
  command   = ["./api", instance]
  instances = -1
}

module "worker" {
  command = ["./worker", "--id", instance]
}

module "pick" {
  command   = ["sleep", ["100", "200"][instance]]
  instances = 4
}
