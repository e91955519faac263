package logfiles

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"svman/logmux"
)

// threeModules writes the files of modules a, b and c, rotated and current, and
// returns their sources and every line in the order Read must give them.
func threeModules(t *testing.T) ([]Source, []string) {
	root := t.TempDir()
	a, b, c := filepath.Join(root, "a"), filepath.Join(root, "b"), filepath.Join(root, "c")
	// a: two rotated stdout files and the current one; stderr only current.
	writeFile(t, a, "__stdout.2026-11-24T15-04-06.000", stamped(at(0), "a0"), stamped(at(1), "a1"))
	writeFile(t, a, "__stdout.2026-11-24T15-04-09.000", stamped(at(3), "a3"), stamped(at(4), "a4"))
	writeFile(t, a, "__stdout", stamped(at(7), "a7"))
	writeFile(t, a, "__stderr", stamped(at(2), "a2 err"), stamped(at(7), "a7 err"))
	// b: rotated files whose names differ only by their "-N": -10 comes after -9.
	writeFile(t, b, "__stdout.2026-11-24T15-04-10.000-9", stamped(at(5), "b5"))
	writeFile(t, b, "__stdout.2026-11-24T15-04-10.000-10", stamped(at(5.5), "b5.5"))
	writeFile(t, b, "__stdout.2026-11-24T15-04-10.000", stamped(at(1.5), "b1.5"))
	writeFile(t, b, "__stdout.bak", stamped(at(0), "not a log file"))
	// c: nothing but stderr, the same times as a's lines.
	writeFile(t, c, "__stderr", stamped(at(3), "c3 err"), stamped(at(7), "c7 err"))
	want := []string{
		"a stdout a0", "a stdout a1", "b stdout b1.5", "a stderr a2 err",
		"a stdout a3", "c stderr c3 err", "a stdout a4", "b stdout b5", "b stdout b5.5",
		"a stdout a7", "a stderr a7 err", "c stderr c7 err",
	}
	return []Source{{"a", a}, {"b", b}, {"c", c}}, want
}

func TestLogsMerge(t *testing.T) {
	srcs, want := threeModules(t)
	equalLines(t, readAll(t, srcs, Options{}), want)

	// The times are the files' own.
	var times []time.Time
	Read(context.Background(), srcs[:1], Options{}, func(l Line) { times = append(times, l.Time) })
	if len(times) != 7 || !times[0].Equal(at(0)) || !times[6].Equal(at(7)) {
		t.Errorf("times %v", times)
	}

	files, err := Files(srcs[1].Dir, logmux.Stdout)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	equalLines(t, files, []string{"__stdout.2026-11-24T15-04-10.000", "__stdout.2026-11-24T15-04-10.000-9", "__stdout.2026-11-24T15-04-10.000-10"})
}

func TestLogsTailAndSince(t *testing.T) {
	srcs, all := threeModules(t)
	for _, n := range []int{1, 3, 5, 6, 11, 12, 100} {
		want := all[max(len(all)-n, 0):]
		equalLines(t, readAll(t, srcs, Options{Tail: n}), want)
	}
	equalLines(t, readAll(t, srcs, Options{Tail: -1}), nil)

	equalLines(t, readAll(t, srcs, Options{Since: at(4)}), all[6:])
	equalLines(t, readAll(t, srcs, Options{Since: at(3.5), Tail: 2}), all[10:])
	equalLines(t, readAll(t, srcs, Options{Since: at(6), Tail: 100}), all[9:])
	equalLines(t, readAll(t, srcs, Options{Since: at(8)}), nil)
}

func TestLogsNoFiles(t *testing.T) {
	root := t.TempDir()
	srcs := []Source{{"x", filepath.Join(root, "x")}, {"y", filepath.Join(root, "missing", "y")}}
	os.Mkdir(srcs[0].Dir, 0o755)
	equalLines(t, readAll(t, srcs, Options{}), nil)
	equalLines(t, readAll(t, srcs, Options{Tail: 5}), nil)
}

func TestLogsWithoutTimestamps(t *testing.T) {
	dir := t.TempDir()
	plain := writeFile(t, dir, "__stdout", "plain 1\n", "2026-11-24 not a time\n", "\n", "plain 3\n")
	mtime := at(2.5)
	if err := os.Chtimes(plain, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	// A line without a time takes the previous line's.
	writeFile(t, dir, "__stderr", stamped(at(1), "e1"), "e1 continued\n", stamped(at(3), "e3"))
	var got []string
	var times []time.Time
	Read(context.Background(), []Source{{"m", dir}}, Options{}, func(l Line) {
		got = append(got, show(l))
		times = append(times, l.Time)
	})
	equalLines(t, got, []string{
		"m stderr e1", "m stderr e1 continued",
		"m stdout plain 1", "m stdout 2026-11-24 not a time", "m stdout ", "m stdout plain 3",
		"m stderr e3",
	})
	for i, want := range []time.Time{at(1), at(1), mtime, mtime, mtime, mtime, at(3)} {
		if !times[i].Equal(want) {
			t.Errorf("line %d (%s): time %v, want %v", i, got[i], times[i], want)
		}
	}
}

func TestLogsUTCAndUnfinishedLine(t *testing.T) {
	dir := t.TempDir()
	u := time.Date(2026, 11, 24, 14, 4, 5, 0, time.UTC)
	unfinished := strings.TrimSuffix(stamped(u.Add(time.Second), "no newline"), "\n")
	writeFile(t, dir, "__stdout", u.Format(TimestampLayout)+" utc\n", unfinished)
	var got []string
	var times []time.Time
	Read(context.Background(), []Source{{"m", dir}}, Options{}, func(l Line) {
		got = append(got, show(l))
		times = append(times, l.Time)
	})
	equalLines(t, got, []string{"m stdout utc", "m stdout no newline"})
	if !times[0].Equal(u) || !times[1].Equal(u.Add(time.Second)) {
		t.Errorf("times %v", times)
	}
	equalLines(t, readAll(t, []Source{{"m", dir}}, Options{Tail: 1}), got[1:])
}

func TestLogsLongLineAndBytes(t *testing.T) {
	dir := t.TempDir()
	long := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	odd := "bad \xff\xfe utf-8, NUL \x00, escape \x1b[31mred\x1b[0m\r"
	writeFile(t, dir, "__stdout", stamped(at(0), "before"), stamped(at(1), string(long)), stamped(at(2), odd), stamped(at(3), "after"))
	for _, o := range []Options{{}, {Tail: 3}} {
		var texts [][]byte
		Read(context.Background(), []Source{{"m", dir}}, o, func(l Line) { texts = append(texts, append([]byte(nil), l.Text...)) })
		if n := len(texts); n < 3 || !bytes.Equal(texts[n-3], long) || string(texts[n-2]) != odd || string(texts[n-1]) != "after" {
			t.Fatalf("%+v: got %d lines, the long one %d bytes", o, len(texts), len(texts[len(texts)-3]))
		}
	}
}

func TestLogsParseLine(t *testing.T) {
	for _, c := range []struct {
		in   string
		ok   bool
		text string
	}{
		{"2026-11-24T15:04:05.123+01:00 hi", true, "hi"},
		{"2026-11-24T15:04:05.123+01:00 ", true, ""},
		{"2026-11-24T15:04:05.123Z  two spaces", true, " two spaces"},
		{"2026-11-24T15:04:05.123+01:00", false, "2026-11-24T15:04:05.123+01:00"},
		{"2026-11-24T15:04:05+01:00 no millis", false, "2026-11-24T15:04:05+01:00 no millis"},
		{"", false, ""},
	} {
		_, text, ok := ParseLine([]byte(c.in))
		if ok != c.ok || string(text) != c.text {
			t.Errorf("ParseLine(%q) = %q, %v", c.in, text, ok)
		}
	}
}

// parseStamp agrees with time.Parse on what it accepts and on the instant and wall clock.
func TestLogsParseStamp(t *testing.T) {
	var cases []string
	base := time.Date(2024, 2, 28, 23, 59, 58, 999e6, time.UTC)
	for _, off := range []int{0, 3600, -5*3600 - 1800, 14 * 3600} {
		for i := range 5 {
			tm := base.Add(time.Duration(i) * 36 * time.Hour).In(time.FixedZone("", off))
			cases = append(cases, tm.Format(TimestampLayout))
		}
	}
	cases = append(cases,
		"2023-02-29T10:00:00.000+01:00", "2024-13-01T10:00:00.000+01:00", "2024-01-01T24:00:00.000+01:00",
		"2024-01-01T10:60:00.000+01:00", "2024-01-01T10:00:60.000+01:00", "2024-01-01T10:00:00.000+01:60", "2024-01-01T10:00:00.000+99:00", "2024-01-01T10:00:00.000-24:61",
		"2024-01-01T10:00:00.0a0+01:00", "2024-01-01 10:00:00.000+01:00", "2024-01-01T10:00:00.000+0100 ",
		"2024-00-01T10:00:00.000Z", "2024-01-00T10:00:00.000Z", "2024-04-31T10:00:00.000Z", "+024-01-01T10:00:00.000Z")
	for _, c := range cases {
		want, werr := time.Parse(TimestampLayout, c)
		got, _, ok := ParseLine([]byte(c + " x"))
		if ok != (werr == nil) || ok && (!got.Equal(want) || got.Format(time.DateTime) != want.Format(time.DateTime)) {
			t.Errorf("%s: got %v %v, time.Parse %v %v", c, got, ok, want, werr)
		}
	}
}
