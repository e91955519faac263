package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// logSinks are the tools the log figure measures, the ones that carry module output
// somewhere (daemontools, runit and s6 need a separate logger per service), and
// where it is read back: their log files, or their stdout (a pipe the harness
// reads, or for svman's console also a regular file and a pipe a cat copies to a
// file, as `svman up > file` and `svman up | cat > file` do).
var logSinks = map[string]string{
	"svman":                  "files",
	"svman (json files)":     "files, JSON",
	"svman (console)":        "stdout",
	"svman (console > file)": "stdout > file",
	"svman (console to cat)": "stdout piped to cat > file",
	"goreman":                "stdout",
	"process-compose":        "stdout",
	"supervisord":            "files",
}

// figLogs: 4 modules write 250,000 lines each at once; the time from the start
// signal until every line has reached the tool's sink (its log files, or its
// stdout), and how many were lost or split.
func figLogs(env *benchEnv, peers []peerInfo, mods, lines, rounds int) *section {
	s := &section{
		title:  "6. Log throughput",
		intro:  fmt.Sprintf("%d modules write %d lines of %d bytes each, all at once, through 64 KiB buffered writes (so lines cross write boundaries); the time from the start signal until every line is in the sink, read back by the harness: the log files (svman: `__stdout` with timestamps; supervisord: raw files) or the tool's stdout (svman (console), goreman, process-compose: a pipe the harness reads; svman (console > file): a regular file, as `svman up > file`; svman (console to cat): a pipe that a `cat` copies into a file, as `svman up | cat > file`). A line is lost if it never arrives whole, split if it arrives in pieces or garbled; svman's console may drop lines only while a write to it makes no progress, so lost must be 0 into a file and into a pipe that is read. %d rounds. Ratio: svman's median lines/s ÷ the tool's (above 1: svman is faster); svman (console) is compared with the console tools.", mods, lines, lineWidth, rounds),
		header: []string{"tool", "sink", "lines/s (median)", "min–max", "lost", "split", "svman ÷ tool"},
	}
	s.listFor(peers)
	peers = withJSONFiles(peers)
	type result struct {
		rate        sample
		lost, split int
	}
	res := map[string]*result{}
	for _, pi := range peers {
		if logSinks[pi.p.name()] == "" {
			continue
		}
		if pi.skip != nil {
			s.skip(pi.p.name(), pi.skip)
			continue
		}
		progress("logs: %s", pi.p.name())
		r := &result{}
		var err error
		for range rounds {
			var rate float64
			var lost, split int
			if rate, lost, split, err = measureLogs(env, pi.p, mods, lines); err != nil {
				break
			}
			r.rate = append(r.rate, rate)
			r.lost, r.split = r.lost+lost, r.split+split
		}
		if err != nil {
			s.skip(pi.p.name(), err)
			continue
		}
		res[pi.p.name()] = r
	}
	for _, pi := range peers {
		r, ok := res[pi.p.name()]
		if !ok {
			continue
		}
		sink := logSinks[pi.p.name()]
		// Files are compared with files, the console with consoles.
		ref := res["svman (console)"]
		if sink == "files" || sink == logSinks[svmanJSONPeer{}.name()] {
			ref = res["svman"]
		}
		rt := "–"
		if ref != nil {
			rt = ratio(ref.rate.median(), r.rate.median())
		}
		perSec := func(v float64) string { return fmt.Sprintf("%.2f M", v/1e6) }
		s.add(pi.p.name(), sink, perSec(r.rate.median()), r.rate.spread(perSec), itoa(r.lost), itoa(r.split), rt)
	}
	s.notes = append(s.notes, "lost and split are totals over all rounds.",
		"svman (json files) is svman with `log { format = \"json\" }`, in the same run and on the same workload: each line one JSON record in `__stdout`; its ratio is the text format's lines/s ÷ the JSON format's (above 1: the text format is faster).")
	return s
}

func measureLogs(env *benchEnv, p peer, n, lines int) (rate float64, lost, split int, err error) {
	ready, err := os.MkdirTemp(env.work, "ready-")
	if err != nil {
		return 0, 0, 0, err
	}
	argv := func(marker int) []string { return []string{env.self, "emit", itoa(marker), itoa(lines), ready} }
	pr, pw, err := os.Pipe()
	if err != nil {
		return 0, 0, 0, err
	}
	defer pr.Close()
	r, err := startRun(env, p, n, n, argv, pw)
	pw.Close()
	if err != nil {
		return 0, 0, 0, err
	}
	defer r.close()
	snk := &sink{done: make(chan struct{})}
	stop := make(chan struct{})
	defer close(stop)
	if r.logFiles == "" {
		go snk.readConsole(pr, n*lines*(lineWidth+80)) // room for each tool's prefix
	} else {
		go func() { _, _ = io.Copy(io.Discard, pr) }()
		if err := snk.watchFiles(r.logFiles, stop); err != nil {
			return 0, 0, 0, err
		}
	}
	// Every emitter is waiting for its signal once its ready file exists.
	deadline := time.Now().Add(30 * time.Second)
	for {
		names, _ := filepath.Glob(filepath.Join(ready, "ready.*"))
		if len(names) == n {
			break
		}
		if time.Now().After(deadline) {
			return 0, 0, 0, fmt.Errorf("only %d of %d emitters were ready after 30 s", len(names), n)
		}
		time.Sleep(5 * time.Millisecond) // setup, not a measurement
	}
	t0 := monotonicNow()
	for i := range n {
		pid, _ := r.t.current(i)
		if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
			return 0, 0, 0, err
		}
	}
	snk.quiet(3 * time.Second)
	last := snk.last.Load()
	c := newLineCounter(r.t.base, n, lines)
	if r.logFiles == "" {
		// The console ends when the tool exits: stop it, then check.
		r.cleanup()
		<-snk.done
		c.countLines(snk.console)
	} else {
		names, _ := filepath.Glob(r.logFiles)
		for _, name := range names {
			data, err := os.ReadFile(name)
			if err != nil {
				return 0, 0, 0, err
			}
			c.countLines(data)
		}
	}
	whole, bad := c.result()
	if whole == 0 {
		return 0, n * lines, bad, fmt.Errorf("no line reached the sink")
	}
	return float64(whole) / (float64(last-t0) / 1e9), n*lines - whole, bad, nil
}

// lineCounter checks every line that reaches a sink against what the emitters
// wrote, once the sink is complete.
type lineCounter struct {
	base, n, lines int
	tail           []byte // what follows "seq=NNNNNNN" in every line, newline excluded

	seen  [][]bool
	whole int // distinct lines that arrived whole
	bad   int // lines that arrived split or garbled
}

func newLineCounter(base, n, lines int) *lineCounter {
	sample := emitLine(nil, base, 0)
	i := bytes.Index(sample, []byte(" seq=")) + len(" seq=0000000")
	c := &lineCounter{base: base, n: n, lines: lines, tail: sample[i : len(sample)-1], seen: make([][]bool, n)}
	for i := range c.seen {
		c.seen[i] = make([]bool, lines)
	}
	return c
}

var linePrefix = []byte("L m=")

// check takes one line as the sink holds it (a prefix the tool adds, then the
// emitter's line) and says which module and line it is, if it is whole.
func (c *lineCounter) check(line []byte) (m, seq int, ok bool) {
	i := bytes.Index(line, linePrefix)
	if i < 0 {
		return 0, 0, false
	}
	rest := bytes.TrimRight(line[i+len(linePrefix):], "\r\n")
	// Some consoles add a color reset after the line; a JSON record ends its
	// string and itself.
	rest = bytes.TrimSuffix(rest, []byte("\x1b[0m"))
	rest = bytes.TrimSuffix(rest, []byte(`"}`))
	marker, rest, ok1 := digits(rest, 7)
	if !ok1 || !bytes.HasPrefix(rest, []byte(" seq=")) {
		return 0, 0, false
	}
	seq, rest, ok2 := digits(rest[len(" seq="):], 7)
	m = marker - c.base
	if !ok2 || m < 0 || m >= c.n || seq >= c.lines || !bytes.Equal(rest, c.tail) {
		return 0, 0, false
	}
	return m, seq, true
}

// digits reads a number of exactly n digits.
func digits(b []byte, n int) (int, []byte, bool) {
	if len(b) < n {
		return 0, b, false
	}
	v := 0
	for _, d := range b[:n] {
		if d < '0' || d > '9' {
			return 0, b, false
		}
		v = v*10 + int(d-'0')
	}
	return v, b[n:], true
}

// line counts one line from the sink.
func (c *lineCounter) line(b []byte) {
	m, seq, ok := c.check(b)
	switch {
	case !ok:
		if bytes.Contains(b, []byte("seq=")) || bytes.Contains(b, []byte(emitFill[:12])) {
			c.bad++
		}
	case !c.seen[m][seq]:
		c.seen[m][seq] = true
		c.whole++
	}
}

// countLines feeds every whole line of data to the counter.
func (c *lineCounter) countLines(data []byte) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			c.line(data)
			return
		}
		c.line(data[:i+1])
		data = data[i+1:]
	}
}

// sink gathers what reaches a tool's sink while the emitters write, doing as
// little as it can then (the harness shares the machine with what it measures):
// it only records when the sink last grew. The lines are checked afterwards.
type sink struct {
	last    atomic.Int64 // when the sink last grew (monotonic ns)
	grown   atomic.Int64 // bytes seen so far
	console []byte       // a console sink's bytes, once read to the end
	done    chan struct{}
}

// readConsole reads a console stream to its end, into a buffer of room bytes
// allocated up front: growing it while the tool writes would stall the reader
// (a copy, a collection) and make the tool look like a slow console.
func (s *sink) readConsole(r io.Reader, room int) {
	defer close(s.done)
	buf := make([]byte, 0, room)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		if n > 0 {
			buf = buf[:len(buf)+n]
			s.last.Store(monotonicNow())
			s.grown.Add(int64(n))
		}
		if err != nil {
			s.console = buf
			return
		}
	}
}

// watchFiles notes when any file matching glob grows, through inotify on their
// folders, until stop.
func (s *sink) watchFiles(glob string, stop <-chan struct{}) error {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return err
	}
	dirs, _ := filepath.Glob(filepath.Dir(glob))
	for _, d := range dirs {
		if _, err := unix.InotifyAddWatch(fd, d, unix.IN_MODIFY|unix.IN_CREATE); err != nil {
			unix.Close(fd)
			return err
		}
	}
	go func() {
		defer close(s.done)
		defer unix.Close(fd)
		buf := make([]byte, 64<<10)
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for {
			select {
			case <-stop:
				return
			default:
			}
			if n, _ := unix.Poll(fds, 100); n <= 0 {
				continue
			}
			if n, _ := unix.Read(fd, buf); n > 0 {
				s.last.Store(monotonicNow())
				s.grown.Add(int64(n))
			}
		}
	}()
	return nil
}

// quiet waits until the sink has not grown for stall.
func (s *sink) quiet(stall time.Duration) {
	for {
		before := s.grown.Load()
		select {
		case <-s.done:
			return
		case <-time.After(stall):
			if s.grown.Load() == before {
				return
			}
		}
	}
}

func (c *lineCounter) result() (whole, bad int) {
	return c.whole, c.bad
}

// svmanJSONPeer is svman writing its log files in the JSON format, measured in
// the log figure beside the text format.
type svmanJSONPeer struct{ svmanPeer }

func (svmanJSONPeer) name() string { return "svman (json files)" }

// jsonLogs is the block that makes every module's log files JSON.
const jsonLogs = "defaults {\n  log { format = \"json\" }\n}\n"

func (p svmanJSONPeer) configure(env *benchEnv, dir string, mods []module) (*launch, error) {
	l, err := p.svmanPeer.configure(env, dir, mods)
	if err != nil {
		return nil, err
	}
	manifest := filepath.Join(dir, "supervise.hcl")
	write := func(mods []module) error {
		tmp := manifest + ".new"
		if err := os.WriteFile(tmp, []byte(jsonLogs+manifestText(mods)), 0o644); err != nil {
			return err
		}
		return os.Rename(tmp, manifest)
	}
	if err := write(mods); err != nil {
		return nil, err
	}
	l.update = write
	return l, nil
}

// withJSONFiles adds svmanJSONPeer after svman (its files), as svman is.
func withJSONFiles(peers []peerInfo) []peerInfo {
	var out []peerInfo
	for _, pi := range peers {
		out = append(out, pi)
		if sp, ok := pi.p.(svmanPeer); ok && sp.console == "" {
			out = append(out, peerInfo{p: svmanJSONPeer{sp}, version: pi.version, skip: pi.skip})
		}
	}
	return out
}
