module "typo" {
  command     = ["./server"]
  stop_signal = "SIGTREM"
}

module "unknown" {
  command     = ["./server"]
  stop_signal = "BANANA"
}

module "number" {
  command     = ["./server"]
  stop_signal = 15
}

module "list" {
  command     = ["./server"]
  stop_signal = ["TERM"]
}

module "fine" {
  command     = ["./server"]
  stop_signal = "sigint"
}
