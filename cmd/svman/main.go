// Command svman is a declarative, manifest-driven process manager: one
// supervise.hcl declares every module; `svman up` runs and supervises them all.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
