// Command svman is a declarative, manifest-driven process manager: one
// supervise.hcl declares every module; `svman up` runs and supervises them all.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"svman/internal/proc"
)

func main() { svmanMain() }

// svmanMain is the whole of svman as a program, which the tests also run as the
// svman and supervise their scripts start.
func svmanMain() {
	// The exec wrapper has exactly the descriptors svman gave the module, its
	// notification fd among them: it keeps every one.
	if len(os.Args) > 1 && os.Args[1] == proc.WrapperArg {
		os.Exit(proc.WrapperMain(os.Args[2:])) // becomes a module's program
	}
	if err := closeInheritedOnExec(); err != nil {
		fmt.Fprintf(os.Stderr, "svman: cannot keep inherited descriptors from its children: %v\n", err)
	}
	if filepath.Base(os.Args[0]) == superviseName { // ln -s svman supervise
		os.Exit(runSupervise(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
