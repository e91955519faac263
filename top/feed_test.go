package top

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"svman/api"
	"svman/apiclient"
	"svman/engine"
	"svman/internal/testkit"
	"svman/logfiles"
	"svman/manifest"
	"svman/statusfs"
)

// inbox keeps what the feeds send to the view.
type inbox struct {
	mu   sync.Mutex
	msgs []tea.Msg
}

func (b *inbox) send(m tea.Msg) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = append(b.msgs, m)
}

// wait waits until a message satisfies ok, and returns it.
func (b *inbox) wait(t *testing.T, what string, ok func(tea.Msg) bool) tea.Msg {
	t.Helper()
	var found tea.Msg
	testkit.WaitFor(t, what, func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, m := range b.msgs {
			if ok(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// The feeds against a real control API on a real socket: the first list of
// every module, a module fetched again when an event concerns it, the usage,
// and the log of the module the view follows.
func TestFeeds(t *testing.T) {
	root := t.TempDir()
	m := &manifest.Manifest{StatusDir: root}
	dirs := map[string]*statusfs.Dir{}
	for _, name := range []string{"web", "db"} {
		d, err := statusfs.Open(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if err := d.WriteStatus(statusfs.Status{Changed: time.Now(), Want: statusfs.WantUp, AlarmsOn: true, PID: os.Getpid()}); err != nil {
			t.Fatal(err)
		}
		dirs[name] = d
		m.Modules = append(m.Modules, manifest.Module{Name: name})
	}
	line := time.Now().UTC().Format(logfiles.TimestampLayout) + " hello from web\n"
	if err := os.WriteFile(filepath.Join(root, "web", logfiles.StdoutFile), []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(root, api.SocketName)
	srv, err := api.Start(api.Config{Socket: sock, Manifest: func() *manifest.Manifest { return m }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close(context.Background()) })

	var box inbox
	f := newFeeds(apiclient.Unix(sock), box.send, func(fn func()) { fn() })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.run(ctx) }()
	defer func() { cancel(); <-done }()

	box.wait(t, "every module", func(msg tea.Msg) bool {
		mm, ok := msg.(modulesMsg)
		return ok && mm.full && len(mm.rows) == 2
	})
	if err := dirs["web"].WriteStatus(statusfs.Status{Changed: time.Now(), Want: statusfs.WantDown, AlarmsOn: true}); err != nil {
		t.Fatal(err)
	}
	srv.Publish(engine.Event{Module: "web", Kind: engine.Stopped, Time: time.Now()})
	box.wait(t, "web fetched again, down", func(msg tea.Msg) bool {
		mm, ok := msg.(modulesMsg)
		return ok && !mm.full && len(mm.rows) == 1 && mm.rows[0].Module == "web" && mm.rows[0].PID == 0
	})
	box.wait(t, "the usage", func(msg tea.Msg) bool { _, ok := msg.(usageMsg); return ok })

	f.follow("web")
	// The first batch clears the pane (reset); the line may come in it or
	// after it, as the stream connects.
	box.wait(t, "web's log, cleared", func(msg tea.Msg) bool { lm, ok := msg.(logMsg); return ok && lm.target == "web" && lm.reset })
	box.wait(t, "web's line", func(msg tea.Msg) bool {
		lm, ok := msg.(logMsg)
		return ok && lm.target == "web" && len(lm.lines) == 1 && lm.lines[0].text == "hello from web"
	})
}
