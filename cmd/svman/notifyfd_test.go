package main

import (
	"io"
	"os"
	"os/exec"
	"testing"

	"svman/internal/proc"
)

// svman as the exec wrapper (a module with limits or a umask) keeps the
// descriptors it was given beyond stderr: a module's notification fd reaches
// the program.
func TestExecWrapperKeepsTheNotificationFD(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("needs sh")
	}
	cmd := exec.Command(os.Args[0], proc.WrapperArg, "umask=18", "--", sh, "sh", "-c", "echo ready >&3")
	cmd.ExtraFiles = []*os.File{w} // fd 3
	out, err := cmd.CombinedOutput()
	w.Close()
	if err != nil {
		t.Fatalf("the wrapped program failed: %v\n%s", err, out)
	}
	got, err := io.ReadAll(r)
	if err != nil || string(got) != "ready\n" {
		t.Errorf("the notification pipe read %q, %v; want \"ready\\n\"", got, err)
	}
}
