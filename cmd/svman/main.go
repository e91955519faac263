// Command svman is a declarative, manifest-driven process manager: one
// supervise.hcl declares every module; `svman up` runs and supervises them all.
package main

import (
	"context"
	"os"

	"svman/engine"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == engine.WrapperArg {
		os.Exit(engine.WrapperMain(os.Args[2:])) // becomes a module's program
	}
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
