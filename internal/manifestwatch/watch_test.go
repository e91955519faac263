package manifestwatch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fsnotify/fsnotify"

	"svman/internal/testkit"
)

// A burst of touches fires once, quiet after the last one.
func TestDebouncerCoalescesABurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newDebouncer(50 * time.Millisecond)
		start := time.Now()
		for range 20 {
			d.touch()
			time.Sleep(5 * time.Millisecond) // fake time inside the bubble
		}
		lastTouch := time.Now()
		<-d.C()
		d.fired()
		if got := time.Since(lastTouch); got != 45*time.Millisecond {
			t.Errorf("fired %v after the last touch's sleep ended, want 45ms (50ms after the touch)", got)
		}
		if time.Since(start) != 145*time.Millisecond {
			t.Errorf("fired at %v, want 145ms", time.Since(start))
		}
		if d.C() != nil {
			t.Error("still armed after firing")
		}
	})
}

// A save in two writes 200ms apart is reported on C after each write (30ms
// later), and on Settled once only, 1s after the second write: the first write
// alone never looks settled. Events about other files change nothing.
func TestWatcherSettlesAfterTheLastWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		events, errs := make(chan fsnotify.Event), make(chan error)
		const path = "/srv/supervise.hcl"
		w, err := watchEvents(events, errs, &fakeDirs{}, path, 30*time.Millisecond, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		start := time.Now()
		var reports []string
		record := func(what string) { reports = append(reports, what+" at "+time.Since(start).String()) }

		events <- fsnotify.Event{Name: path, Op: fsnotify.Write}
		<-w.C
		record("C")
		time.Sleep(time.Until(start.Add(200 * time.Millisecond))) // fake time inside the bubble
		events <- fsnotify.Event{Name: "/srv/other.txt", Op: fsnotify.Write}
		events <- fsnotify.Event{Name: path, Op: fsnotify.Write}
		for len(reports) < 3 {
			select {
			case <-w.C:
				record("C")
			case <-w.Settled:
				record("Settled")
			}
		}
		synctest.Wait()
		select {
		case <-w.C:
			record("C")
		case <-w.Settled:
			record("Settled")
		default:
		}
		want := "[C at 30ms C at 230ms Settled at 1.2s]"
		if got := fmt.Sprint(reports); got != want {
			t.Errorf("reports = %s, want %s", got, want)
		}
	})
}

// Every way editors save a file is reported once the burst is over.
func TestWatcherSeesEverySaveStyle(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "supervise.hcl")
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(path, "# v0\n")
	w, err := Watch(path, 20*time.Millisecond, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	styles := map[string]func(){
		"in place": func() {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("# v1\n")
			f.Close()
		},
		"truncate and write": func() { write(path, "# v2\n") },
		"rename over": func() {
			tmp := filepath.Join(dir, ".supervise.hcl.tmp")
			write(tmp, "# v3\n")
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		},
		"delete and create": func() {
			os.Remove(path)
			write(path, "# v4\n")
		},
	}
	for _, name := range []string{"in place", "truncate and write", "rename over", "delete and create"} {
		styles[name]()
		select {
		case <-w.C:
		case <-testkit.Within():
			t.Fatalf("%s: no report", name)
		}
	}
}

// fakeDirs records the directories a watcher watches.
type fakeDirs struct {
	watched []string
	fail    string // a directory Add refuses
}

func (f *fakeDirs) Add(dir string) error {
	if dir == f.fail {
		return errors.New("no such directory")
	}
	f.watched = append(f.watched, dir)
	slices.Sort(f.watched)
	return nil
}

func (f *fakeDirs) Remove(dir string) error {
	f.watched = slices.DeleteFunc(f.watched, func(d string) bool { return d == dir })
	return nil
}

// WatchAlso replaces the other files watched: their directories are watched
// while they are in the set, and events about them are reported only then;
// the manifest's directory stays watched throughout.
func TestWatchAlsoReplacesTheOtherFiles(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		events, errs := make(chan fsnotify.Event), make(chan error)
		dirs := &fakeDirs{fail: "/gone"}
		w, err := watchEvents(events, errs, dirs, "/srv/supervise.hcl", 30*time.Millisecond, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		reported := func() bool {
			synctest.Wait()
			time.Sleep(30 * time.Millisecond) // fake time inside the bubble
			synctest.Wait()
			select {
			case <-w.C:
				return true
			default:
				return false
			}
		}

		err = w.WatchAlso([]string{"/srv/.env", "/etc/app/db.env", "/gone/x.env"})
		if err == nil || err.Error() != "cannot watch /gone: no such directory" {
			t.Errorf("WatchAlso error = %v", err)
		}
		if want := "[/etc/app /srv]"; fmt.Sprint(dirs.watched) != want {
			t.Errorf("watching %v, want %s", dirs.watched, want)
		}
		for _, p := range []string{"/srv/.env", "/etc/app/db.env", "/srv/supervise.hcl"} {
			events <- fsnotify.Event{Name: p, Op: fsnotify.Write}
			if !reported() {
				t.Errorf("an event about %s was not reported", p)
			}
		}

		if err := w.WatchAlso([]string{"/srv/.env.local"}); err != nil {
			t.Errorf("WatchAlso: %v", err)
		}
		if want := "[/srv]"; fmt.Sprint(dirs.watched) != want {
			t.Errorf("watching %v, want %s", dirs.watched, want)
		}
		for p, want := range map[string]bool{"/srv/.env": false, "/etc/app/db.env": false, "/srv/.env.local": true} {
			events <- fsnotify.Event{Name: p, Op: fsnotify.Create}
			if got := reported(); got != want {
				t.Errorf("an event about %s: reported %v, want %v", p, got, want)
			}
		}
	})
}

// A file in another directory, missing at first, then created, then reached
// through a symlink, is reported once WatchAlso names it.
func TestWatchAlsoSeesOtherDirectories(t *testing.T) {
	root := t.TempDir()
	manifest := filepath.Join(root, "app", "supervise.hcl")
	env := filepath.Join(root, "conf", "app.env")
	real := filepath.Join(root, "secrets", "real.env")
	link := filepath.Join(root, "conf", "link.env")
	for _, d := range []string{"app", "conf", "secrets"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{manifest, real} {
		if err := os.WriteFile(p, []byte("# v0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	w, err := Watch(manifest, 20*time.Millisecond, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.WatchAlso([]string{env, link}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{env, real} {
		if err := os.WriteFile(p, []byte("A=1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		select {
		case <-w.C:
		case <-testkit.Within():
			t.Fatalf("writing %s: no report", p)
		}
	}
}

// Unwatch drops every watch at once and reports nothing more, not even a burst
// that was pending; a later WatchAlso watches the files again.
func TestUnwatchDropsEveryWatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		events, errs := make(chan fsnotify.Event), make(chan error)
		dirs := &fakeDirs{}
		w, err := watchEvents(events, errs, dirs, "/srv/supervise.hcl", 30*time.Millisecond, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if err := w.WatchAlso([]string{"/etc/app/db.env"}); err != nil {
			t.Fatal(err)
		}
		events <- fsnotify.Event{Name: "/srv/supervise.hcl", Op: fsnotify.Write} // a burst under way
		w.Unwatch()
		if len(dirs.watched) != 0 {
			t.Errorf("watching %v after Unwatch, want nothing", dirs.watched)
		}
		events <- fsnotify.Event{Name: "/etc/app/db.env", Op: fsnotify.Write}
		time.Sleep(2 * time.Second) // fake time inside the bubble: past the quiet and settle times
		synctest.Wait()
		select {
		case <-w.C:
			t.Error("a report on C after Unwatch")
		case <-w.Settled:
			t.Error("a report on Settled after Unwatch")
		default:
		}
		if err := w.WatchAlso([]string{"/etc/app/db.env"}); err != nil {
			t.Fatal(err)
		}
		if want := "[/etc/app /srv]"; fmt.Sprint(dirs.watched) != want {
			t.Errorf("watching %v after WatchAlso, want %s", dirs.watched, want)
		}
	})
}
