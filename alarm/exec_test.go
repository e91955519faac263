package alarm

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestExec(t *testing.T) {
	dir := t.TempDir()
	fail, failed := failures()
	s := NewSender(Config{Failed: fail})
	f := testFacts()
	// Would run commands if it ever passed through a shell.
	f.Message = `it said "bye" and 'left' $(touch ` + dir + `/pwned) ` + "`touch " + dir + "/pwned2`" + ` $HOME;`
	// The output file is relative: it lands in Dir only if Dir is used.
	s.Send(Channels{Exec: hook(t, "envfile", "out.env"), Dir: dir}, f)
	closeWithin(t, s)
	noFailure(t, failed)

	b, err := os.ReadFile(filepath.Join(dir, "out.env"))
	if err != nil {
		t.Fatal(err)
	}
	env := strings.Split(string(b), "\n")
	for _, want := range Env(f) {
		if !slices.Contains(env, want) {
			t.Errorf("hook environment lacks %q", want)
		}
	}
	if !slices.Contains(env, "PATH="+os.Getenv("PATH")) {
		t.Error("hook did not inherit svman's environment")
	}
	for _, name := range []string{"pwned", "pwned2"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("the message was run by a shell: %s exists", name)
		}
	}
}

func TestExecFails(t *testing.T) {
	fail, failed := failures()
	s := NewSender(Config{Failed: fail})
	s.Send(Channels{Exec: hook(t, "crash")}, testFacts())
	s.Send(Channels{Exec: []string{"/nonexistent/hook"}}, testFacts())
	got := []failure{waitFailure(t, failed), waitFailure(t, failed)}
	closeWithin(t, s)
	var msgs []string
	for _, g := range got {
		if g.module != "web" || g.channel != "exec" {
			t.Errorf("failure %+v", g)
		}
		msgs = append(msgs, g.err.Error())
	}
	all := strings.Join(msgs, "\n")
	if !strings.Contains(all, "exit status 3") || !strings.Contains(all, "/nonexistent/hook") {
		t.Errorf("failures:\n%s", all)
	}
}

// The engine's Runner gets the argv, the SVMAN_* environment and the directory.
func TestExecRunner(t *testing.T) {
	type call struct {
		argv, env []string
		dir       string
	}
	calls := make(chan call, 1)
	run := func(_ context.Context, argv, env []string, dir string) error {
		calls <- call{argv, env, dir}
		return nil
	}
	s := NewSender(Config{Run: run})
	f := testFacts()
	f.Message = "m"
	s.Send(Channels{Exec: []string{"hook", "a b"}, Dir: "/srv"}, f)
	closeWithin(t, s)
	c := <-calls
	if !slices.Equal(c.argv, []string{"hook", "a b"}) || !slices.Equal(c.env, Env(f)) || c.dir != "/srv" {
		t.Errorf("Runner called with %+v", c)
	}

	// After Close, Send does nothing.
	s.Send(Channels{Exec: []string{"hook"}}, f)
	if len(calls) != 0 {
		t.Error("Send after Close ran the hook")
	}
}
