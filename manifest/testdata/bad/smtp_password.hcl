# The password comes from a variable that is not set: caught at load time.
smtp {
  host     = ""
  port     = 65536
  username = "svman"
  password = env("SVMAN_TEST_SURELY_UNSET_PASSWORD")
}
