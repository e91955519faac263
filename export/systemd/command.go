package systemd

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"svman/manifest"
)

// program is the program svman runs for argv: argv[0], or, when it is a
// path relative to the module's directory, that path made absolute, which
// an Exec*= line needs. A name without "/" is looked up as svman does (see
// searchDirs).
func program(mod manifest.Module, argv []string) string {
	p := argv[0]
	if strings.Contains(p, "/") && !filepath.IsAbs(p) {
		return filepath.Join(mod.Dir, p)
	}
	return p
}

// command writes ExecStart=, the module's command, with argv[0] as svman
// passes it, and ExecSearchPath= where svman would look a program up in
// another PATH than systemd's own.
func (x *exporter) command(u *unit, mod manifest.Module) {
	line, ok := execLine("", program(mod, mod.Command), mod.Command)
	if !ok {
		x.notes.Lost(mod, "command", "Program systemd cannot run",
			"systemd refuses a program whose path holds a quote, a backslash or a control character, or whose name without a \"/\" starts with one of @ - : + ! (which it reads as flags): the unit has no ExecStart= and systemd will not load it. Rename the program, or run it through a shell (command as a string).")
	} else {
		u.service.set("ExecStart", line)
	}
	dirs := searchDirs(mod)
	if dirs == nil {
		return
	}
	if v, ok := searchPath(dirs); ok {
		u.service.set("ExecSearchPath", v)
	} else {
		x.notes.Lost(mod, "env", "PATH not usable to find the program",
			"The module's PATH holds a directory that ExecSearchPath= cannot hold (with a \":\", not UTF-8, or with a blank at an end), so systemd looks the program up in its own search path instead. Write the program's absolute path in command.")
	}
}

// searchDirs are the directories, absolute, where svman would look up the
// module's program or its on_exit's when one is a name without "/": its
// PATH when env sets one, or env_clear's; nil when no program needs a
// lookup, or when the PATH is svman's own, which systemd's default search
// path stands for.
func searchDirs(mod manifest.Module) []string {
	bare := !strings.Contains(mod.Command[0], "/") || len(mod.OnExit) > 0 && !strings.Contains(mod.OnExit[0], "/")
	path, set := mod.Env["PATH"]
	if !set && mod.EnvClear {
		path, set = manifest.DefaultPath, true
	}
	if !bare || !set {
		return nil
	}
	var dirs []string
	for _, d := range filepath.SplitList(path) {
		if d == "" {
			d = "."
		}
		if !filepath.IsAbs(d) {
			d = filepath.Join(mod.Dir, d)
		}
		dirs = append(dirs, d)
	}
	return dirs
}

// onExit writes on_exit as ExecStopPost=, which systemd runs after every
// stop of the unit, with its failure ignored ("-") as svman ignores a
// hook's.
func (x *exporter) onExit(u *unit, mod manifest.Module) {
	if len(mod.OnExit) == 0 {
		return
	}
	line, ok := execLine("-", program(mod, mod.OnExit), mod.OnExit)
	if !ok {
		x.notes.Lost(mod, "on_exit", "on_exit not exported",
			"systemd refuses a program whose path holds a quote, a backslash or a control character, or whose name without a \"/\" starts with one of @ - : + !: the unit runs no hook. Rename the program.")
		return
	}
	u.service.set("ExecStopPost", line)
	x.notes.Lost(mod, "on_exit", "on_exit runs after every stop",
		"ExecStopPost= runs the hook after every stop of the unit, one asked for (systemctl stop, restart) included, not only after an unexpected exit; it gets systemd's $SERVICE_RESULT, $EXIT_CODE and $EXIT_STATUS instead of the SVMAN_* alarm facts, and not the number of exits in the alarm window as its last argument. A hook that should act only on a failure can test $SERVICE_RESULT, which is \"success\" for a stop asked for.")
}

// environment writes the module's directory, environment, credentials,
// umask and limits.
func (x *exporter) environment(u *unit, mod manifest.Module) {
	if dir, ok := pathValue(mod.Dir); ok {
		u.service.set("WorkingDirectory", dir)
	} else {
		x.notes.Lost(mod, "dir", "Directory systemd cannot read",
			"The directory's path holds a character systemd cannot read back in WorkingDirectory= (a control character, a blank at an end, or a final backslash), so the unit runs in /. Rename the directory.")
	}
	env := maps.Clone(mod.Env)
	if env == nil {
		env = map[string]string{}
	}
	if _, set := env["PATH"]; !set && mod.EnvClear {
		env["PATH"] = manifest.DefaultPath
	}
	// svman marks its children with SVMAN_MODULE and SVMAN_STATUS_DIR; only
	// the name is kept: svman up takes any process that carries its status
	// directory for a leftover of its own, which a unit's processes are not.
	env["SVMAN_MODULE"] = mod.Name
	for _, k := range slices.Sorted(maps.Keys(env)) {
		if a, ok := envAssignment(k, env[k]); ok {
			u.service.set("Environment", a)
			continue
		}
		site := "env"
		if !x.notes.Written(mod, "env") {
			site = "env_file"
		}
		x.notes.Lost(mod, site, "Environment variable not exported",
			fmt.Sprintf("systemd refuses the variable %s (a name must be letters, digits and \"_\", not starting with a digit; a value must be UTF-8): the module runs without it.", strconv.Quote(k)))
	}
	x.notes.SecretsCopied(mod, "unit", "Every local user can read it (systemctl show too). Give it to the module through LoadCredential= or an EnvironmentFile= only root may read, added by a drop-in.",
		"command", "env", "on_exit", "dir", "user", "group")
	switch {
	case x.notes.Written(mod, "env_file"):
		x.notes.KeepPrivate()
		x.notes.Lost(mod, "env_file", "Env files copied into the unit", envFilesCopied)
	case manifest.IsProcfile(x.m.Path) && len(mod.Env) > 0:
		// A Procfile's .env, which no env_file names: said once, at the
		// first process.
		x.notes.KeepPrivate()
		x.notes.Lost(x.m.Modules[0], "env", "Env files copied into the unit", envFilesCopied)
	}
	x.credentials(u, mod)
	if mod.Umask != nil {
		u.service.set("UMask", fmt.Sprintf("%04o", *mod.Umask))
	}
	for _, l := range []struct {
		key string
		v   *uint64
	}{{"LimitCORE", mod.Limits.Core}, {"LimitNOFILE", mod.Limits.NoFile}, {"LimitNPROC", mod.Limits.NProc}, {"LimitMEMLOCK", mod.Limits.MemLock}} {
		switch {
		case l.v == nil:
		case *l.v == manifest.Unlimited:
			u.service.set(l.key, "infinity")
		default:
			u.service.set(l.key, strconv.FormatUint(*l.v, 10))
		}
	}
}

// credentials writes User= and Group=, which the user's service manager
// cannot switch to.
func (x *exporter) credentials(u *unit, mod manifest.Module) {
	for _, c := range []struct {
		field, key string
		cred       *manifest.Credential
	}{{"user", "User", mod.User}, {"group", "Group", mod.Group}} {
		switch {
		case c.cred == nil:
		case x.o.User:
			x.notes.Lost(mod, c.field, "No "+c.field+" in a user unit",
				"The user's service manager (systemctl --user) runs every unit as that user and cannot switch to another: the unit has no "+c.key+"= and the module runs as the user who starts it. Export without --user, for the system's manager, to keep it.")
		default:
			u.service.set(c.key, specifiers(c.cred.Name))
			if c.field == "user" && c.cred.Name == "nobody" {
				x.notes.Lost(mod, c.field, "The nobody user in a unit",
					"systemd warns that User=nobody is not safe (systemd-analyze verify says so): every program run as nobody shares that user, and whatever owns a file owns it for all of them. Give the module a user of its own, or DynamicUser=yes in a drop-in.")
			}
		}
	}
}

// envFilesCopied is the note on env files, whose variables the units hold.
const envFilesCopied = "The env files' variables are written into the unit as Environment= lines, exactly as svman gives them to the module (systemd's EnvironmentFile= would read quotes and ${NAME} otherwise); a ${NAME} that came from svman's own environment was taken from svman export's. Editing an env file therefore needs svman export again (svman up re-reads it at once), and the values, secrets included, are in the unit file, which every local user can read (systemctl show too)."
