package manifest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Built-in defaults, applied after merging the defaults block into a module.
const (
	defaultStopSignal    = syscall.SIGTERM
	defaultStopTimeout   = 10 * time.Second
	defaultRestartPolicy = RestartAlways
	defaultRestartDelay  = time.Second
	defaultMaxDelay      = time.Minute // or the delay, if longer
	defaultMinUptime     = time.Second // the legacy supervise's threshold
	defaultAlarmInterval = 60 * time.Second
	defaultLogMaxSize    = 50_000_000 // "50MB"
	defaultLogKeep       = 10
)

// defaultExitCodes is a function rather than a variable so that every Module
// gets a slice of its own.
func defaultExitCodes() []int { return []int{0} }

// settings is what one module or defaults block sets, after evaluation and
// checks. A nil field is "not set here", which is what lets a module's
// attributes override the defaults' field by field.
type settings struct {
	dir          *string // absolute and clean
	env          map[string]string
	envFiles     []envFileRef // nil when unset
	envClear     *bool
	user, group  *Credential
	umask        *uint32
	autostart    *bool
	stopSignal   *syscall.Signal
	stopTimeout  *time.Duration
	onExit       *[]string // program path resolved
	restart      restartSettings
	alarm        alarmSettings
	limits       Limits // a nil field is unset, as in the Module
	log          logSettings
	onDepRestart *DependencyRestart
}

type restartSettings struct {
	policy    *RestartPolicy
	delay     *time.Duration
	maxDelay  *time.Duration
	minUptime *time.Duration
	exitCodes *[]int // sorted, without duplicates, never empty
	delayBad  bool   // delay is written but invalid: do not check max_delay against it
	// Where delay, max_delay and min_uptime were written: they are checked after
	// merging (see checkBackoff), and may come from different blocks.
	delayAt, maxDelayAt, minUptimeAt hcl.Range
}

type logSettings struct {
	timestamps *bool
	maxSize    *int64 // at least minLogSize
	keep       *int   // at least 0
	mode       *uint32
	format     *LogFormat
	parse      *LogParse
}

type alarmSettings struct {
	interval             *time.Duration
	maxTries             *int
	maxTriesIfCoredumped *int
	mail, exec           *[]string // exec's program path resolved
	webhook              *string
}

// settings evaluates the attributes and blocks common to modules and defaults.
// Module-only attributes and blocks (command, inherit_defaults, depends_on,
// ready, health) are the caller's business.
func (ev *evaluator) settings(raw *rawSettings, baseDir string) settings {
	s := settings{
		dir:          ev.path("dir", raw.Dir, baseDir),
		env:          ev.env(raw.Env),
		envFiles:     ev.envFiles(raw.EnvFile, baseDir),
		envClear:     ev.boolean("env_clear", raw.EnvClear),
		user:         ev.user(raw.User),
		group:        ev.group(raw.Group),
		umask:        ev.umask(raw.Umask),
		autostart:    ev.boolean("autostart", raw.Autostart),
		stopSignal:   ev.signal("stop_signal", raw.StopSignal),
		stopTimeout:  ev.duration("stop_timeout", raw.StopTimeout),
		onExit:       ev.program("on_exit", raw.OnExit, baseDir, howToWriteOnExit),
		onDepRestart: ev.onDependencyRestart(raw.OnDependencyRestart),
	}
	if r := onlyOne(ev, "restart", raw.Restart, func(r *rawRestart) hcl.Range { return r.DefRange }); r != nil {
		s.restart = ev.restart(r)
	}
	if a := onlyOne(ev, "alarm", raw.Alarm, func(a *rawAlarm) hcl.Range { return a.DefRange }); a != nil {
		s.alarm = alarmSettings{
			interval:             ev.alarmInterval(a.Interval),
			maxTries:             ev.count("max_tries", a.MaxTries),
			maxTriesIfCoredumped: ev.count("max_tries_if_coredumped", a.MaxTriesIfCoredumped),
			mail:                 ev.mailList(a.Mail),
			exec:                 ev.program("exec", a.Exec, baseDir, howToWriteExec),
			webhook:              ev.webhook(a.Webhook),
		}
	}
	if l := onlyOne(ev, "limits", raw.Limits, func(l *rawLimits) hcl.Range { return l.DefRange }); l != nil {
		s.limits = ev.limits(l)
	}
	if l := onlyOne(ev, "log", raw.Log, func(l *rawLog) hcl.Range { return l.DefRange }); l != nil {
		s.log = ev.log(l)
	}
	for _, b := range raw.SMTP {
		ev.errorf(b.DefRange, "Misplaced smtp block",
			"There is one mail server for the whole manifest, so the smtp block goes at the top level, outside defaults and module blocks. Move it there.")
	}
	return s
}

// env evaluates an env map and checks its names: a name that is empty or holds
// "=" would be misread by the child's libc as a different variable.
func (ev *evaluator) env(expr hcl.Expression) map[string]string {
	m, ok := ev.strMap("env", expr)
	for k := range m {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			rng := ev.mapElemRange(expr, k, true)
			ev.errorf(rng, "Invalid environment variable name",
				"%s cannot be an environment variable name: names must be non-empty and cannot contain \"=\". Use names such as PORT or APP_MODE.", ev.quote(rng, k))
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return m
}

// onlyOne returns the first of a block type that may appear at most once per
// body (nil when absent), reporting each extra one. The first is still used so
// that its own mistakes are reported too.
func onlyOne[T any](ev *evaluator, typ string, blocks []*T, defRange func(*T) hcl.Range) *T {
	if len(blocks) == 0 {
		return nil
	}
	first := defRange(blocks[0])
	for _, b := range blocks[1:] {
		ev.errorf(defRange(b), "Duplicate "+typ+" block",
			"Only one %s block is allowed here; the first one is at %s. Merge the two into one.", typ, lineOf(first))
	}
	return blocks[0]
}

// lineOf formats where a range starts as file:line, for messages that point
// elsewhere than their own Subject.
func lineOf(r hcl.Range) string {
	return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line)
}

// merge returns the settings of a module (mod) on top of the defaults block
// (def): each field set in mod wins, env maps are merged key by key, and the
// restart, alarm, limits and log blocks merge field by field.
func merge(def, mod settings) settings {
	env := maps.Clone(def.env)
	if env == nil {
		env = mod.env
	} else {
		maps.Copy(env, mod.env)
	}
	return settings{
		dir:          pick(mod.dir, def.dir),
		env:          env,
		envFiles:     mergeEnvFiles(def.envFiles, mod.envFiles),
		envClear:     pick(mod.envClear, def.envClear),
		user:         pick(mod.user, def.user),
		group:        pick(mod.group, def.group),
		umask:        pick(mod.umask, def.umask),
		autostart:    pick(mod.autostart, def.autostart),
		stopSignal:   pick(mod.stopSignal, def.stopSignal),
		stopTimeout:  pick(mod.stopTimeout, def.stopTimeout),
		onExit:       pick(mod.onExit, def.onExit),
		onDepRestart: pick(mod.onDepRestart, def.onDepRestart),
		restart:      mergeRestart(def.restart, mod.restart),
		alarm: alarmSettings{
			interval:             pick(mod.alarm.interval, def.alarm.interval),
			maxTries:             pick(mod.alarm.maxTries, def.alarm.maxTries),
			maxTriesIfCoredumped: pick(mod.alarm.maxTriesIfCoredumped, def.alarm.maxTriesIfCoredumped),
			mail:                 pick(mod.alarm.mail, def.alarm.mail),
			exec:                 pick(mod.alarm.exec, def.alarm.exec),
			webhook:              pick(mod.alarm.webhook, def.alarm.webhook),
		},
		limits: Limits{
			Core:    pick(mod.limits.Core, def.limits.Core),
			NoFile:  pick(mod.limits.NoFile, def.limits.NoFile),
			NProc:   pick(mod.limits.NProc, def.limits.NProc),
			MemLock: pick(mod.limits.MemLock, def.limits.MemLock),
		},
		log: logSettings{
			timestamps: pick(mod.log.timestamps, def.log.timestamps),
			maxSize:    pick(mod.log.maxSize, def.log.maxSize),
			keep:       pick(mod.log.keep, def.log.keep),
			mode:       pick(mod.log.mode, def.log.mode),
			format:     pick(mod.log.format, def.log.format),
			parse:      pick(mod.log.parse, def.log.parse),
		},
	}
}

// pick is the first of its arguments that is set.
func pick[T any](first, second *T) *T {
	if first != nil {
		return first
	}
	return second
}

// clonePtr copies *p into a new pointer (nil stays nil), so that modules given
// the same setting by the defaults share no memory.
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// valueOr dereferences p, or returns def when p is unset.
func valueOr[T any](p *T, def T) T {
	if p != nil {
		return *p
	}
	return def
}

// DefaultModule is the module a block that sets only its command gets: argv run
// in dir, every other field at its built-in default. It is for programs that
// build a manifest without a file (svman supervise); Load applies the same
// defaults.
func DefaultModule(name string, argv []string, dir string) Module {
	return settings{}.module(name, slices.Clone(argv), false, dir)
}

// module turns merged settings into a Module, applying the built-in defaults.
// Empty maps and lists become nil, so that two Modules with the same meaning are
// deeply equal (the engine compares them with reflect.DeepEqual).
func (s settings) module(name string, argv []string, shell bool, manifestDir string) Module {
	return Module{
		Name:        name,
		Command:     argv,
		Shell:       shell,
		Dir:         valueOr(s.dir, manifestDir),
		User:        s.user.clone(),
		Group:       s.group.clone(),
		Umask:       clonePtr(s.umask),
		Env:         nilIfEmpty(s.env),
		EnvClear:    valueOr(s.envClear, false),
		Autostart:   valueOr(s.autostart, true),
		StopSignal:  valueOr(s.stopSignal, defaultStopSignal),
		StopTimeout: valueOr(s.stopTimeout, defaultStopTimeout),
		Restart:     s.restart.value(),
		Alarm: Alarm{
			Interval:             valueOr(s.alarm.interval, defaultAlarmInterval),
			MaxTries:             valueOr(s.alarm.maxTries, 0),
			MaxTriesIfCoredumped: valueOr(s.alarm.maxTriesIfCoredumped, 0),
			Mail:                 nilIfEmpty(slices.Clone(valueOr(s.alarm.mail, nil))),
			Exec:                 nilIfEmpty(slices.Clone(valueOr(s.alarm.exec, nil))),
			Webhook:              valueOr(s.alarm.webhook, ""),
		},
		OnExit: slices.Clone(valueOr(s.onExit, nil)),
		Limits: s.limits.clone(),
		Log: Log{
			Timestamps: valueOr(s.log.timestamps, true),
			MaxSize:    valueOr(s.log.maxSize, defaultLogMaxSize),
			Keep:       valueOr(s.log.keep, defaultLogKeep),
			Mode:       valueOr(s.log.mode, 0),
			Format:     valueOr(s.log.format, LogText),
			Parse:      valueOr(s.log.parse, ParseNone),
		},
		OnDependencyRestart: valueOr(s.onDepRestart, DepIgnore),
	}
}

// nilIfEmpty returns nil for an empty slice or map, and c otherwise.
func nilIfEmpty[C ~[]string | ~map[string]string](c C) C {
	if len(c) == 0 {
		return nil
	}
	return c
}
