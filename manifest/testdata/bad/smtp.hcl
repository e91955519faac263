smtp {
  host     = "smtp.example.com:587"
  port     = 0
  from     = "svman"
  username = "svman"
  starttls = "maybe"
}

smtp {
  port = 25
}

defaults {
  smtp {
    host = "mail.example.com"
  }
}

module "web" {
  command = ["./server"]
  smtp {
    host = "mail.example.com"
  }
}
