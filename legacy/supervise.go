package legacy

import (
	"net/mail"
	"path/filepath"
	"time"

	"svman/manifest"
)

// StartPace is the legacy supervise's restart pace: it waits this long after
// every start before the next one, and never backs off further. Both the
// manifest of svman supervise and the restart blocks of svman import keep it.
const StartPace = time.Second

// Module is one module as the legacy supervise runs it: command in dir,
// restarted always at StartPace, with alarm and onExit (nil: none); every other
// field is manifest's default.
func Module(name string, command []string, dir string, alarm manifest.Alarm, onExit []string) manifest.Module {
	m := manifest.DefaultModule(name, command, dir)
	m.Restart.Policy = manifest.RestartAlways
	m.Restart.Delay, m.Restart.MaxDelay = StartPace, StartPace
	m.Alarm = alarm
	m.OnExit = onExit
	return m
}

// Manifest is the manifest of one supervise: mod, whose status directory is
// statusDir (absolute; its parent is the manifest's status_dir), read from conf
// (the absolute path of supervise.conf, "" when none is read), with manifest's
// default smtp settings.
func Manifest(mod manifest.Module, statusDir, conf string) *manifest.Manifest {
	return &manifest.Manifest{
		Path:      conf,
		StatusDir: filepath.Dir(statusDir),
		Modules:   []manifest.Module{mod},
		SMTP:      manifest.DefaultSMTP(),
	}
}

// RestartHook is the on_exit of supervise -r SH, the legacy system("SH COUNT"):
// the engine appends the count, which the shell passes on to SH as $1.
func RestartHook(sh string) []string {
	return []string{"/bin/sh", "-c", sh + ` "$1"`, "sh"}
}

// HookAlarm is the alarm window of supervise -r: the count of exits passed to
// the hook starts again at 1 when timeLimit seconds have passed since the
// window's first exit. Without -t (timeLimit 0) the legacy tool passes 1 every
// time: a window of 1 ns does. Nothing is sent (no channels) and nothing is
// limited.
func HookAlarm(timeLimit int) manifest.Alarm {
	if timeLimit > 0 {
		return manifest.Alarm{Interval: time.Duration(timeLimit) * time.Second}
	}
	return manifest.Alarm{Interval: time.Nanosecond}
}

// Alarm is p as svman's alarm policy. Mail addresses svman cannot send to are
// left out and returned in dropped, in order; alarm_gsm has no counterpart
// (svman has no SMS gateway), so p.GSM is the caller's to report.
func (p Policy) Alarm() (a manifest.Alarm, dropped []string) {
	mails, dropped := Mailable(p.Mail)
	return manifest.Alarm{
		Interval:             p.AlarmInterval,
		MaxTries:             p.MaxTries,
		MaxTriesIfCoredumped: p.MaxTriesIfCoredumped,
		Mail:                 mails,
	}, dropped
}

// Mailable splits addrs into the addresses svman can send mail to and the
// others, each in order; either is nil when empty.
func Mailable(addrs []string) (ok, dropped []string) {
	for _, a := range addrs {
		if _, err := mail.ParseAddress(a); err == nil {
			ok = append(ok, a)
		} else {
			dropped = append(dropped, a)
		}
	}
	return ok, dropped
}
