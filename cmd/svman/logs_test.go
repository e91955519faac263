package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"svman/logfiles"
)

// logLine is a line of a module's log file, as svman writes it.
func logLine(t time.Time, text string) string {
	return t.Format(logfiles.TimestampLayout) + " " + text + "\n"
}

// writeLog writes a log file of a module's status directory.
func writeLog(t *testing.T, dir, name string, lines ...string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
}

func logsProject(t *testing.T) (*project, time.Time) {
	p := newProject(t, helperModule("web", "sleeper")+helperModule("worker", "sleeper")+helperModule("db", "sleeper"))
	t0 := time.Date(2026, 11, 24, 15, 4, 5, 0, time.Local)
	sec := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }
	writeLog(t, p.statusDir("web"), "__stdout.2026-11-24T15-04-07.000", logLine(sec(0), "web 0"), logLine(sec(2), "web 2"))
	writeLog(t, p.statusDir("web"), "__stdout", logLine(sec(4), "web 4"))
	writeLog(t, p.statusDir("worker"), "__stderr", logLine(sec(1), "worker 1"), logLine(sec(4), "worker 4"))
	writeLog(t, p.statusDir("worker"), "__stdout", logLine(sec(3), "worker 3"))
	return p, t0
}

func TestLogsCommandSince(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper"))
	now := time.Now()
	writeLog(t, p.statusDir("web"), "__stdout", logLine(now.Add(-time.Hour), "an hour ago"), logLine(now.Add(-time.Minute), "a minute ago"))
	code, out, _ := p.svmanCmd("logs", "--since", "10m")
	if want := now.Add(-time.Minute).Format("15:04:05") + " web   | a minute ago\n"; code != exitOK || out != want {
		t.Errorf("exit %d, %q, want %q", code, out, want)
	}
}

func TestLogsCommandBytes(t *testing.T) {
	p := newProject(t, helperModule("web", "sleeper"))
	t0 := time.Date(2026, 11, 24, 15, 4, 5, 0, time.Local)
	long := strings.Repeat("x", 1<<20)
	odd := "\xff\xfe \x00 end"
	writeLog(t, p.statusDir("web"), "__stdout", logLine(t0, long), logLine(t0, odd), "no timestamp\n")
	code, out, _ := p.svmanCmd("logs")
	want := "15:04:05 web   | " + long + "\n15:04:05 web   | " + odd + "\n15:04:05 web   | no timestamp\n"
	if code != exitOK || out != want {
		t.Errorf("exit %d, %d bytes out, want %d", code, len(out), len(want))
	}
}

func TestLogsCommandFollow(t *testing.T) {
	for _, flag := range []string{"--follow", "-F"} {
		t.Run(flag, func(t *testing.T) {
			p, _ := logsProject(t)
			sv := p.start("logs", "-f", p.manifestPath(), flag, "-n", "1", "web", "db")
			sv.waitOutput(`(?m)^15:04:09 web   \| web 4$`)
			// A new line, and a module that starts writing.
			f, err := os.OpenFile(filepath.Join(p.statusDir("web"), "__stdout"), os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString(logLine(time.Now(), "web new"))
			f.Close()
			writeLog(t, p.statusDir("db"), "__stderr", logLine(time.Now(), "db new"))
			sv.waitOutput(`(?m)^\d\d:\d\d:\d\d db    ! db new$`)
			sv.cmd.Process.Signal(syscall.SIGINT)
			if code := sv.wait(); code != exitOK {
				t.Errorf("exit %d after SIGINT; output:\n%s", code, sv.out)
			}
			want := "15:04:09 web   | web 4\n"
			if out := sv.out.String(); !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 3 || !strings.Contains(out, " web   | web new\n") {
				t.Errorf("output:\n%s", out)
			}
		})
	}
}
