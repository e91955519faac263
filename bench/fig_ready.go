package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// chainLength is the number of modules of the ready chain.
const chainLength = 10

// readyPoll is how often the harness asks a tool whether the chain's last
// module is ready.
const readyPoll = 2 * time.Millisecond

// chainResult is one round of the ready chain, in ns since the launch.
type chainResult struct {
	ready     int64 // the tool first said the last module was ready
	notified  int64 // svman's READY=1 arrived; 0 for another tool or none
	listening int64 // the last module began listening
	// gaps are, for each module after the first, the ns from the one before
	// it listening to its exec.
	gaps []int64
}

// chainSamples are a tool's rounds, in ms.
type chainSamples struct {
	ready, notified, listening, gaps sample
	unnotified                       int // svman's rounds without READY=1
}

// figReady: from launch to all ready for a chain of modules, each starting once
// the one before is ready, each ready when it accepts on its TCP port; against
// the modules' own start times measured alone.
func figReady(env *benchEnv, peers []peerInfo, rounds int) *section {
	s := &section{
		title: "9. Ready chain",
		intro: fmt.Sprintf("A chain of %d modules, each started once the one before is ready; each is the harness's listener (`bench listen`), which listens on its TCP port at once and is ready when it accepts there. "+
			"All ready: from launch to the tool saying the last module is ready (svman's `state.json`, process-compose's `GET /process/NAME`), asked every %v. READY=1: svman's own sd_notify to the `NOTIFY_SOCKET` the harness gives it, sent once every module is ready. "+
			"Last listening: when the last module began listening. Own starts: %d × a listener's start alone (the harness forks it until it listens: median of %d). "+
			"Per link: (all ready − own starts) ÷ %d, the tool's cost of each dependency. Listened → next started: from a module listening to the exec of the one that depends on it, median and maximum over every link of every round. %d rounds. Ratio: svman's median ÷ the tool's.", chainLength, readyPoll, chainLength, soloRounds(rounds), chainLength, rounds),
		header: []string{"tool", "all ready, median", "min–max", "READY=1", "last listening", "own starts", "per link", "listened → next started", "svman ÷ tool"},
	}
	probing, others := probingPeers(peers)
	s.listFor(probing)
	if len(others) > 0 {
		s.notes = append(s.notes, "Not measured, having no dependency on a module's readiness: "+strings.Join(others, ", ")+".")
	}
	progress("ready chain: a listener alone")
	solo, err := measureListenerStart(env, soloRounds(rounds))
	if err != nil {
		s.notes = append(s.notes, "The listener's own start could not be measured: "+err.Error())
	}
	own := solo.median() * chainLength
	res := measurePeers(s, probing, "ready chain", func(p peer) (chainSamples, error) {
		var cs chainSamples
		for range rounds {
			r, err := measureChain(env, p.(probingPeer))
			if err != nil {
				return cs, err
			}
			cs.ready = append(cs.ready, float64(r.ready)/1e6)
			cs.listening = append(cs.listening, float64(r.listening)/1e6)
			for _, g := range r.gaps {
				cs.gaps = append(cs.gaps, float64(g)/1e6)
			}
			switch _, sv := p.(svmanPeer); {
			case r.notified != 0:
				cs.notified = append(cs.notified, float64(r.notified)/1e6)
			case sv:
				cs.unnotified++
			}
		}
		return cs, nil
	})
	sv, svOK := res["svman"]
	for _, pi := range probing {
		cs, ok := res[pi.p.name()]
		if !ok {
			continue
		}
		notified, ownCell, perLink, rt := "–", "–", "–", "–"
		if len(cs.notified) > 0 {
			notified = ms(cs.notified.median())
		}
		if cs.unnotified > 0 {
			notified = fmt.Sprintf("none in %d of %d rounds", cs.unnotified, rounds)
		}
		if err == nil {
			ownCell, perLink = ms(own), ms((cs.ready.median()-own)/chainLength)
		}
		if svOK {
			rt = ratio(sv.ready.median(), cs.ready.median())
		}
		gaps := ms(cs.gaps.median()) + " (max " + ms(cs.gaps.quantile(1)) + ")"
		s.add(pi.p.name(), ms(cs.ready.median()), cs.ready.spread(ms), notified, ms(cs.listening.median()), ownCell, perLink, gaps, rt)
	}
	for _, pi := range probing {
		s.notes = append(s.notes, pi.p.(probingPeer).probeNote()+".")
	}
	return s
}

// soloRounds is how many times a listener's own start is measured.
func soloRounds(rounds int) int { return max(2*rounds, 10) }

// probingPeers splits peers into those that can run the chain and the names
// of the others.
func probingPeers(peers []peerInfo) (probing []peerInfo, others []string) {
	for _, pi := range peers {
		if _, ok := pi.p.(probingPeer); ok {
			probing = append(probing, pi)
		} else {
			others = append(others, pi.p.name())
		}
	}
	return probing, others
}

// chainModules are the chain's modules: module i listens on ports[i], is ready
// when it accepts there and starts after module i-1. Each writes when it began
// listening into dir.
func chainModules(env *benchEnv, ports []int, dir string) func(i, marker int) module {
	return func(i, marker int) module {
		m := module{
			name:     moduleName(i),
			argv:     []string{env.self, "listen", itoa(marker), itoa(ports[i]), dir},
			readyTCP: net.JoinHostPort("127.0.0.1", itoa(ports[i])),
		}
		if i > 0 {
			m.after = moduleName(i - 1)
		}
		return m
	}
}

// measureChain runs the chain once under p.
func measureChain(env *benchEnv, p probingPeer) (chainResult, error) {
	var res chainResult
	dir, err := os.MkdirTemp(env.work, "chain-")
	if err != nil {
		return res, err
	}
	ports, err := freePorts(chainLength)
	if err != nil {
		return res, err
	}
	e := *env
	var notify *readyNotifications
	if _, ok := p.(svmanPeer); ok {
		if notify, err = listenNotify(filepath.Join(dir, "notify.sock")); err != nil {
			return res, err
		}
		defer notify.close()
		e.notifySocket = notify.path
	}
	r, err := startRunOf(&e, p, chainLength, chainLength, chainModules(env, ports, dir), nil)
	if err != nil {
		return res, err
	}
	defer r.close()
	last := moduleName(chainLength - 1)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := p.readyState(&e, r.dir, last)
		if err != nil {
			return res, err
		}
		if ok {
			res.ready = monotonicNow() - r.started
			break
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("%s was not ready 30 s after it started", last)
		}
		time.Sleep(readyPoll)
	}
	listening, gaps, err := chainKept(r, dir)
	if err != nil {
		return res, err
	}
	res.listening, res.gaps = listening-r.started, gaps
	if notify != nil {
		select {
		case at := <-notify.ready:
			res.notified = at - r.started
		case <-time.After(2 * time.Second): // none: the table says so
		}
	}
	if verbose {
		progress("ready chain: %s: ready %s, last listening %s", p.name(), ms(float64(res.ready)/1e6), ms(float64(res.listening)/1e6))
		if res.notified != 0 {
			progress("ready chain: %s: READY=1 %s", p.name(), ms(float64(res.notified)/1e6))
		}
	}
	_, err = r.shutdown(30 * time.Second)
	return res, err
}

// chainKept checks that every module of the chain exec'd only after the one
// before it was listening, and returns when the last began listening and, for
// each module after the first, the time from the one before listening to its
// exec.
func chainKept(r *run, dir string) (last int64, gaps []int64, err error) {
	var prev int64
	for i := range chainLength {
		at, err := readListening(listeningFile(dir, itoa(r.t.base+i)), 5*time.Second)
		if err != nil {
			return 0, nil, err
		}
		if i > 0 {
			_, exec := r.t.current(i)
			if exec < prev {
				return 0, nil, fmt.Errorf("%s started %s before %s listened: the dependency was not kept", moduleName(i), ms(float64(prev-exec)/1e6), moduleName(i-1))
			}
			gaps = append(gaps, exec-prev)
		}
		prev = at
	}
	return prev, gaps, nil
}

// measureListenerStart forks a listener n times, each alone, and returns the
// times from the fork to its listening, in ms.
func measureListenerStart(env *benchEnv, n int) (sample, error) {
	dir, err := os.MkdirTemp(env.work, "solo-")
	if err != nil {
		return nil, err
	}
	var s sample
	for i := range n {
		ports, err := freePorts(1)
		if err != nil {
			return nil, err
		}
		cmd := exec.Command(env.self, "listen", itoa(i), itoa(ports[0]), dir)
		t0 := monotonicNow()
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		at, err := readListening(listeningFile(dir, itoa(i)), 5*time.Second)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if err != nil {
			return nil, err
		}
		s = append(s, float64(at-t0)/1e6)
	}
	return s, nil
}

// freePorts are n TCP ports of 127.0.0.1 that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// readyNotifications is a NOTIFY_SOCKET the harness listens on: the moment a
// READY=1 arrives is sent on ready (once); every other datagram is read and
// dropped, so that the sender never finds the socket full.
type readyNotifications struct {
	path  string
	conn  *net.UnixConn
	ready chan int64
}

func listenNotify(path string) (*readyNotifications, error) {
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return nil, err
	}
	n := &readyNotifications{path: path, conn: conn, ready: make(chan int64, 1)}
	go n.read()
	return n, nil
}

func (n *readyNotifications) read() {
	buf := make([]byte, 4096)
	sent := false
	for {
		k, err := n.conn.Read(buf)
		if err != nil {
			return
		}
		at := monotonicNow()
		if !sent && hasReady(buf[:k]) {
			n.ready <- at
			sent = true
		}
	}
}

// hasReady says whether an sd_notify datagram holds the line READY=1.
func hasReady(datagram []byte) bool {
	for _, line := range strings.Split(string(datagram), "\n") {
		if line == "READY=1" {
			return true
		}
	}
	return false
}

func (n *readyNotifications) close() { n.conn.Close() }
