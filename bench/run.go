package main

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"
)

// runSeq makes every run's markers unique, so that no module of an earlier run
// (or of another harness) is mistaken for one of this run's.
var runSeq atomic.Int64

// run is one peer running n modules, followed through the proc connector.
type run struct {
	*instance
	ev   *procEvents
	mods []module // all the run may use; the first n were started
}

// startRun starts p with the first n of total modules, argv(marker) each, and
// waits until every one has exec'd.
func startRun(env *benchEnv, p peer, n, total int, argv func(marker int) []string, stdout io.Writer) (*run, error) {
	return startRunOf(env, p, n, total, func(i, marker int) module {
		return module{name: moduleName(i), argv: argv(marker)}
	}, stdout)
}

// moduleName is the name of a run's module i.
func moduleName(i int) string { return fmt.Sprintf("m%05d", i) }

// startRunOf is startRun with module i made by mod(i, marker): its name
// moduleName(i), its command line carrying the marker.
func startRunOf(env *benchEnv, p peer, n, total int, mod func(i, marker int) module, stdout io.Writer) (*run, error) {
	// Seven digits always: the log figure parses them at a fixed width.
	base := 1_000_000 + (os.Getpid()%40)*200_000 + int(runSeq.Add(1)%4)*20_000
	t := newTracker(base, total)
	ev, err := listenProcEvents(t.handle)
	if err != nil {
		return nil, err
	}
	mods := make([]module, total)
	for i := range mods {
		mods[i] = mod(i, base+i)
	}
	in, err := start(env, p, mods[:n], t, stdout)
	if err != nil {
		ev.close()
		return nil, err
	}
	r := &run{instance: in, ev: ev, mods: mods}
	t.wait(startTimeout(n), func() bool { return t.started >= n || t.gone })
	if got := t.startedCount(); got < n {
		select {
		case <-in.exited:
			r.close()
			return nil, fmt.Errorf("it exited (%s) after starting %d of %d modules: %s", in.cmd.ProcessState, got, n, in.stderr.last())
		default:
		}
		r.close()
		return nil, fmt.Errorf("only %d of %d modules had started after %v", got, n, startTimeout(n))
	}
	return r, nil
}

// startTimeout is how long n modules may take to start before the run counts as
// failed.
func startTimeout(n int) time.Duration { return 30*time.Second + time.Duration(n)*20*time.Millisecond }

// close kills whatever is left of the run and stops listening.
func (r *run) close() {
	r.cleanup()
	r.ev.close()
}

// sleepArgv is the module every figure but the log one runs.
func sleepArgv(marker int) []string { return []string{"sleep", itoa(marker)} }

func (t *tracker) startedCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.started
}
