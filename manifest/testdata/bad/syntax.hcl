# A syntax error stops Load before validation: the parser's message is enough.
module "web" {
  command = ["./server"
  dir = "."
}
