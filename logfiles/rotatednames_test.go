package logfiles

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRotatedNames(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "__stdout")
	at := time.Date(2026, 11, 23, 15, 4, 5, 7_000_000, time.Local)
	if got, want := RotatedName(p, at), p+".2026-11-23T15-04-05.007"; got != want {
		t.Fatalf("RotatedName = %q, want %q", got, want)
	}
	var made []string
	for range 12 {
		n := RotatedName(p, at)
		if err := os.WriteFile(n, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		made = append(made, n)
	}
	if made[1] != made[0]+"-1" || made[11] != made[0]+"-11" {
		t.Errorf("names %q", made)
	}
	older := RotatedName(p, at.Add(-time.Hour))
	for _, n := range []string{
		older,
		p, p + ".wf", p + ".old", p + ".wf.2026-11-23T15-04-05.007", p + ".2026-11-23T15-04-05.007-01",
		p + ".2026-11-23T15-04-05.007-", p + ".2026-11-23T15-04-05.07", p + ".2026-13-23T15-04-05.007",
		filepath.Join(dir, "__stderr.2026-11-23T15-04-05.007"),
	} {
		if err := os.WriteFile(n, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := RotatedFiles(p)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{older}, made...)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("RotatedFiles:\n got %q\nwant %q", got, want)
	}
	if err := NewFile(p, FileOptions{}).pruneRotated(3); err != nil {
		t.Fatal(err)
	}
	if got, _ := RotatedFiles(p); strings.Join(got, "\n") != strings.Join(made[9:], "\n") {
		t.Errorf("after pruning to 3: %q", got)
	}
	if _, err := os.Stat(p + ".wf.2026-11-23T15-04-05.007"); err != nil {
		t.Errorf("pruning removed another log's file: %v", err)
	}
}
