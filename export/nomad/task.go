package nomad

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"svman/export"
	"svman/manifest"
)

// Task drivers.
const (
	driverRawExec = "raw_exec"
	driverExec    = "exec"
)

// taskDir is where an artifact is unpacked, and what stands for the
// module's dir when it has one: the task's local/ directory, which Nomad
// names NOMAD_TASK_DIR (an absolute path on the client for raw_exec,
// /local in exec's chroot).
const (
	taskDir     = "${NOMAD_TASK_DIR}"
	artifactDir = "local/"
)

// chrootDirs are the client directories Nomad copies into an exec task's
// chroot by default (the client's chroot_env).
var chrootDirs = []string{"/bin", "/etc", "/lib", "/lib32", "/lib64", "/run/resolvconf", "/sbin", "/usr"}

// taskOf is module mod as a task: its command run by the export's driver,
// its environment, user, stop signal and timeout, restart block and log
// rotation, and (for the module of a group, main) the services that carry
// its checks. Its notes go to n.
func (e *exporter) taskOf(mod manifest.Module, pp portPlan, main bool, n *export.Notes) *Task {
	t := &Task{
		Name:          mod.Name,
		Driver:        e.o.Driver,
		Config:        e.configOf(mod, n),
		Env:           envOf(mod),
		RestartPolicy: new(restartOf(mod)),
		KillTimeout:   int64(mod.StopTimeout),
		KillSignal:    manifest.SignalName(mod.StopSignal),
		LogConfig:     &LogConfig{MaxFiles: mod.Log.Keep + 1, MaxFileSizeMB: mebibytes(mod.Log.MaxSize)},
	}
	if mod.User != nil {
		t.User = mod.User.Name
	}
	if url := e.artifact(mod); url != "" {
		t.Artifacts = []*TaskArtifact{{GetterSource: url, RelativeDest: artifactDir}}
	}
	if main {
		t.Services = servicesOf(mod, pp, serviceName(e.o.Project+"-"+mod.Block()))
	}
	moduleNotes(mod, main, e.o.Project, n)
	if manifest.IsProcfile(e.m.Path) && len(mod.Env) > 0 {
		// A Procfile's .env is an env file no env_file names.
		n.KeepPrivate()
		n.Lost(e.m.Modules[0], "env", "Env files written into the job", envFilesWritten)
	}
	return t
}

// artifact is the URL of mod's --artifact, given by its name or its
// block's; "" without one.
func (e *exporter) artifact(mod manifest.Module) string {
	if url := e.o.Artifacts[mod.Name]; url != "" {
		return url
	}
	if mod.InstanceOf != "" {
		return e.o.Artifacts[mod.InstanceOf]
	}
	return ""
}

// configOf is the driver's config of mod. A program path relative to dir
// is made absolute as svman resolves it (Nomad would start it in the task
// directory); a bare name is left for the client's PATH. raw_exec starts
// the task in dir (work_dir); exec cannot reach dir from its chroot and
// starts it in its task directory. With an artifact, the artifact holds
// dir: a program under dir is run from the task's local/ directory, which
// is also where the task starts.
func (e *exporter) configOf(mod manifest.Module, n *export.Notes) TaskConfig {
	prog := mod.Command[0]
	abs := prog
	if strings.Contains(prog, "/") && !filepath.IsAbs(prog) {
		abs = filepath.Join(mod.Dir, prog)
	}
	c := TaskConfig{Command: abs, Args: slices.Clone(mod.Command[1:])}
	if e.artifact(mod) != "" {
		c.WorkDir = taskDir
		if rel, err := filepath.Rel(mod.Dir, abs); err == nil && strings.Contains(prog, "/") && !strings.HasPrefix(rel, "..") {
			c.Command = taskDir + "/" + filepath.ToSlash(rel)
		}
		return c
	}
	name := mod.Block()
	switch {
	case e.o.Driver == driverRawExec:
		c.WorkDir = mod.Dir
		e.onDisk = append(e.onDisk, onDisk{mod, mod.Dir, abs})
	case filepath.IsAbs(abs) && !underAny(abs, chrootDirs):
		n.Lost(mod, "command", "Program outside the exec driver's chroot",
			"The exec driver runs "+name+" in a chroot of its task directory, which holds the client's "+strings.Join(chrootDirs, ", ")+" and no more: "+shown(mod, "command", abs, "its program", n)+" is not there. "+
				"Give --artifact "+name+"=URL with the module's directory (the program at the same place under it), or export with --driver raw_exec.")
	}
	if e.o.Driver == driverExec && n.Written(mod, "dir") {
		n.Lost(mod, "dir", "Working directory not exported",
			"The exec driver cannot reach "+shown(mod, "dir", mod.Dir, "its dir", n)+" from its chroot: "+name+" starts in its task directory. Give --artifact "+name+"=URL with the directory's files (the task then starts among them), or export with --driver raw_exec, which starts it in its dir.")
	}
	return c
}

// onDisk is what a raw_exec task without an artifact runs from its
// client's disk: its directory and program.
type onDisk struct {
	mod       manifest.Module
	dir, prog string
}

// diskNote says once, at the first such module, which paths every client
// needs: raw_exec tasks without artifacts run what is on the client.
func (e *exporter) diskNote() {
	if len(e.onDisk) == 0 {
		return
	}
	var paths []string
	for _, d := range e.onDisk {
		paths = append(paths, shown(d.mod, "dir", d.dir, d.mod.Block()+"'s dir", e.notes))
		if filepath.IsAbs(d.prog) && !underAny(d.prog, chrootDirs) && !underAny(d.prog, []string{d.dir}) {
			paths = append(paths, shown(d.mod, "command", d.prog, d.mod.Block()+"'s program", e.notes))
		}
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	e.notes.Require(e.onDisk[0].mod, "command", "Programs must be on every client",
		"raw_exec runs what the client's own disk holds, and each task starts in its module's dir: every client of the job's datacenters needs "+strings.Join(paths, ", ")+
			" as on this machine. Install them there, or give --artifact MODULE=URL for a module: its task then downloads its directory.")
}

// underAny reports whether path is one of dirs or under one of them.
func underAny(path string, dirs []string) bool {
	return slices.ContainsFunc(dirs, func(d string) bool {
		return path == d || strings.HasPrefix(path, strings.TrimSuffix(d, "/")+"/")
	})
}

// envOf is mod's environment as Nomad sets it on top of the client's:
// the manifest's variables (its env files' included) and SVMAN_MODULE. No
// SVMAN_STATUS_DIR: there is no status directory.
func envOf(mod manifest.Module) map[string]string {
	env := maps.Clone(mod.Env)
	if env == nil {
		env = map[string]string{}
	}
	env["SVMAN_MODULE"] = mod.Name
	return env
}

// mebibytes is size in Nomad's MB, which are MiB, rounded up.
func mebibytes(size int64) int {
	return int((size + mib - 1) / mib)
}

const mib = 1 << 20
