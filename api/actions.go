package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"svman/internal/modview"
	"svman/manifest"
	"svman/statusfs"
)

// applyWait bounds how long an action waits for the modules to show it.
const applyWait = 5 * time.Second

// applyPoll is how often the status files are read again meanwhile: the
// waiting is the request's, and ends with it.
const applyPoll = 10 * time.Millisecond

// act is POST /v1/modules/{name}/{action}. The words of `svman ctl` (but
// reload: POST /v1/reload) are written to each module's control FIFO, as ctl
// writes them; restart and signal?sig=NAME go through the engine. It answers
// with the modules once the action is applied (applied, below), 200; or, if
// they do not show it within applyWait, as they are then, 202.
func (s *Server) act(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	do, applied, err := s.action(action, r.URL.Query().Get("sig"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	picked, ok := s.pick(w, r)
	if !ok {
		return
	}
	now := time.Now()
	before := s.describe(picked, now)
	var failed []string
	for i, t := range picked {
		if err := do(t, before[i]); err != nil {
			failed = append(failed, t.Name+": "+err.Error())
		}
	}
	if len(failed) > 0 {
		writeError(w, http.StatusConflict, errors.New(strings.Join(failed, "; ")))
		return
	}
	deadline := time.Now().Add(applyWait)
	for {
		after := s.describe(picked, time.Now())
		done := true
		for i := range after {
			done = done && applied(before[i], after[i])
		}
		if done {
			writeJSON(w, http.StatusOK, after)
			return
		}
		if time.Now().After(deadline) {
			writeJSON(w, http.StatusAccepted, after)
			return
		}
		select {
		case <-time.After(applyPoll):
		case <-r.Context().Done():
			return
		}
	}
}

// doFunc carries out an action on one module, given what it was before.
type doFunc func(t modview.Target, before modview.Status) error

// appliedFunc tells whether a module (was before) shows the action applied.
type appliedFunc func(before, after modview.Status) bool

// action is what the word action does and when it counts as applied:
//
//   - up: wanted up; once: wanted once; down: wanted down and no child;
//   - pause: paused (no child: nothing to pause); cont: not paused;
//   - silence: alarms off; notify: alarms on;
//   - restart: a child other than the one before runs;
//   - kill, term, int, hup, alrm, signal, exit: once delivered (a signal's
//     effect is the module's own; exit ends supervision only once it is down).
func (s *Server) action(action, sig string) (doFunc, appliedFunc, error) {
	delivered := func(_, _ modview.Status) bool { return true }
	switch action {
	case "restart":
		return func(t modview.Target, _ modview.Status) error { return s.cfg.Engine.Restart(t.Name) },
			func(b, a modview.Status) bool { return a.PID != 0 && a.PID != b.PID }, nil
	case "signal":
		signal, err := manifest.ParseSignal(sig)
		if err != nil {
			return nil, nil, fmt.Errorf("signal needs ?sig=NAME: %w", err)
		}
		return func(t modview.Target, _ modview.Status) error { return s.cfg.Engine.Signal(t.Name, signal) }, delivered, nil
	case "reload":
		return nil, nil, errors.New("reload applies to every module: POST /v1/reload")
	}
	c, ok := statusfs.ControlWord(action)
	if !ok {
		return nil, nil, fmt.Errorf("unknown action %q: use restart, signal or a word of svman ctl (%s)", action, strings.Join(statusfs.ControlNames(), ", "))
	}
	cmds := []byte{byte(c)}
	do := func(t modview.Target, before modview.Status) error {
		if before.State == modview.Released && !statusfs.TakesBack(cmds) {
			return fmt.Errorf("released (x): svman no longer supervises it; up or once takes it back")
		}
		err := statusfs.SendControl(t.Dir, cmds)
		if errors.Is(err, statusfs.ErrNotSupervised) {
			return errors.New("not supervised: no svman holds its status directory")
		}
		return err
	}
	applied := delivered
	switch c {
	case statusfs.CtlUp:
		applied = func(_, a modview.Status) bool { return a.Want == "up" }
	case statusfs.CtlOnce:
		applied = func(_, a modview.Status) bool { return a.Want == "once" }
	case statusfs.CtlDown:
		applied = func(_, a modview.Status) bool { return a.Want == "down" && a.PID == 0 }
	case statusfs.CtlPause:
		applied = func(b, a modview.Status) bool { return b.PID == 0 || a.State == modview.Paused }
	case statusfs.CtlCont:
		applied = func(_, a modview.Status) bool { return a.State != modview.Paused }
	case statusfs.CtlSilence:
		applied = func(_, a modview.Status) bool { return a.Alarms == "off" }
	case statusfs.CtlNotify:
		applied = func(_, a modview.Status) bool { return a.Alarms == "on" }
	}
	return do, applied, nil
}
