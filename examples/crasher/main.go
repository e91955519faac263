// Command crasher works for a while, then dies with an error: a module that shows
// svman restarting what dies.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	after := flag.Duration("after", 5*time.Second, "how long to run before crashing")
	code := flag.Int("code", 3, "exit code of the crash")
	flag.Parse()
	fmt.Printf("working; will crash in %s\n", *after)
	time.Sleep(*after)
	fmt.Fprintf(os.Stderr, "fatal: something went wrong, exiting with code %d\n", *code)
	os.Exit(*code)
}
