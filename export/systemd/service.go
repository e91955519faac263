package systemd

import (
	"fmt"

	"svman/export"
	"svman/manifest"
)

// service is the unit of module mod, svman-NAME.service. Every field of
// manifest.Module is either written here (through the methods named below),
// noted as lost, or the same as systemd's default:
//
//	Name, InstanceOf, Instance   the unit's name (one unit per instance)
//	Command, Shell               command: ExecStart=, ExecSearchPath=
//	Dir, Env, EnvClear           command: WorkingDirectory=, Environment=
//	User, Group, Umask, Limits   command: User=, Group=, UMask=, Limit*=
//	OnExit                       command: ExecStopPost=, noted
//	Autostart                    target: Wants= only when true
//	StopSignal, StopTimeout      stop: KillSignal=, TimeoutStopSec=
//	Restart                      policy: Restart=, RestartSec=, ...
//	Alarm                        policy: OnFailure=, StartLimit*=
//	DependsOn, OnDependencyRestart  deps: After=, Wants=, Requires=, BindsTo=
//	Ready                        ready: Type=, ExecStartPost=, ...
//	Health                       ready: noted
//	Log                          output: SyslogIdentifier= or append:, noted
func (x *exporter) service(mod manifest.Module) export.File {
	u := &unit{name: serviceName(mod.Name)}
	if len(u.name) > maxUnitName {
		x.notes.Lost(mod, "", "Module name too long for a unit",
			"systemd refuses a unit name longer than 255 characters, and svman-NAME.service is longer: systemd cannot load this unit (nor can a directory hold its file). Give the module a shorter name.")
	}
	u.unitSec.set("Description", specifiers("svman: module "+mod.Name+" of "+x.m.Path))
	u.unitSec.set("PartOf", x.targetName())
	x.dependencies(u, mod)
	x.failure(u, mod)

	st := x.start(mod)
	u.service.set("Type", st.typ)
	x.command(u, mod)
	st.write(u)
	x.onExit(u, mod)
	x.environment(u, mod)
	x.restart(u, mod)
	x.stop(u, mod)
	x.output(u, mod)
	x.health(mod)
	x.scaled(mod)

	u.inst.set("WantedBy", x.targetName())
	return u.file(x.header)
}

// stop writes how the module is stopped: its stop signal to every process
// of the unit (svman signals the process group, and the processes that left
// it), SIGKILL to what is left after its stop timeout.
func (x *exporter) stop(u *unit, mod manifest.Module) {
	u.service.set("KillMode", "control-group")
	u.service.set("KillSignal", manifest.SignalName(mod.StopSignal))
	// 0 is "no timeout" to systemd, where svman's "0s" kills at once:
	// timespan writes the least positive time span instead.
	u.service.set("TimeoutStopSec", timespan(max(mod.StopTimeout, 1)))
}

// output writes where the module's output goes: the journal, under the
// module's name, or the status directory's __stdout and __stderr.
func (x *exporter) output(u *unit, mod manifest.Module) {
	dir := x.m.StatusDir + "/" + mod.Name
	out, okOut := pathValue(dir + "/__stdout")
	errs, okErr := pathValue(dir + "/__stderr")
	switch {
	case x.o.Logs != LogsFiles:
		u.service.set("SyslogIdentifier", specifiers(mod.Name))
	case okOut && okErr:
		u.service.set("StandardOutput", "append:"+out)
		u.service.set("StandardError", "append:"+errs)
		x.logFiles(mod)
	default:
		x.notes.Lost(mod, "", "Log files not exported",
			"The status directory's path holds a character that systemd cannot read back in a path (a control character, a blank at an end, or a final backslash): the output goes to the journal instead.")
		u.service.set("SyslogIdentifier", specifiers(mod.Name))
	}
	if !x.notes.Written(mod, "log") {
		return
	}
	if x.o.Logs == LogsFiles {
		x.notes.Lost(mod, "log", "Log block not exported",
			"StandardOutput=append: and StandardError=append: write the output to __stdout and __stderr as it comes: without timestamps, in text (no JSON records), never rotated (rotate them with logrotate's copytruncate), and without the log block's mode.")
		return
	}
	x.notes.Lost(mod, "log", "Log block not exported",
		"The output goes to the journal (journalctl -u with the module's unit), which stamps each line with its time and rotates by its own settings (SystemMaxUse= and MaxRetentionSec= in journald.conf), so timestamps, max_size, keep, mode and format have no equivalent; journalctl -o json shows the lines as JSON records. svman export systemd --logs files writes the status directory's __stdout and __stderr instead.")
}

// defaultUMask is the UMask= of a unit that sets none (systemd.exec(5)).
const defaultUMask = 0o022

// logFiles notes, once for the whole export, what a unit whose output is
// appended to the status directory's files needs and lacks: systemd opens
// the files, but makes no directory (a unit without one fails to start, with
// status 209/STDOUT), and it makes the files with mode 0666 less the unit's
// UMask=, where svman makes them with the log block's mode (0600 unless
// said). Each is said once: what a machine needs as a requirement, the mode
// as a difference, unless every unit's umask keeps the files as close as
// svman does.
//
// An ExecStartPre= that made the directory cannot: systemd gives every
// Exec*= process of the unit the same StandardOutput=, so it fails to start
// for the same missing directory.
func (x *exporter) logFiles(mod manifest.Module) {
	x.notes.Require(manifest.Module{}, "", "Log directories must exist",
		fmt.Sprintf("With --logs files, systemd appends each module's output to __stdout and __stderr in its status directory, but makes no directory: a unit whose directory is missing fails to start (status 209/STDOUT). Make them before the first start, as svman up would: mkdir -p -m 0700 %s/NAME for each module NAME (each instance, web.0, its own).", x.m.StatusDir))
	umask := uint32(defaultUMask)
	if mod.Umask != nil {
		umask = *mod.Umask
	}
	mode := mod.Log.Mode
	if mode == 0 {
		mode = 0o600
	}
	if 0o666&^umask&^mode == 0 {
		return
	}
	x.notes.Lost(manifest.Module{}, "", "Log files' mode not kept",
		"systemd makes __stdout and __stderr with mode 0666 less the unit's UMask= (0644 under systemd's default 0022), where svman makes them with the log block's mode (0600 unless said): other local users may read what the modules write. Keep them out with the directory (mkdir -m 0700), or give the module a umask that does (umask = \"077\", which its own files get too).")
}

// health notes a health block: systemd 252 checks no liveness.
func (x *exporter) health(mod manifest.Module) {
	if mod.Health == nil {
		return
	}
	x.notes.Lost(mod, "health", "Health check not exported",
		"systemd 252 has no liveness check, so the unit never runs this one and a module that hangs is not restarted. Have the module send WATCHDOG=1 (ready { notify = true, watchdog = \"30s\" } becomes WatchdogSec=), or add a timer whose service runs svman probe --health -f MANIFEST MODULE || systemctl restart svman-MODULE.service.")
}

// scaled notes a module block whose count svman scale set: the units are
// the instances in force, not the manifest's.
func (x *exporter) scaled(mod manifest.Module) {
	c, ok := x.m.Instances[mod.InstanceOf]
	if !ok || !c.Scaled || c.Count == c.Declared {
		return
	}
	x.notes.Lost(mod, "instances", "Instances as svman scale set them",
		fmt.Sprintf("svman scale (or svman up --formation) set %d instances of this block where the manifest declares %d, and the export writes a unit for each of the %d. systemd has no scale: start or stop an instance's unit by hand, or edit instances and export again.", c.Count, c.Declared, c.Count))
}
