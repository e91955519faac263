package engine

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"svman/internal/testkit"
	"svman/logmux"
	"svman/statusfs"
)

// consoleSink is what a console receives, events and output together, in the
// order they reach it.
type consoleSink struct {
	mu  sync.Mutex
	all []string
}

func (c *consoleSink) Add(string) {}

func (*consoleSink) Pace(string) {}

func (c *consoleSink) WriteLines(name string, _ logmux.Stream, _ time.Time, batch *logmux.Batch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	batch.Each(func(line []byte, _ bool) { c.all = append(c.all, name+" | "+string(line)) })
}

func (c *consoleSink) event(ev Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.all = append(c.all, "svman | "+ev.String())
}

func (c *consoleSink) lines() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.all)
}

// newSinkHarness is a harness whose engine reports to a consoleSink too.
func newSinkHarness(t *testing.T) (*harness, *consoleSink) {
	sink := &consoleSink{}
	h := newHarness(t, func(c *Config) {
		c.Output = sink
		events := c.Events
		c.Events = func(ev Event) { sink.event(ev); events(ev) }
	})
	return h, sink
}

// before fails the test unless line a reached the console before line b.
func (c *consoleSink) before(t *testing.T, a, b string) {
	t.Helper()
	got := c.lines()
	i, j := slices.Index(got, a), slices.Index(got, b)
	if i < 0 || j < 0 || i > j {
		t.Errorf("want %q (line %d) before %q (line %d):\n%s", a, i, b, j, strings.Join(got, "\n"))
	}
}

// A module's events and its output reach the console in the order they
// happened: each instance's lines after its "started" and before its "exited",
// and the next instance's lines after that.
func TestEventsAndOutputInOrder(t *testing.T) {
	h, sink := newSinkHarness(t)
	m := h.module("w", "hello-bye", nil)
	m.Restart.Delay, m.Restart.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
	h.apply(m)
	const runs = 5
	testkit.WaitFor(t, "runs", func() bool { return h.ev.count("w", Exited) >= runs })
	if err := statusfs.SendControl(filepath.Join(h.status, "w"), []byte("d")); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "w down", func() bool { return h.ev.count("w", Stopped) > 0 })

	got := sink.lines()
	at := func(line string) int {
		i := slices.Index(got, line)
		if i < 0 {
			t.Fatalf("%q never reached the console:\n%s", line, strings.Join(got, "\n"))
		}
		return i
	}
	prev := -1
	for _, ev := range h.ev.find("w", Exited)[:runs] {
		pid := ev.PID
		seq := []int{
			at(fmt.Sprintf("svman | w started, pid %d", pid)),
			at(fmt.Sprintf("w | hello %d", pid)),
			at(fmt.Sprintf("w | bye %d", pid)),
			at("svman | " + ev.String()),
		}
		if !slices.IsSorted(seq) || seq[0] < prev {
			t.Fatalf("pid %d: started, hello, bye, exited at %v, after the previous exit at %d:\n%s", pid, seq, prev, strings.Join(got, "\n"))
		}
		prev = seq[3]
	}
}

// A child's answer to the stop signal reaches the console after the line that
// says the signal was sent.
func TestStopAnnouncedBeforeItsAnswer(t *testing.T) {
	h, sink := newSinkHarness(t)
	h.apply(h.module("w", "group-child-slow-term", nil))
	pid := h.waitUp("w")
	ready := fmt.Sprintf("w | child %d ready", pid)
	testkit.WaitFor(t, "w ready", func() bool { return slices.Contains(sink.lines(), ready) })
	if err := statusfs.SendControl(filepath.Join(h.status, "w"), []byte("d")); err != nil {
		t.Fatal(err)
	}
	answer := fmt.Sprintf("w | child %d got TERM", pid)
	testkit.WaitFor(t, "the answer to TERM", func() bool { return slices.Contains(sink.lines(), answer) })
	if err := syscall.Kill(pid, syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "w down", func() bool { return h.ev.count("w", Stopped) > 0 })
	sink.before(t, fmt.Sprintf("svman | w stopping: SIGTERM sent to process group %d", pid), answer)
}
