module "web" {
  command = ["./server", env()]
  env = {
    A = env("A", "b", "c")
    B = file("does-not-exist.txt")
    C = envv("HOME")
    D = HOME
    E = upper(42, 43)
  }
}
