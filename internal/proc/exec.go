package proc

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
)

// ExecError is why Exec did not become the program. Code is the exit code a
// shell gives for it: 127 when the program is not found, 126 when it is found
// but cannot be run, 1 when the process could not be set up to run it (its
// working directory, its user or group).
type ExecError struct {
	Code int
	Err  error
}

func (e *ExecError) Error() string { return e.Err.Error() }
func (e *ExecError) Unwrap() error { return e.Err }

// Exec replaces this process with spec's program, set up as Start sets up a
// child: the program found as Start finds it, run as spec's user and group, in
// spec.Dir, with spec's limits and umask, and exactly spec.Env. The process
// keeps its pid, its process group, its controlling terminal and its stdin,
// stdout and stderr; its descriptors marked close-on-exec close. The steps come
// in the order a child of Start takes them, so that both run alike: the user
// and group are switched first (setgroups, setgid, setuid), then the directory
// is entered as that user, then the limits (lowered to the hard limit with a
// warning, as the exec wrapper does) and the umask are set.
//
// It returns only when it fails, with an *ExecError; the process may then
// have switched user or directory already, so the caller's only course is to
// exit. spec.NotifyFD must be 0: there is no supervisor to notify.
func Exec(spec Spec) error {
	if len(spec.Argv) == 0 {
		return &ExecError{1, errors.New("empty command")}
	}
	if spec.NotifyFD != 0 {
		return &ExecError{1, errors.New("a notification fd needs a supervisor to read it")}
	}
	if err := checkDir(spec.Dir); err != nil {
		return &ExecError{1, err}
	}
	path, err := resolveCommand(spec.Dir, spec.Argv[0], spec.Env)
	if err != nil {
		code := 126
		if errors.Is(err, ErrCommandNotFound) || errors.Is(err, fs.ErrNotExist) {
			code = 127
		}
		return &ExecError{code, err}
	}
	cred, err := credential(spec.User, spec.Group)
	if err != nil {
		return &ExecError{1, err}
	}
	if err := switchCredential(cred); err != nil {
		return &ExecError{1, err}
	}
	if err := syscall.Chdir(spec.Dir); err != nil {
		return &ExecError{1, fmt.Errorf("working directory %s: %w", spec.Dir, err)}
	}
	setLimits(spec.Limits)
	if spec.Umask != nil {
		syscall.Umask(int(*spec.Umask))
	}
	err = syscall.Exec(path, spec.Argv, spec.Env)
	if errors.Is(err, syscall.ENOENT) { // the file is there: what it names to run it is not
		err = fmt.Errorf("%w (the interpreter on its #! line, or its ELF loader, is missing)", err)
	}
	return &ExecError{126, fmt.Errorf("exec %s: %w", path, err)}
}

// switchCredential makes this process (every thread of it) run as c, as a child
// forked with c would: its supplementary groups, then its group, then its user.
// A nil c changes nothing.
func switchCredential(c *syscall.Credential) error {
	if c == nil {
		return nil
	}
	if !c.NoSetGroups {
		groups := make([]int, len(c.Groups))
		for i, g := range c.Groups {
			groups[i] = int(g)
		}
		if err := syscall.Setgroups(groups); err != nil {
			return fmt.Errorf("setting the supplementary groups %v: %w", c.Groups, err)
		}
	}
	if err := syscall.Setgid(int(c.Gid)); err != nil {
		return fmt.Errorf("switching to group %d: %w", c.Gid, err)
	}
	if err := syscall.Setuid(int(c.Uid)); err != nil {
		return fmt.Errorf("switching to user %d: %w", c.Uid, err)
	}
	return nil
}
