package proc

import (
	"errors"
	"fmt"
	"os"

	"svman/manifest"
)

// Spec is a child to start.
type Spec struct {
	Dir  string   // its working directory, which must exist
	Argv []string // Argv[0] is found as execvp would, with Env's PATH, relative to Dir
	Env  []string // its whole environment
	// Limits and Umask, if any is set, are applied by the exec wrapper (WrapperArg)
	// before the program's first instruction.
	Limits manifest.Limits
	Umask  *uint32
	// User and Group, if set, are whom the child runs as (svman must be root).
	User, Group *manifest.Credential
	// NotifyFD, if not 0, is the descriptor (3 or more) at which the child gets
	// the write end of its notification pipe: it writes a newline there once it
	// is ready, as s6's notification-fd protocol has it (notifyfd.go).
	NotifyFD int
}

// Child is a started child: its pid, which leads its own process group, the
// channel that receives its exit once, and its output pipes.
type Child struct {
	PID    int
	Exited <-chan ExitStatus
	Pipes  *Pipes
	// OutputErr, if set, says why some of the child's output is not read: the
	// child runs, but its writes to that pipe fail.
	OutputErr error
	// Notified, when Spec.NotifyFD is set (nil otherwise), is closed once the
	// child has written a newline to its notification fd (watchNotification).
	Notified <-chan struct{}
}

// Start forks spec in a new process group, its stdin /dev/null and its output
// going to out. A child that cannot be started is an error that says what is
// missing.
func (s *System) Start(spec Spec, out Output) (Child, error) {
	if len(spec.Argv) == 0 { // a manifest never gives one; a caller's bug must not panic svman
		return Child{}, errors.New("empty command")
	}
	if err := checkDir(spec.Dir); err != nil {
		return Child{}, err
	}
	path, err := resolveCommand(spec.Dir, spec.Argv[0], spec.Env)
	if err != nil {
		return Child{}, err
	}
	path, argv, err := wrap(spec.Limits, spec.Umask, path, spec.Argv)
	if err != nil {
		return Child{}, err
	}
	cred, err := credential(spec.User, spec.Group)
	if err != nil {
		return Child{}, err
	}
	if err := checkNotifyFD(spec.NotifyFD); err != nil {
		return Child{}, err
	}
	p, err := newPipes()
	if err != nil {
		return Child{}, err
	}
	var notifyR, notifyW *os.File
	if spec.NotifyFD != 0 {
		if notifyR, notifyW, err = os.Pipe(); err != nil {
			p.closeWriteEnds()
			p.closeReadEnds()
			return Child{}, fmt.Errorf("notification pipe: %w", err)
		}
	}
	pid, exited, err := s.r.Spawn(SpawnSpec{
		Path:       path,
		Argv:       argv,
		Env:        spec.Env,
		Dir:        spec.Dir,
		Files:      [3]*os.File{s.null, p.w[0], p.w[1]},
		Credential: cred,
		Notify:     notifyW,
		NotifyFD:   spec.NotifyFD,
	})
	p.closeWriteEnds()
	if notifyW != nil {
		notifyW.Close() // the child's now: end of file comes when its last holder exits
	}
	if err != nil {
		p.closeReadEnds()
		if notifyR != nil {
			notifyR.Close()
		}
		return Child{}, fmt.Errorf("exec %s: %w", path, err)
	}
	c := Child{PID: pid, Exited: exited, Pipes: p}
	if notifyR != nil {
		c.Notified = watchNotification(notifyR)
	}
	if out.Started != nil {
		out.Started(pid)
	}
	if err := p.start(s.fds, out); err != nil {
		c.OutputErr = err
	}
	return c, nil
}

// checkDir says what is wrong with dir as a child's working directory, if anything.
func checkDir(dir string) error {
	if fi, err := os.Stat(dir); err != nil {
		return fmt.Errorf("working directory %s: %w", dir, errors.Unwrap(err))
	} else if !fi.IsDir() {
		return fmt.Errorf("working directory %s is not a directory", dir)
	}
	return nil
}
