package logfiles

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"svman/logmux"
)

// jsonRecord is a record of a JSON log file as a reader decodes it.
type jsonRecord struct {
	TS      string          `json:"ts"`
	Module  string          `json:"module"`
	Stream  string          `json:"stream"`
	PID     *int            `json:"pid"`
	Line    *string         `json:"line"`
	LineB64 *string         `json:"line_b64"`
	JSON    json.RawMessage `json:"json"`
	Cut     bool            `json:"cut"`
}

// readRecords decodes every line of a file, each of which must be one record
// with no other key.
func readRecords(t *testing.T, path string) []jsonRecord {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []jsonRecord
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		var r jsonRecord
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("line %q is not a record: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

func jsonOptions(now time.Time) FileOptions {
	return FileOptions{Format: JSON, Module: "web", Stream: logmux.Stderr, Now: func() time.Time { return now }}
}

func TestFileJSONRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "__stderr")
	now := time.Date(2026, 11, 24, 15, 4, 5, 123456789, time.FixedZone("", 3600))
	o := jsonOptions(now)
	o.ParseJSON = true
	f := NewFile(path, o)
	bad := []byte("caf\xe9 \xff\x00 ok\r") // Latin-1, a byte never in UTF-8, NUL, CR
	f.LineAt(time.Time{}, 4242, []byte("plain \"quoted\"\tand \x1b[31mred\x1b[0m"), logmux.Newline)
	f.LineAt(time.Time{}, 4242, bad, logmux.Newline)
	f.LineAt(time.Time{}, 4243, []byte(`{"level":"warn","ts":1.5,"pid":1}`), logmux.Newline)
	f.LineAt(time.Time{}, 4243, []byte(`{"not": "closed"`), logmux.Newline)
	// A line in pieces (paused, then its newline) is one record, of its first piece's pid.
	f.LineAt(time.Time{}, 7, []byte("paused "), logmux.Pause)
	f.LineAt(time.Time{}, 8, []byte("line"), logmux.Newline)
	f.LineAt(time.Time{}, 9, []byte("ended by exit"), logmux.Pause)
	f.LineAt(time.Time{}, 9, nil, logmux.PauseEnd)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	recs := readRecords(t, path)
	if len(recs) != 6 {
		t.Fatalf("%d records, want 6: %+v", len(recs), recs)
	}
	for i, r := range recs {
		if r.TS != "2026-11-24T14:04:05.123456789Z" || r.Module != "web" || r.Stream != "stderr" || r.PID == nil {
			t.Errorf("record %d: ts %q module %q stream %q pid %v", i, r.TS, r.Module, r.Stream, r.PID)
		}
		n := 0
		for _, set := range []bool{r.Line != nil, r.LineB64 != nil, r.JSON != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			t.Errorf("record %d has %d of line, line_b64 and json, want exactly one", i, n)
		}
	}
	wantLine := func(i, pid int, text string) {
		t.Helper()
		if r := recs[i]; r.Line == nil || *r.Line != text || *r.PID != pid {
			t.Errorf("record %d: %+v, want line %q of pid %d", i, r, text, pid)
		}
	}
	wantLine(0, 4242, "plain \"quoted\"\tand \x1b[31mred\x1b[0m")
	if r := recs[1]; r.LineB64 == nil {
		t.Errorf("a line that is not UTF-8 is in line_b64: %+v", r)
	} else if got, err := base64.StdEncoding.DecodeString(*r.LineB64); err != nil || !bytes.Equal(got, bad) {
		t.Errorf("line_b64 gives %q (%v), want exactly %q", got, err, bad)
	}
	if r := recs[2]; string(r.JSON) != `{"level":"warn","ts":1.5,"pid":1}` || *r.PID != 4243 {
		t.Errorf("a JSON object line with parse: %+v, want it under json, as written", r)
	}
	wantLine(3, 4243, `{"not": "closed"`)
	wantLine(4, 7, "paused line")
	wantLine(5, 9, "ended by exit")

	// Read gives the lines back exactly as the module wrote them.
	var got []string
	readLines(t, filepath.Dir(path), func(l Line) {
		got = append(got, string(l.Text))
		if !l.Time.Equal(now) || l.Stream != logmux.Stderr {
			t.Errorf("line %q read at %v from %v", l.Text, l.Time, l.Stream)
		}
	})
	want := []string{"plain \"quoted\"\tand \x1b[31mred\x1b[0m", string(bad), `{"level":"warn","ts":1.5,"pid":1}`, `{"not": "closed"`, "paused line", "ended by exit"}
	equalLines(t, got, want)
}

// readLines reads the logs of the module in dir, without following.
func readLines(t *testing.T, dir string, emit func(Line)) {
	t.Helper()
	if err := Read(t.Context(), []Source{{"web", dir}}, Options{}, emit); err != nil {
		t.Fatal(err)
	}
}

func TestFileJSONWithoutParseQuotesObjects(t *testing.T) {
	path := filepath.Join(t.TempDir(), "__stdout")
	f := NewFile(path, FileOptions{Format: JSON, Module: "m"})
	f.LineAt(time.Time{}, 1, []byte(`{"a":1}`), logmux.Newline)
	f.LineAt(time.Time{}, 0, []byte(`x`), logmux.Newline)
	f.Close()
	recs := readRecords(t, path)
	if recs[0].Line == nil || *recs[0].Line != `{"a":1}` || recs[0].Stream != "stdout" {
		t.Errorf("without parse a JSON line is quoted: %+v", recs[0])
	}
	if recs[1].PID != nil {
		t.Errorf("an unknown pid is null, got %d", *recs[1].PID)
	}
}

func TestFileJSONRotates(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "__stdout")
	const maxSize, n = 4000, 500
	f := NewFile(path, FileOptions{Format: JSON, Module: "web", MaxSize: maxSize, Keep: 1000})
	for i := range n {
		f.LineAt(time.Time{}, 99, []byte(strings.Repeat("x", i%50)), logmux.Newline)
		if i%7 == 0 {
			f.Flush()
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	files, err := Files(dir, logmux.Stdout)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Fatalf("%d files after %d records with max_size %d: no rotation", len(files), n, maxSize)
	}
	total := 0
	for _, name := range files {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > maxSize {
			t.Errorf("%s is %d bytes, more than max_size", name, fi.Size())
		}
		for _, r := range readRecords(t, name) { // every line a whole record
			if r.Line == nil || len(*r.Line) != total%50 {
				t.Fatalf("record %d in %s: %+v", total, name, r)
			}
			total++
		}
	}
	if total != n {
		t.Errorf("%d records in the files, want %d", total, n)
	}
}

func TestFileFormatSwitch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "__stdout")
	o := FileOptions{Timestamps: true, Module: "web", Now: func() time.Time { return at(1) }}
	f := NewFile(path, o)
	f.LineAt(time.Time{}, 5, []byte("text line"), logmux.Newline)
	f.LineAt(time.Time{}, 5, []byte("half"), logmux.Pause)
	o.Format, o.Now = JSON, func() time.Time { return at(2) }
	f.SetOptions(o) // ends the text line under way
	f.LineAt(time.Time{}, 6, []byte("json line"), logmux.Newline)
	f.LineAt(time.Time{}, 6, []byte("half json"), logmux.Pause)
	o.Format, o.Now = Text, func() time.Time { return at(3) }
	f.SetOptions(o) // writes the JSON line under way
	f.LineAt(time.Time{}, 7, []byte("text again"), logmux.Newline)
	f.Close()

	var got []string
	readLines(t, dir, func(l Line) {
		got = append(got, l.Time.Format(time.TimeOnly)+" "+string(l.Text)+" "+map[bool]string{true: "pid", false: "-"}[l.PID != 0])
	})
	equalLines(t, got, []string{
		at(1).Format(time.TimeOnly) + " text line -",
		at(1).Format(time.TimeOnly) + " half -",
		at(2).Format(time.TimeOnly) + " json line pid",
		at(2).Format(time.TimeOnly) + " half json pid",
		at(3).Format(time.TimeOnly) + " text again -",
	})
}

func TestLogsFollowJSON(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "__stdout")
	o := FileOptions{Format: JSON, Module: "web"}
	f := NewFile(path, o)
	f.LineAt(time.Time{}, 1, []byte("old"), logmux.Newline)
	f.Flush()
	fl := startFollow(t, []Source{{"web", dir}}, Options{})
	fl.expect(t, "web stdout old")
	f.LineAt(time.Time{}, 2, []byte("new \xff"), logmux.Newline)
	f.Flush()
	fl.expect(t, "web stdout new \xff")
	o.Format = Text
	o.Timestamps = true
	f.SetOptions(o)
	f.LineAt(time.Time{}, 3, []byte("text now"), logmux.Newline)
	f.Flush()
	fl.expect(t, "web stdout text now")
	fl.stop(t)
	f.Close()
}

// A line longer than a record holds is cut into records that say "cut":true
// and hold exactly its bytes: joined, they are the line. The cut never splits
// a UTF-8 character, so each piece of a UTF-8 line is "line", not base64.
func TestFileJSONCutLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "__stderr")
	f := NewFile(path, jsonOptions(time.Now()))
	line := append([]byte("a"), bytes.Repeat([]byte("é"), MaxFileLine/2+10)...) // the cut falls inside an é
	for len(line) > 0 {
		n := min(len(line), logmux.MaxLine)
		end := logmux.Cut
		if n == len(line) {
			end = logmux.Newline
		}
		f.LineAt(time.Time{}, 1, line[:n], end)
		line = line[n:]
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	recs := readRecords(t, path)
	if len(recs) != 2 || !recs[0].Cut || recs[1].Cut || recs[0].Line == nil || recs[1].Line == nil {
		for _, r := range recs {
			t.Logf("cut %v, line %v, line_b64 %v", r.Cut, r.Line != nil, r.LineB64 != nil)
		}
		t.Fatalf("%d records, want a cut piece then the rest, both as line", len(recs))
	}
	want := append([]byte("a"), bytes.Repeat([]byte("é"), MaxFileLine/2+10)...)
	if got := *recs[0].Line + *recs[1].Line; got != string(want) {
		t.Errorf("joined pieces are %d bytes, want the %d of the line", len(got), len(want))
	}
}

// A file of the Text format, every module's by default, holds no JSON line
// state: it is made at a JSON file's first line, and a File is two per module.
func TestTextFileHoldsNoJSONLine(t *testing.T) {
	f := NewFile(filepath.Join(t.TempDir(), "__stdout"), FileOptions{})
	defer f.Close()
	f.LineAt(t0, 1, []byte("a line"), logmux.Newline)
	f.LineAt(t0, 1, []byte("half a "), logmux.Pause)
	f.LineAt(t0, 1, []byte("line"), logmux.Newline)
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.json != nil {
		t.Error("a Text file made a JSON line")
	}
}
