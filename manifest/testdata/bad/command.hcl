module "missing" {
  dir = "."
}

module "null" {
  command = null
}

module "empty-list" {
  command = []
}

module "empty-program" {
  command = ["", "--flag"]
}

module "blank-string" {
  command = "   "
}

module "number" {
  command = 42
}

module "nested" {
  command = ["./server", ["--port", "8080"]]
}

module "map" {
  command = { program = "./server" }
}
