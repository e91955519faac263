package statusfs

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"
)

func TestTAI64NKnown(t *testing.T) {
	for _, c := range []struct {
		t   time.Time
		hex string
	}{
		{time.Unix(0, 0), "400000000000000a" + "00000000"},
		{time.Date(2024, 5, 1, 12, 0, 0, 500000000, time.UTC), "4000000066322eca" + "1dcd6500"},
		// The zone does not matter: the label names an instant.
		{time.Date(2024, 5, 1, 20, 0, 0, 500000000, time.FixedZone("CST", 8*3600)), "4000000066322eca" + "1dcd6500"},
	} {
		got := TAI64N(c.t)
		want, _ := hex.DecodeString(c.hex)
		if !bytes.Equal(got[:], want) {
			t.Errorf("TAI64N(%v) = %x, want %s", c.t, got, c.hex)
		}
		back, err := ParseTAI64N(got[:])
		if err != nil || !back.Equal(c.t) {
			t.Errorf("ParseTAI64N(%x) = %v, %v; want %v", got, back, err, c.t)
		}
	}
}

func TestParseTAI64NRejects(t *testing.T) {
	for _, h := range []string{
		"",
		"400000000000000a000000",     // 11 bytes
		"400000000000000a0000000000", // 13 bytes
		"800000000000000000000000",   // reserved seconds
		"400000000000000a3b9aca00",   // 10^9 ns
	} {
		b, _ := hex.DecodeString(h)
		if _, err := ParseTAI64N(b); err == nil {
			t.Errorf("ParseTAI64N(%s) accepted", h)
		}
	}
}
