package statusfs

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Written says what ReadStatus and ReadState say: of the files a Dir wrote,
// and of those an earlier supervisor left, which it reads the first time.
func TestWrittenIsWhatTheFilesSay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "status", "mod")
	before, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	left := Status{Changed: time.Unix(1700000000, 0), Want: WantDown, AlarmsOn: true}
	if err := before.WriteStatus(left); err != nil {
		t.Fatal(err)
	}
	if err := before.WriteState(State{State: RunDown, Reason: DownByOperator}); err != nil {
		t.Fatal(err)
	}
	before.Close()

	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	same := func(when string) {
		t.Helper()
		w, ok := d.Written()
		st, stErr := ReadStatus(path)
		es, esErr := ReadState(path)
		wState, _ := json.Marshal(w.State)
		fileState, _ := json.Marshal(es)
		if !ok || w.Status.Encode() != st.Encode() || (w.StatusErr == nil) != (stErr == nil) || string(wState) != string(fileState) || (w.StateErr == nil) != (esErr == nil) {
			t.Errorf("%s: Written = %+v, %v; the files say %+v, %v, %+v, %v", when, w, ok, st, stErr, es, esErr)
		}
	}
	same("as the last supervisor left them")
	up := Status{Changed: time.Now(), Want: WantUp, AlarmsOn: true, PID: 4242}
	if err := d.WriteStatus(up); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteState(State{State: RunUp, Ready: true, Status: "serving"}); err != nil {
		t.Fatal(err)
	}
	same("once written")
	if w, _ := d.Written(); w.Status.PID != 4242 || !w.State.Ready {
		t.Errorf("Written = %+v; want pid 4242, ready", w)
	}

	// The directory removed and made again by Repair: no status file until
	// the supervisor writes it, and no state.json.
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Repair(); err != nil {
		t.Fatal(err)
	}
	if w, _ := d.Written(); !errors.Is(w.StatusErr, fs.ErrNotExist) || !errors.Is(w.StateErr, fs.ErrNotExist) {
		t.Errorf("Written after the directory was made again = %+v; want neither file", w)
	}
	if err := d.WriteStatus(up); err != nil {
		t.Fatal(err)
	}
	same("after the repair, written again")

	d.Close()
	if w, ok := d.Written(); ok {
		t.Errorf("Written after Close = %+v, true; want false: the files are no longer its own", w)
	}
}
