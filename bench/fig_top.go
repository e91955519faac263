package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// topModules is how many modules svman runs for the svman top figure.
const topModules = 1000

// topRate is the lines a second the busy module of the svman top figure writes.
const topRate = 100_000

// figTop: svman top in a real terminal (tmux, 120x40) on svman with 1000
// modules: its CPU over period while they are idle, and how soon a key shows
// on its screen while the module whose log it follows writes 100,000 lines a
// second. svman alone: none of the peers has a live view that takes keys.
func figTop(env *benchEnv, peers []peerInfo, period time.Duration, keys int) *section {
	s := &section{
		title:  "11. svman top",
		intro:  fmt.Sprintf("`svman top` in tmux (120x40) on svman with %d modules. Idle: CPU of svman top, and of svman serving it, over %v with every module idle (`sleep`). Busy: the module whose log svman top follows writes %d lines a second; a key (`o`, sort by the next column) is sent %d times, and the time until the screen shows it is measured (tmux's `capture-pane`, every 10 ms, which bounds the figure's resolution). svman alone: the peers have no live view that takes keys.", topModules, period, topRate, keys),
		header: []string{"tool", "svman top CPU, idle", "svman CPU, idle", "key to screen, busy: median", "max", "lines/s the busy module wrote"},
	}
	for _, pi := range peers {
		if pi.p.name() != "svman" {
			continue
		}
		if pi.skip != nil {
			s.skip("svman", pi.skip)
			continue
		}
		if _, err := exec.LookPath("tmux"); err != nil {
			s.skip("svman", errors.New("tmux is not installed"))
			continue
		}
		progress("top: idle")
		topCPU, svCPU, err := measureTopIdle(env, pi.p, period)
		if err != nil {
			s.skip("svman", err)
			continue
		}
		progress("top: busy")
		lat, rate, err := measureTopKeys(env, pi.p, keys)
		if err != nil {
			s.skip("svman", err)
			continue
		}
		slices.Sort(lat)
		s.add("svman", fmt.Sprintf("%.2f%% of a core", 100*topCPU/period.Seconds()), fmt.Sprintf("%.2f%% of a core", 100*svCPU/period.Seconds()),
			fmt.Sprintf("%.1f ms", lat[len(lat)/2]), fmt.Sprintf("%.1f ms", lat[len(lat)-1]), fmt.Sprintf("%.0f", rate))
	}
	return s
}

// topSession is svman top running in a tmux server of its own.
type topSession struct {
	socket string
	pid    int // svman top's
}

// startTop runs svman top on the status directories of r in tmux, and waits
// until it shows every module.
func startTop(env *benchEnv, r *run) (*topSession, error) {
	t := &topSession{socket: fmt.Sprintf("svman-bench-%d", os.Getpid())}
	shell := fmt.Sprintf("LANG=C.UTF-8 TERM=xterm-256color exec %q top --status-dir %q", env.svman, filepath.Join(r.dir, "status"))
	if _, err := t.tmux("new-session", "-d", "-s", "top", "-x", "120", "-y", "40", shell); err != nil {
		return nil, err
	}
	want := fmt.Sprintf("svman top: %d modules", topModules)
	deadline := time.Now().Add(30 * time.Second)
	for {
		screen, err := t.tmux("capture-pane", "-p", "-t", "top")
		if err == nil && strings.Contains(screen, want) {
			break
		}
		if time.Now().After(deadline) {
			t.close()
			return nil, fmt.Errorf("svman top did not show %q within 30s: %.300s", want, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, err := t.tmux("display", "-p", "-t", "top", "#{pane_pid}")
	if err != nil {
		t.close()
		return nil, err
	}
	if t.pid, err = strconv.Atoi(strings.TrimSpace(out)); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

func (t *topSession) tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", t.socket}, args...)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("tmux %v: %v: %s", args, err, out)
	}
	return string(out), nil
}

func (t *topSession) close() { _, _ = t.tmux("kill-server") }

func measureTopIdle(env *benchEnv, p peer, period time.Duration) (top, sv float64, err error) {
	r, err := startRun(env, p, topModules, topModules, sleepArgv, nil)
	if err != nil {
		return 0, 0, err
	}
	defer r.close()
	t, err := startTop(env, r)
	if err != nil {
		return 0, 0, err
	}
	defer t.close()
	time.Sleep(settle)
	pids := r.supervisors()
	top0, sv0 := cpuSeconds([]int{t.pid}), cpuSeconds(pids)
	time.Sleep(period)
	top, sv = cpuSeconds([]int{t.pid})-top0, cpuSeconds(pids)-sv0
	_, err = r.shutdown(30 * time.Second)
	return top, sv, err
}

// measureTopKeys sends keys keys to svman top, following the log of a module
// writing topRate lines a second, and returns how long each took to show,
// and how many lines a second the module wrote meanwhile (its log file says).
func measureTopKeys(env *benchEnv, p peer, keys int) (lat []float64, rate float64, err error) {
	r, err := startRunOf(env, p, topModules, topModules, func(i, marker int) module {
		if i == 0 { // m00000: the first row, whose log svman top follows
			return module{name: moduleName(i), argv: []string{env.self, "pace", itoa(marker), itoa(topRate)}}
		}
		return module{name: moduleName(i), argv: sleepArgv(marker)}
	}, nil)
	if err != nil {
		return nil, 0, err
	}
	defer r.close()
	t, err := startTop(env, r)
	if err != nil {
		return nil, 0, err
	}
	defer t.close()
	time.Sleep(settle)
	busyDir := filepath.Join(r.dir, "status", moduleName(0))
	size0, at0 := logBytes(busyDir), time.Now()
	for range keys {
		before, err := t.tmux("capture-pane", "-p", "-t", "top")
		if err != nil {
			return nil, 0, err
		}
		header := topHeader(before)
		t0 := time.Now()
		if _, err := t.tmux("send-keys", "-t", "top", "o"); err != nil {
			return nil, 0, err
		}
		for {
			screen, err := t.tmux("capture-pane", "-p", "-t", "top")
			if err != nil {
				return nil, 0, err
			}
			if h := topHeader(screen); h != "" && h != header {
				break
			}
			if time.Since(t0) > 10*time.Second {
				return nil, 0, errors.New("a key did not show within 10s")
			}
			time.Sleep(10 * time.Millisecond)
		}
		lat = append(lat, float64(time.Since(t0).Microseconds())/1000)
		time.Sleep(100 * time.Millisecond)
	}
	// A line of the log file: its time, a space, the line and its newline.
	perLine := float64(len("2006-01-02T15:04:05.000Z") + 1 + lineWidth)
	rate = float64(logBytes(busyDir)-size0) / perLine / time.Since(at0).Seconds()
	_, err = r.shutdown(30 * time.Second)
	return lat, rate, err
}

// logBytes is the size of a module's stdout log, rotated files included (the
// busy module's rotates every few seconds).
func logBytes(dir string) int64 {
	paths, _ := filepath.Glob(filepath.Join(dir, "__stdout*"))
	var n int64
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// topHeader is the table's heading line of a screen of svman top: the sort
// column is marked in it.
func topHeader(screen string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "MODULE") && strings.Contains(l, "STATE") {
			return l
		}
	}
	return ""
}

// paceMain is the busy module of the svman top figure: it writes rate lines
// a second, in slices of 10 ms, until it is stopped.
func paceMain(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: bench pace MARKER RATE")
	}
	marker, err := strconv.Atoi(args[0])
	if err != nil {
		return err
	}
	rate, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(os.Stdout, 64<<10)
	line := emitLine(nil, marker, 0)
	tick := time.NewTicker(10 * time.Millisecond)
	for range tick.C {
		for range rate / 100 {
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return nil
}
