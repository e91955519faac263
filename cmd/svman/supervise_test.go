package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"svman/internal/testkit"
	"svman/statusfs"
)

// legacyWorld is a temporary directory with the test binary installed as
// ./supervise (a symlink, as `ln -s svman supervise` does) and on PATH, where the
// legacy scripts run as written. Every supervisor started in it is stopped, and
// its module with it, when the test ends.
type legacyWorld struct {
	t   *testing.T
	dir string
	env []string
}

func newLegacyWorld(t *testing.T) *legacyWorld {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	w := &legacyWorld{t: t, dir: t.TempDir()}
	if err := os.Symlink(exe, filepath.Join(w.dir, superviseName)); err != nil {
		t.Fatal(err)
	}
	// ./supervise is svman by its name, as TestMain runs it: no role in the
	// environment, so that a module may be a role by its name on PATH.
	w.env = append(os.Environ(), "NO_COLOR=1", "PATH="+w.dir+":"+os.Getenv("PATH"))
	t.Cleanup(w.stopAll)
	return w
}

// sh runs script with /bin/sh in the world's directory and returns its exit
// code, stdout and stderr.
func (w *legacyWorld) sh(script string) (int, string, string) {
	w.t.Helper()
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Dir, cmd.Env = w.dir, w.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// WaitDelay: a detached supervisor holding our pipes would hang Wait; it must not.
	cmd.WaitDelay = testkit.Deadline
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		w.t.Fatalf("%s: %v", script, err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// mustSh runs script and fails the test unless it exits 0; it returns stdout.
func (w *legacyWorld) mustSh(script string) string {
	w.t.Helper()
	code, out, errOut := w.sh(script)
	if code != 0 {
		w.t.Fatalf("%s: exit %d\nstdout: %s\nstderr: %s", script, code, out, errOut)
	}
	return out
}

// shPID runs a script that prints a pid, and waits until it prints a live one
// other than not.
func (w *legacyWorld) shPID(script string, not int) int {
	w.t.Helper()
	var pid int
	testkit.WaitFor(w.t, fmt.Sprintf("%q to give a live pid other than %d", script, not), func() bool {
		_, out, _ := w.sh(script)
		pid, _ = strconv.Atoi(strings.TrimSpace(out))
		return pid > 0 && pid != not && pidAlive(pid)
	})
	return pid
}

// supervisor returns the pid of the process holding the status directory's lock.
func (w *legacyWorld) supervisor(rel string) (int, bool) {
	return statusfs.LockHolder(filepath.Join(w.dir, rel))
}

// waitGone waits until pid has exited.
func (w *legacyWorld) waitGone(what string, pid int) {
	w.t.Helper()
	testkit.WaitFor(w.t, what+" (pid "+strconv.Itoa(pid)+") to exit", func() bool { return !pidAlive(pid) })
}

// stopAll ends every supervisor that still holds a status directory of the
// world (TERM stops its module too), and kills any module left behind.
func (w *legacyWorld) stopAll() {
	dirs, _ := filepath.Glob(filepath.Join(w.dir, "*", "*"))
	stopSupervisorsOf(dirs, func(int, string) {}, func(what string) { w.t.Error(what) })
}

// cmdline is /proc/PID/cmdline as words.
func cmdline(t *testing.T, pid int) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
}

// The usage examples of the legacy notes, run as written: start detached, read the
// pid from status with od, find the supervisor as its parent, restart with k, stop
// with d, end with x. A second supervise on the same directory fails with 111.
func TestSuperviseLegacyExamples(t *testing.T) {
	w := newLegacyWorld(t)
	const start = `CMD="sleep 100000"; mkdir -p ./status/app; ./supervise -p ./status/app -f "$CMD"`
	w.mustSh(start) // returns at once: the supervisor detached

	const readPID = `od -d --skip-bytes=16 ./status/app/status | awk '{print $2}'`
	pid := w.shPID(readPID, 0)
	svPID, _ := strconv.Atoi(strings.TrimSpace(w.mustSh(`pid=$(` + readPID + `); grep PPid /proc/$pid/status | awk '{print $2}'`)))
	if holder, ok := w.supervisor("status/app"); !ok || holder != svPID {
		t.Fatalf("lock held by %d (%v), want the module's parent %d", holder, ok, svPID)
	}
	exe, _ := os.Executable()
	if got, err := os.Readlink("/proc/" + strconv.Itoa(svPID) + "/exe"); err != nil || got != exe {
		t.Fatalf("supervisor %d runs %q (%v), want %s", svPID, got, err, exe)
	}
	if got, want := cmdline(t, svPID), []string{"./supervise", "-p", "./status/app", "-f", "sleep 100000"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ps shows the supervisor as %q, want the command line as typed %q", got, want)
	}
	if got, want := cmdline(t, pid), []string{"sleep", "100000"}; !reflect.DeepEqual(got, want) {
		t.Errorf("module runs %q, want %q", got, want)
	}
	if sid, _ := unix.Getsid(svPID); sid != svPID {
		t.Errorf("supervisor %d is in session %d, want its own (daemon(1,0))", svPID, sid)
	}

	code, out, errOut := w.runIn("status", "--status-dir", filepath.Join(w.dir, "status"))
	if code != 0 || !regexp.MustCompile(`(?m)^app\s+up\s+up\s+`+strconv.Itoa(pid)+`\s`).MatchString(out) {
		t.Errorf("svman status = %d, want app up with pid %d:\n%s%s", code, pid, out, errOut)
	}

	// A second supervisor is refused where the caller sees it; the first goes on.
	code, _, errOut = w.sh(start)
	if code != exitLegacyLocked || !strings.Contains(errOut, "Unable to acquier ./status/app/lock") {
		t.Errorf("second supervise = %d %q, want 111 and the legacy message", code, errOut)
	}
	if !pidAlive(svPID) || !pidAlive(pid) {
		t.Fatalf("the second supervise disturbed the first (supervisor alive %v, module alive %v)", pidAlive(svPID), pidAlive(pid))
	}

	w.mustSh(`echo k > ./status/app/control`)
	pid2 := w.shPID(readPID, pid)
	if ppid := w.shPID(`grep PPid /proc/`+strconv.Itoa(pid2)+`/status | awk '{print $2}'`, 0); ppid != svPID {
		t.Errorf("the restarted module's parent is %d, want the supervisor %d", ppid, svPID)
	}

	w.mustSh(`echo d > ./status/app/control`)
	w.waitGone("the module after d", pid2)
	testkit.WaitFor(t, "status to say down", func() bool {
		_, out, _ := w.sh(readPID)
		return strings.TrimSpace(out) == "0"
	})
	w.mustSh(`echo x > ./status/app/control`)
	w.waitGone("the supervisor after x", svPID)
	if statusfs.Supervised(filepath.Join(w.dir, "status/app")) {
		t.Error("ok still answers after the supervisor exited")
	}
	if holder, ok := w.supervisor("status/app"); ok {
		t.Errorf("lock still held by %d after x", holder)
	}
}

// runIn runs svman in-process with args, from any directory (status and ctl take
// absolute paths here).
func (w *legacyWorld) runIn(args ...string) (int, string, string) {
	p := &project{t: w.t, dir: w.dir}
	return p.runArgs(args...)
}

func TestParseSuperviseArgs(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		name    string
		section string
		command []string
	}{
		{[]string{"-p", "./status/app", "-f", " sleep\t 100 "}, "app", "app", []string{"sleep", "100"}},
		{[]string{"-p./status/app//", "-fsleep 1"}, "app", "app", []string{"sleep", "1"}},
		{[]string{"-F", "x.conf", "-u", "status/app", "sh", "-c", "echo a  b", "-p"}, "app", "app", []string{"sh", "-c", "echo a  b", "-p"}},
		{[]string{"-p", "status/app", "sleep", "1"}, "app", "app", []string{"sleep", "1"}},
		// The seeds' layout: the legacy tool finds "status/" anywhere (strstr).
		{[]string{"-p", "infra/supervise_status/centauri", "-f", "bin/centauri"}, "centauri", "centauri", []string{"bin/centauri"}},
		{[]string{"-p", "status/product/app", "-f", "a"}, "app", "product/app", []string{"a"}},
		{[]string{"--foreground", "-u", "status/app", "--foreground"}, "app", "app", []string{"--foreground"}},
	} {
		a, err := parseSuperviseArgs(tc.args)
		if err != nil || a.target.name != tc.name || a.target.section != tc.section || !reflect.DeepEqual(a.command, tc.command) {
			t.Errorf("parseSuperviseArgs(%q) = %+v, %v; want name %q section %q command %q", tc.args, a, err, tc.name, tc.section, tc.command)
		}
	}
}

// --foreground stays attached and prints the module's output; SIGHUP is ignored,
// `r` re-reads supervise.conf and applies its alarm policy in place, and TERM stops
// the module and exits 0.
func TestSuperviseForegroundAndConf(t *testing.T) {
	w := newLegacyWorld(t)
	conf := filepath.Join(w.dir, "my.conf")
	write := func(s string) {
		if err := os.WriteFile(conf, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("[global]\nalarm_interval : 120\nmax_tries : 7\nalarm_gsm : 13900000000\n[app]\nalarm_mail : ops@example.com\n")
	out := &syncBuffer{}
	cmd := exec.Command(filepath.Join(w.dir, superviseName), "--foreground", "-F", "my.conf", "-u", "status/app", "sleeper")
	cmd.Dir, cmd.Env = w.dir, w.env
	cmd.Stdout, cmd.Stderr = out, out
	sv := runSvman(t, cmd, out, nil)
	sv.waitOutput(`app\s+\| ready pid=`)
	dir := filepath.Join(w.dir, "status", "app")
	pid := w.shPID(`od -An -j16 -N4 -tu4 status/app/status`, 0)
	applied, err := statusfs.ReadApplied(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a := applied.Alarm; a.Interval != 120*time.Second || a.MaxTries != 7 || a.MaxTriesIfCoredumped != 5 || !reflect.DeepEqual(a.Mail, []string{"ops@example.com"}) {
		t.Errorf("alarm policy %+v, want [global] with [app]'s mail", a)
	}
	if wf, _ := os.ReadFile(filepath.Join(dir, "supervise.log.wf")); !strings.Contains(string(wf), "alarm_gsm 13900000000: not sent") {
		t.Errorf("supervise.log.wf does not warn about the gsm numbers:\n%s", wf)
	}

	sv.cmd.Process.Signal(syscall.SIGHUP)
	sv.waitOutput(`SIGHUP ignored`)

	write("[global]\nalarm_interval : 300\n")
	w.mustSh(`echo r > status/app/control`)
	testkit.WaitFor(t, "the new alarm policy to be applied", func() bool {
		m, err := statusfs.ReadApplied(dir)
		return err == nil && m.Alarm.Interval == 300*time.Second && m.Alarm.MaxTries == 20 && m.Alarm.Mail == nil
	})
	if st, _ := statusfs.ReadStatus(dir); st.PID != pid || !pidAlive(pid) {
		t.Errorf("the reload restarted the module: pid %d, was %d", st.PID, pid)
	}

	if code := sv.stop(); code != 0 {
		t.Errorf("supervise exited %d on SIGTERM, want 0; output:\n%s", code, sv.out)
	}
	w.waitGone("the module after SIGTERM", pid)
}
