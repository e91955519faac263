package main

import (
	"path/filepath"
	"slices"
	"strings"

	"svman/legacy"
	"svman/logmux"
	"svman/manifest"
	"svman/statusfs"
)

// supervisePolicy turns the command line and supervise.conf into the manifest of
// the one module, and re-reads the file on `r`.
type supervisePolicy struct {
	args      superviseArgs
	statusDir string // absolute: the module's status directory
	console   *logmux.Console
	alarm     manifest.Alarm // in force
	gsm       []string       // the alarm_gsm numbers last warned about
}

func (p *supervisePolicy) confPath() string {
	if p.args.conf != "" {
		return p.args.conf
	}
	return defaultConf
}

// note writes a line to the module's supervise.log (NOTICE) or supervise.log.wf
// (WARNING) and to the console.
func (p *supervisePolicy) note(level, format string, args ...any) {
	statusfs.AppendLog(p.statusDir, level, format, args...)
	p.console.Systemf(format, args...)
}

// manifest builds the one-module manifest for the first start: with -r the hook
// and -t window, otherwise the alarm policy of supervise.conf.
func (p *supervisePolicy) manifest(cwd string) *manifest.Manifest {
	var onExit []string
	switch {
	case p.args.restartSh != "":
		onExit = legacy.RestartHook(p.args.restartSh)
		p.alarm = legacy.HookAlarm(p.args.timeLimit)
	default:
		if al, ok := p.load(); ok {
			p.alarm = al
		} else {
			p.note("WARNING", "no alarms and no try limits until %s can be read (then write r to %s/control)", p.confPath(), p.args.target.dir)
			p.alarm = manifest.Alarm{} // interval 0: alarms and limits off
		}
	}
	mod := legacy.Module(p.args.target.name, p.args.command, cwd, p.alarm, onExit)
	conf := ""
	if p.args.restartSh == "" {
		conf, _ = filepath.Abs(p.confPath())
	}
	return legacy.Manifest(mod, p.statusDir, conf)
}

// reload re-reads supervise.conf on `r` and returns the manifest with its new
// alarm policy, or m itself when nothing changes (-r given, or the file cannot
// be read: the old values stay, as with the legacy tool).
func (p *supervisePolicy) reload(m *manifest.Manifest, cwd string) *manifest.Manifest {
	if p.args.restartSh != "" {
		p.note("NOTICE", "r: supervise.conf is not read when -r is given")
		return m
	}
	al, ok := p.load()
	if !ok {
		return m
	}
	p.alarm = al
	next := *m
	next.Modules = slices.Clone(m.Modules)
	next.Modules[0].Alarm = al
	return &next
}

// load reads supervise.conf and returns the module's alarm policy; ok is false
// when the file cannot be read (a warning says so).
func (p *supervisePolicy) load() (manifest.Alarm, bool) {
	path := p.confPath()
	conf, probs, err := legacy.LoadConf(path)
	if err != nil {
		p.note("WARNING", "Cannot open config file %s (%v). Old configurations unchanged.", path, err)
		return manifest.Alarm{}, false
	}
	for _, pr := range probs {
		p.note("WARNING", "%s:%d: %s", path, pr.Line, pr.Reason)
	}
	pol := conf.Policy(p.args.target.section)
	al, dropped := pol.Alarm()
	for _, addr := range dropped {
		p.note("WARNING", "%s: alarm_mail %q is not a mail address svman can send to: ignored", path, addr)
	}
	if len(pol.GSM) > 0 && !slices.Equal(pol.GSM, p.gsm) {
		p.note("WARNING", "%s: alarm_gsm %s: not sent, svman has no SMS gateway (the legacy gsmsend-script); use alarm_mail", path, strings.Join(pol.GSM, " "))
	}
	p.gsm = pol.GSM
	p.note("NOTICE", "Finished loading configurations from %s [%s]: alarm_interval %s, max_tries %d, max_tries_if_coredumped %d, alarm_mail %s",
		path, p.args.target.section, pol.AlarmInterval, pol.MaxTries, pol.MaxTriesIfCoredumped, strings.Join(al.Mail, " "))
	return al, true
}
