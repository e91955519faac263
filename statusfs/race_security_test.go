package statusfs

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"svman/manifest"
)

// swapLoop is the attacker's busy loop, run as nobody in a status_dir its group
// may write: svman's directory api is renamed away (to a new name each time, so
// that no rename ever fails for a name taken), a link to ../victim put in its
// place, the link removed and the directory put back, over and over.
const swapLoop = `cd "$1" || exit 1
i=0
while :; do
	i=$((i+1))
	mv -T api "x$i" 2>/dev/null
	ln -s ../victim api 2>/dev/null
	rm -f api 2>/dev/null
	mv -T "x$i" api 2>/dev/null
done`

// While nobody swaps the module's directory and a link back and forth, svman
// opens the directory, writes every kind of file and repairs it, again and again:
// nothing is ever created in the link's target.
func TestSwapRaceWritesNothingOutside(t *testing.T) {
	needRoot(t)
	status, victim := sharedStatusDir(t)
	attacker := asNobody("sh", "-c", swapLoop, "sh", status)
	attacker.SysProcAttr.Setpgid = true
	if err := attacker.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-attacker.Process.Pid, syscall.SIGKILL)
		attacker.Wait()
	}()

	api := filepath.Join(status, "api")
	var held, refused int
	for range 300 {
		d, err := Open(api)
		if err != nil {
			var locked *LockedError
			if errors.As(err, &locked) {
				t.Fatalf("the directory is locked by someone: %v", err)
			}
			refused++
			AppendLog(api, "FATAL", "cannot supervise: %v", err)
			continue
		}
		held++
		d.WriteStatus(Status{Want: WantUp, PID: 1})
		d.WriteApplied(manifest.Module{Name: "api"})
		d.WriteState(State{State: RunUp})
		d.Notice("notice")
		d.Warning("warning")
		if f, err := d.OpenFile("__stdout", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err == nil {
			f.WriteString("line\n")
			f.Close()
		}
		d.Repair()
		d.WriteStatus(Status{Want: WantDown})
		d.Close()
		d.Notice("after close") // the engine may log after Close: the directory is opened again
	}
	t.Logf("held the directory %d times, refused %d times", held, refused)
	assertEmpty(t, victim)
}
