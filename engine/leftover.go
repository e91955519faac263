package engine

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"svman/statusfs"
)

// leftoverKillWait bounds how long what a previous svman left of a module may
// outlive SIGKILL (a process in uninterruptible sleep) before the module starts
// anyway.
const leftoverKillWait = 5 * time.Second

// stopLeftovers begins the stop of what a previous svman, killed before it could
// stop its modules, left of this one: the process group its status file names
// (old, if there was one), if processes of that run are still in it, and the
// processes marked with its status directory. It reports whether there is any:
// then the module's first start (firstStart) waits until they are gone, so
// there is never a second instance. The stop is the state machine's (stop_signal,
// SIGKILL after stop_timeout), except that nothing tells of their exits (they are
// not svman's children): the supervisor looks on its timer, and once they have
// outlived SIGKILL by leftoverKillWait it warns and starts the module anyway.
func (s *supervisor) stopLeftovers(old statusfs.Status, hasOld bool, marked []int) bool {
	pgid := 0
	if hasOld {
		pgid = s.fx.LeftoverGroup(old.PID, old.Changed)
	}
	if pgid == 0 && len(marked) == 0 {
		return false
	}
	s.record(Event{Kind: Warning, Err: errors.New(leftoverText(pgid, marked))})
	s.leftovers = true
	s.beginStop(pgid, marked)
	s.checkStopped()
	return true
}

// leftoversSurvive ends the stop of leftovers that outlived SIGKILL.
func (s *supervisor) leftoversSurvive() {
	s.record(Event{Kind: Warning, Err: errors.New("processes of a previous run survive SIGKILL (uninterruptible sleep?)")})
	s.escaped = nil
	s.groupGone()
}

// leftoverText says what a previous svman left of a module, naming only what
// exists: its process group (pgid, 0 when none is left) and the processes marked
// as the module's (some of which may be in that group).
func leftoverText(pgid int, marked []int) string {
	var parts []string
	if pgid != 0 {
		parts = append(parts, fmt.Sprintf("process group %d", pgid))
	}
	switch n := len(marked); n {
	case 0:
	case 1:
		parts = append(parts, fmt.Sprintf("process %d", marked[0]))
	default:
		pids := make([]string, n)
		for i, pid := range marked {
			pids[i] = strconv.Itoa(pid)
		}
		parts = append(parts, "processes "+strings.Join(pids[:n-1], ", ")+" and "+pids[n-1])
	}
	them := "them"
	if len(parts) == 1 && len(marked) <= 1 {
		them = "it"
	}
	return fmt.Sprintf("a previous svman left %s of this module: stopping %s before starting", strings.Join(parts, " and "), them)
}
