package statusfs

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var goldenTime = time.Date(2024, 5, 1, 12, 0, 0, 500000000, time.UTC)

func TestEncodeGolden(t *testing.T) {
	for _, c := range []struct {
		s   Status
		hex string
	}{
		{Status{Changed: goldenTime, Want: WantUp, AlarmsOn: true, PID: 54321},
			"4000000066322eca1dcd6500" + "00" + "75" + "6f" + "00" + "31d40000"},
		{Status{Changed: goldenTime, Paused: true, Want: WantDown, PID: 4000000},
			"4000000066322eca1dcd6500" + "01" + "64" + "78" + "00" + "00093d00"},
		{Status{Changed: goldenTime, Want: WantOnce, AlarmsOn: true},
			"4000000066322eca1dcd6500" + "00" + "00" + "6f" + "00" + "00000000"},
	} {
		got := c.s.Encode()
		if h := hex.EncodeToString(got[:]); h != c.hex {
			t.Errorf("Encode(%+v) = %s, want %s", c.s, h, c.hex)
		}
		back, err := Decode(got[:])
		if err != nil {
			t.Fatalf("Decode(%x): %v", got, err)
		}
		if !back.Changed.Equal(c.s.Changed) {
			t.Errorf("Changed = %v, want %v", back.Changed, c.s.Changed)
		}
		back.Changed = c.s.Changed
		if back != c.s {
			t.Errorf("Decode(Encode(%+v)) = %+v", c.s, back)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	good := Status{Changed: goldenTime, Want: WantUp, AlarmsOn: true, PID: 42}.Encode()
	mutate := func(i int, v byte) []byte {
		b := bytes.Clone(good[:])
		b[i] = v
		return b
	}
	for _, c := range []struct {
		name string
		b    []byte
		msg  string
	}{
		{"empty", nil, "0 bytes"},
		{"short", good[:19], "19 bytes"},
		{"long", append(bytes.Clone(good[:]), 0), "21 bytes"},
		{"daemontools 18 bytes", good[:18], "18 bytes"},
		{"byte 15", mutate(15, 1), "byte 15"},
		{"alarms", mutate(14, 'y'), "byte 14"},
		{"alarms zero", mutate(14, 0), "byte 14"},
		{"want", mutate(13, 'o'), "byte 13"},
		{"paused", mutate(12, 2), "byte 12"},
		{"paused ascii", mutate(12, '1'), "byte 12"},
		{"nanoseconds", mutate(8, 0xff), "nanoseconds"},
		{"reserved seconds", mutate(0, 0x80), "reserved"},
	} {
		_, err := Decode(c.b)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: Decode error %v, want one mentioning %q", c.name, err, c.msg)
		}
	}
}

// The pid must read right with the commands existing scripts use.
func TestStatusReadByOd(t *testing.T) {
	if _, err := exec.LookPath("od"); err != nil {
		t.Skip("od not installed")
	}
	d := openTemp(t)
	st := filepath.Join(d.Path(), "status")
	for _, pid := range []int{54321, 4000000, 1} {
		if err := d.WriteStatus(Status{Changed: time.Now(), Want: WantUp, AlarmsOn: true, PID: pid}); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("od", "-An", "-j16", "-N4", "-tu4", st).Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(string(out)); got != strconv.Itoa(pid) {
			t.Errorf("od -An -j16 -N4 -tu4 = %q, want %d", got, pid)
		}
		if pid >= 65536 {
			continue // the 16-bit read is only right for small pids, as with supervise
		}
		out, err = exec.Command("sh", "-c", `od -d --skip-bytes=16 "$1" | awk '{print $2}'`, "sh", st).Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Fields(string(out)); len(got) == 0 || got[0] != strconv.Itoa(pid) {
			t.Errorf("od -d --skip-bytes=16 | awk = %q, want %d", out, pid)
		}
	}
}

func TestReadStatus(t *testing.T) {
	d := openTemp(t)
	want := Status{Changed: goldenTime, Paused: true, Want: WantDown, PID: 7}
	if err := d.WriteStatus(want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadStatus(d.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !got.Changed.Equal(want.Changed) || got.PID != 7 || !got.Paused || got.Want != WantDown || got.AlarmsOn {
		t.Errorf("ReadStatus = %+v, want %+v", got, want)
	}
	if err := os.WriteFile(filepath.Join(d.Path(), "status"), make([]byte, 18), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadStatus(d.Path()); err == nil || !strings.Contains(err.Error(), "18 bytes") {
		t.Errorf("ReadStatus of an 18-byte file: %v", err)
	}
	if _, err := ReadStatus(t.TempDir()); !os.IsNotExist(err) {
		t.Errorf("ReadStatus of a missing file: %v, want not-exist", err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []Status{
		{Changed: goldenTime, Want: WantUp, AlarmsOn: true, PID: 54321},
		{Changed: time.Unix(0, 0), Paused: true, Want: WantDown},
		{Want: WantOnce, PID: 1<<32 - 1},
	} {
		b := s.Encode()
		f.Add(b[:])
	}
	f.Add([]byte{})
	f.Add(make([]byte, 20))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Decode(b)
		if err != nil {
			return
		}
		if got := s.Encode(); !bytes.Equal(got[:], b) {
			t.Fatalf("Encode(Decode(%x)) = %x", b, got)
		}
	})
}
