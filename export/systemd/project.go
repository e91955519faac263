package systemd

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"svman/export"
	"svman/internal/proc"
	"svman/manifest"
)

// target is svman-PROJECT.target: it wants every module that starts by
// itself (autostart); each module's unit is PartOf= it, so stopping or
// restarting the target does the same to every module.
func (x *exporter) target() export.File {
	u := &unit{name: x.targetName()}
	if len(u.name) > maxUnitName {
		x.notes.Lost(manifest.Module{}, "", "Project name too long for a unit",
			"systemd refuses a unit name longer than 255 characters, and svman-PROJECT.target is longer: systemd will not load it. Give a shorter --project.")
	}
	u.unitSec.set("Description", specifiers("svman: the modules of "+x.m.Path))
	for _, mod := range x.m.Modules {
		if mod.Autostart {
			u.unitSec.set("Wants", serviceName(mod.Name))
		}
	}
	u.inst.set("WantedBy", x.wantedBy())
	return u.file(x.header)
}

// alarmTemplateUnit is svman-PROJECT-alarm@.service, which the units whose
// alarm block has a channel name as
// OnFailure=svman-PROJECT-alarm@MODULE.service: it runs svman alarm for
// MODULE, which reads the facts of the failure from the MONITOR_* variables
// systemd (251 and later) gives such a unit.
func (x *exporter) alarmTemplateUnit() export.File {
	u := &unit{name: x.alarmTemplate()}
	u.unitSec.set("Description", "svman: the alarm of module %i of "+specifiers(x.m.Path))
	u.service.set("Type", "oneshot")
	if line, ok := x.svmanLine(u.name, "", "alarm", "--systemd"); ok {
		u.service.set("ExecStart", line+" %i") // %i: the module, the instance's name
	}
	return u.file(x.header)
}

// svmanLine is an Exec*= line of the unit named unit that runs svman verb
// on the manifest, svman VERB -f MANIFEST ARGS..., with the line's flags
// ("+" or ""); ok is false (and noted, once) when systemd would refuse
// svman's path. The unit is recorded as one that reads the manifest again
// when it runs (see envReread).
func (x *exporter) svmanLine(unit, flags, verb string, args ...string) (string, bool) {
	argv := append([]string{x.o.Svman, verb, "-f", x.m.Path}, args...)
	line, ok := execLine(flags, x.o.Svman, argv)
	if !ok {
		x.notes.Lost(manifest.Module{}, "", "svman's path unusable in a unit",
			fmt.Sprintf("The units call svman as %q, a path that holds a character systemd refuses in a program's path (a quote, a backslash or a control character): they cannot run it. Install svman elsewhere and export again.", x.o.Svman))
		return line, false
	}
	x.rereads = append(x.rereads, reread{unit, verb})
	return line, true
}

// notSupervised notes what, in the manifest, only svman up does, when the
// units run the modules without it.
func (x *exporter) notSupervised() {
	if x.m.Metrics.Textfile != "" {
		x.notes.Lost(manifest.Module{}, "", "Metrics textfile not exported",
			"The metrics block's textfile is written by svman up, which these units do not run: nothing writes it. systemd's own accounting (systemctl status, systemd-cgtop) stands in; svman export systemd --self keeps it.")
	}
	if x.m.API.Listen != "" {
		x.notes.Lost(manifest.Module{}, "", "Control API not exported",
			"The control API (the api block's listener and the status directory's socket) is served by svman up, which these units do not run: svman ctl, status, logs and top have nothing to reach. Use systemctl and journalctl, or svman export systemd --self.")
	}
}

// selfStopMargin is what the unit of svman itself adds to the longest stop
// it may have to wait for.
const selfStopMargin = 10 * time.Second

// selfFiles is the open-files limit of the unit of svman itself when its
// modules need less: the modules inherit it, and a smaller one would starve
// them.
const selfFiles = 65536

// selfUnit is svman-PROJECT.service, the unit of svman up itself, as
// examples/systemd/svman.service is written by hand: svman speaks sd_notify
// (READY=1 once every autostart module is ready), reloads at svman reload,
// and stops its modules itself, dependents first.
func (x *exporter) selfUnit() export.File {
	u := &unit{name: unitPrefix + x.o.Project + ".service"}
	u.unitSec.set("Description", specifiers("svman: the modules of "+x.m.Path))
	if !x.o.User {
		u.unitSec.set("After", "network.target")
	}
	u.service.set("Type", "notify")
	u.service.set("NotifyAccess", "main")
	if line, ok := x.svmanLine(u.name, "", "up"); ok {
		u.service.set("ExecStart", line)
	}
	if line, ok := x.svmanLine(u.name, "", "reload"); ok {
		u.service.set("ExecReload", line)
	}
	u.service.comment("A module that never gets ready keeps svman activating, rather than have systemd kill it.")
	u.service.set("TimeoutStartSec", "infinity")
	u.service.comment("svman stops its modules itself, dependents first, each with its stop_signal and SIGKILL after")
	u.service.comment("its stop_timeout: the longest chain of stop_timeouts along depends_on, and a margin.")
	u.service.set("KillMode", "mixed")
	u.service.set("TimeoutStopSec", timespan(x.stopChain()+selfStopMargin))
	u.service.set("Restart", "on-failure")
	n := len(x.m.Modules)
	// What svman up checks: its log files are within the reserve.
	files := proc.FilesNeeded(n)
	u.service.comment(fmt.Sprintf("svman holds %d files open per module, whatever it writes, and up to %d of its own and of the logs: %d modules need at most %d.",
		proc.FilesPerModule, proc.FilesNeeded(0), n, files))
	u.service.set("LimitNOFILE", fmt.Sprint(max(selfFiles, files)))
	u.inst.set("WantedBy", x.wantedBy())
	if x.o.User {
		for _, mod := range x.m.Modules {
			for _, c := range []struct {
				field string
				cred  *manifest.Credential
			}{{"user", mod.User}, {"group", mod.Group}} {
				if c.cred != nil {
					x.notes.Lost(mod, c.field, "No "+c.field+" under the user's manager",
						"svman up run by the user's service manager (systemctl --user) runs as that user and cannot switch a module to another user or group: it refuses to start this module. Export without --user, so that svman runs as root.")
				}
			}
		}
	}
	return u.file(x.header)
}

// stopChain is the longest time svman's stop of every module may take: the
// stop_timeouts summed along the longest chain of depends_on, since a
// module stops only after its dependents, and independent modules stop
// together.
func (x *exporter) stopChain() time.Duration {
	chain := map[string]time.Duration{}
	var of func(mod manifest.Module) time.Duration
	of = func(mod manifest.Module) time.Duration {
		if d, done := chain[mod.Name]; done {
			return d
		}
		chain[mod.Name] = mod.StopTimeout // ends a cycle, which Load refuses anyway
		var longest time.Duration
		for _, name := range slices.Sorted(maps.Keys(mod.DependsOn)) {
			for _, d := range x.modulesNamed(name) {
				longest = max(longest, of(d))
			}
		}
		chain[mod.Name] = mod.StopTimeout + longest
		return chain[mod.Name]
	}
	var longest time.Duration
	for _, mod := range x.m.Modules {
		longest = max(longest, of(mod))
	}
	return longest
}
