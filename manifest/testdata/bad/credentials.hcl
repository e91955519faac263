defaults {
  user  = "svman-no-such-user"
  umask = 22
}

module "web" {
  command = ["./server"]
  user    = "rooot"
  group   = "svman-no-such-group"
  umask   = "999"
}

module "worker" {
  command   = ["./worker"]
  user      = ""
  group     = "4294967295"
  umask     = "rwx"
  env_clear = "yes"
}

module "more" {
  command = ["./more"]
  user    = ["root"]
  group   = "rooot"
  umask   = "1777"
}

module "numbers" {
  command = ["./numbers"]
  user    = 99999999999
  umask   = 0.5
}
