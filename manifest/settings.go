package manifest

import (
	"fmt"
	"maps"
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
	defaultAlarmInterval = 60 * time.Second
)

// settings is what one module or defaults block sets, after evaluation and
// checks. A nil field is "not set here", which is what lets a module's
// attributes override the defaults' field by field.
type settings struct {
	dir         *string // absolute and clean
	env         map[string]string
	autostart   *bool
	stopSignal  *syscall.Signal
	stopTimeout *time.Duration
	restart     restartSettings
	alarm       alarmSettings
}

type restartSettings struct {
	policy *RestartPolicy
	delay  *time.Duration
}

type alarmSettings struct {
	interval             *time.Duration
	maxTries             *int
	maxTriesIfCoredumped *int
	mail, exec           *[]string
	webhook              *string
}

// settings evaluates the attributes and blocks common to modules and defaults.
// Module-only attributes (command, inherit_defaults) are the caller's business.
func (ev *evaluator) settings(raw *rawSettings, baseDir string) settings {
	s := settings{
		dir:         ev.path("dir", raw.Dir, baseDir),
		env:         ev.env(raw.Env),
		autostart:   ev.boolean("autostart", raw.Autostart),
		stopSignal:  ev.signal("stop_signal", raw.StopSignal),
		stopTimeout: ev.duration("stop_timeout", raw.StopTimeout),
	}
	if r := onlyOne(ev, "restart", raw.Restart, func(r *rawRestart) hcl.Range { return r.DefRange }); r != nil {
		s.restart = restartSettings{policy: ev.policy(r.Policy), delay: ev.duration("delay", r.Delay)}
	}
	if a := onlyOne(ev, "alarm", raw.Alarm, func(a *rawAlarm) hcl.Range { return a.DefRange }); a != nil {
		s.alarm = alarmSettings{
			interval:             ev.duration("interval", a.Interval),
			maxTries:             ev.count("max_tries", a.MaxTries),
			maxTriesIfCoredumped: ev.count("max_tries_if_coredumped", a.MaxTriesIfCoredumped),
			mail:                 ev.mailList(a.Mail),
			exec:                 ev.execList(a.Exec),
			webhook:              ev.webhook(a.Webhook),
		}
	}
	return s
}

// env evaluates an env map and checks its names: a name that is empty or holds
// "=" would be misread by the child's libc as a different variable.
func (ev *evaluator) env(expr hcl.Expression) map[string]string {
	m, ok := ev.strMap("env", expr)
	for k := range m {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			ev.errorf(ev.mapElemRange(expr, k, true), "Invalid environment variable name",
				"%q cannot be an environment variable name: names must be non-empty and cannot contain \"=\". Use names such as PORT or APP_MODE.", k)
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
// restart and alarm blocks merge field by field.
func merge(def, mod settings) settings {
	env := maps.Clone(def.env)
	if env == nil {
		env = mod.env
	} else {
		maps.Copy(env, mod.env)
	}
	return settings{
		dir:         pick(mod.dir, def.dir),
		env:         env,
		autostart:   pick(mod.autostart, def.autostart),
		stopSignal:  pick(mod.stopSignal, def.stopSignal),
		stopTimeout: pick(mod.stopTimeout, def.stopTimeout),
		restart: restartSettings{
			policy: pick(mod.restart.policy, def.restart.policy),
			delay:  pick(mod.restart.delay, def.restart.delay),
		},
		alarm: alarmSettings{
			interval:             pick(mod.alarm.interval, def.alarm.interval),
			maxTries:             pick(mod.alarm.maxTries, def.alarm.maxTries),
			maxTriesIfCoredumped: pick(mod.alarm.maxTriesIfCoredumped, def.alarm.maxTriesIfCoredumped),
			mail:                 pick(mod.alarm.mail, def.alarm.mail),
			exec:                 pick(mod.alarm.exec, def.alarm.exec),
			webhook:              pick(mod.alarm.webhook, def.alarm.webhook),
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

// valueOr dereferences p, or returns def when p is unset.
func valueOr[T any](p *T, def T) T {
	if p != nil {
		return *p
	}
	return def
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
		Env:         nilIfEmpty(s.env),
		Autostart:   valueOr(s.autostart, true),
		StopSignal:  valueOr(s.stopSignal, defaultStopSignal),
		StopTimeout: valueOr(s.stopTimeout, defaultStopTimeout),
		Restart: Restart{
			Policy: valueOr(s.restart.policy, defaultRestartPolicy),
			Delay:  valueOr(s.restart.delay, defaultRestartDelay),
		},
		Alarm: Alarm{
			Interval:             valueOr(s.alarm.interval, defaultAlarmInterval),
			MaxTries:             valueOr(s.alarm.maxTries, 0),
			MaxTriesIfCoredumped: valueOr(s.alarm.maxTriesIfCoredumped, 0),
			Mail:                 nilIfEmpty(valueOr(s.alarm.mail, nil)),
			Exec:                 nilIfEmpty(valueOr(s.alarm.exec, nil)),
			Webhook:              valueOr(s.alarm.webhook, ""),
		},
	}
}

// nilIfEmpty returns nil for an empty slice or map, and c otherwise.
func nilIfEmpty[C ~[]string | ~map[string]string](c C) C {
	if len(c) == 0 {
		return nil
	}
	return c
}
