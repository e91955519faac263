package logmux

import (
	"bytes"
	"strings"
	"testing"
)

// A batch of lines prints exactly as the same lines one by one: prefixes, the
// empty line without a trailing space, the continued piece with its marker, the
// CR of a CRLF line dropped, and color codes stripped when asked.
func TestWriteLinesMatchesLineByLine(t *testing.T) {
	lines := []struct {
		text string
		cont bool
	}{
		{"first", false},
		{"", false},
		{"crlf\r", false},
		{"\x1b[31mred\x1b[0m", false},
		{"cut here", true},
		{"and the rest", false},
	}
	for _, async := range []bool{false, true} {
		for _, o := range []Options{
			{Timestamps: true, Now: fixedClock(), StripANSI: true},
			{Raw: true, Now: fixedClock()},
		} {
			var one, batch bytes.Buffer
			if async {
				o.Buffer = 100
			}
			c1 := NewConsole(&one, o)
			for _, l := range lines {
				c1.LineCont("web", Stderr, []byte(l.text), l.cont)
			}
			c1.Close()
			c2 := NewConsole(&batch, o)
			var b Batch
			for _, l := range lines {
				b.add([]byte(l.text), l.cont)
			}
			c2.WriteLines("web", Stderr, fixedClock()(), &b)
			c2.Close()
			if one.String() != batch.String() || one.Len() == 0 {
				t.Errorf("async %v, raw %v: a batch printed\n%q\nline by line\n%q", async, o.Raw, batch.String(), one.String())
			}
		}
	}
}

func TestBatchReset(t *testing.T) {
	var b Batch
	b.Add([]byte("a"), Newline)
	b.Add([]byte("bc"), Cut)
	b.Add(nil, PauseEnd) // ends a line shown already: nothing to show
	var got []string
	b.Each(func(line []byte, cont bool) {
		s := string(line)
		if cont {
			s += "…"
		}
		got = append(got, s)
	})
	if len(got) != 2 || got[0] != "a" || got[1] != "bc…" {
		t.Errorf("Each gave %q", got)
	}
	b.Reset()
	if b.Len() != 0 {
		t.Errorf("after Reset, Len = %d", b.Len())
	}
	// A large batch gives its memory back: a module costs nothing between bursts.
	b.Add(make([]byte, 2*smallBatch), Newline)
	if b.mem == nil {
		t.Fatal("a batch past smallBatch did not move into pooled memory")
	}
	b.Reset()
	if b.mem != nil || cap(b.buf) != 0 {
		t.Errorf("after Reset the batch still holds %d bytes", cap(b.buf))
	}
	// A batch grown past its room is not given back for the next one to keep.
	b.Add(make([]byte, batchRoom+1), Newline)
	big := b.mem
	b.Reset()
	for range 10 {
		if m := batchPool.Get().(*batchMem); m == big || cap(m.buf) > batchRoom {
			t.Fatalf("the pool gave back a batch of %d bytes", cap(m.buf))
		}
	}
}

// Lines added before and after a batch moves into pooled memory all come back.
func TestBatchKeepsLinesAcrossItsMove(t *testing.T) {
	var b Batch
	for i := range 200 {
		b.add([]byte(strings.Repeat(string(rune('a'+i%26)), 100)), i%7 == 0)
	}
	if b.mem == nil {
		t.Fatal("20 KB of lines did not move into pooled memory")
	}
	i := 0
	b.Each(func(line []byte, cont bool) {
		if want := strings.Repeat(string(rune('a'+i%26)), 100); string(line) != want || cont != (i%7 == 0) {
			t.Errorf("line %d = %.10q… cont %v", i, line, cont)
		}
		i++
	})
	if i != 200 {
		t.Errorf("Each gave %d lines, want 200", i)
	}
	b.Reset()
}
