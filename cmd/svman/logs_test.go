package main

import (
	"os"
	"path/filepath"
	"strings"
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
