package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDocExample loads the example manifest shown in the package documentation
// (the tab-indented lines of doc.go), so the documentation cannot drift from
// what Load accepts.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	for _, line := range strings.Split(string(doc), "\n") {
		if rest, ok := strings.CutPrefix(line, "//\t"); ok {
			src.WriteString(rest + "\n")
		}
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"supervise.hcl": src.String()})
	m, err := Load(filepath.Join(dir, "supervise.hcl"))
	if err != nil {
		t.Fatalf("the documented example does not load:\n%v\n\n%s", err, src.String())
	}
	if len(m.Modules) != 2 {
		t.Fatalf("got %d modules, want 2", len(m.Modules))
	}
	w := m.Modules[1]
	if !w.Shell || w.Autostart || w.StopSignal != syscall.SIGINT || w.StopTimeout != 30*time.Second ||
		w.Restart != (Restart{Policy: RestartOnFailure, Delay: time.Second}) || w.Alarm.MaxTries != 10 {
		t.Errorf("worker = %+v", w)
	}
}
