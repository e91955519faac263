package manifest

import "github.com/hashicorp/hcl/v2"

// The raw* structs are the manifest's shape as gohcl sees it. Every attribute is an
// hcl.Expression rather than a Go type so that decode.go can evaluate it itself:
// that keeps the source range of each value (diagnostics point at the value, not at
// the block) and lets us word type errors for people instead of gohcl's generic
// "Unsuitable value type". gohcl still does the structural work: unknown arguments
// and blocks (with its "Did you mean ...?" hints), labels and block nesting.
//
// A missing attribute decodes as a synthetic null expression, and an explicit null
// means the same thing: "not set here".

// rawFile is the whole manifest file.
type rawFile struct {
	StatusDir hcl.Expression `hcl:"status_dir,optional"`
	// Defaults is a slice, not a pointer, so that a duplicate block is reported by
	// us (naming the first one) while the first is still checked; gohcl would drop
	// both.
	Defaults []*rawDefaults `hcl:"defaults,block"`
	Modules  []*rawModule   `hcl:"module,block"`
	SMTP     []*rawSMTP     `hcl:"smtp,block"`
	Metrics  []*rawMetrics  `hcl:"metrics,block"` // metrics.go
	API      []*rawAPI      `hcl:"api,block"`     // api.go
}

// rawDefaults is a defaults block. Its body has the same schema as a module's so
// that command or inherit_defaults written there get a specific explanation
// rather than "not expected here".
type rawDefaults struct {
	DefRange hcl.Range   `hcl:",def_range"`
	Body     rawSettings `hcl:",remain"`
}

// rawModule is one module "NAME" block.
type rawModule struct {
	Name      string      `hcl:"name,label"`
	NameRange hcl.Range   `hcl:"name,label_range"`
	DefRange  hcl.Range   `hcl:",def_range"`
	Body      rawSettings `hcl:",remain"`
}

// rawSettings is the body shared by module and defaults blocks.
type rawSettings struct {
	// Command is required in modules, which we check ourselves (see
	// moduleCommand) to word the message; the ranges tell whether the two
	// module-only attributes were written at all.
	Command              hcl.Expression `hcl:"command,optional"`
	CommandRange         hcl.Range      `hcl:"command,attr_range"`
	InheritDefaults      hcl.Expression `hcl:"inherit_defaults,optional"`
	InheritDefaultsRange hcl.Range      `hcl:"inherit_defaults,attr_range"`
	Dir                  hcl.Expression `hcl:"dir,optional"`
	Env                  hcl.Expression `hcl:"env,optional"`
	EnvFile              hcl.Expression `hcl:"env_file,optional"`
	EnvClear             hcl.Expression `hcl:"env_clear,optional"`
	User                 hcl.Expression `hcl:"user,optional"`
	Group                hcl.Expression `hcl:"group,optional"`
	Umask                hcl.Expression `hcl:"umask,optional"`
	Autostart            hcl.Expression `hcl:"autostart,optional"`
	StopSignal           hcl.Expression `hcl:"stop_signal,optional"`
	StopTimeout          hcl.Expression `hcl:"stop_timeout,optional"`
	OnExit               hcl.Expression `hcl:"on_exit,optional"`
	Restart              []*rawRestart  `hcl:"restart,block"`
	Alarm                []*rawAlarm    `hcl:"alarm,block"`
	Limits               []*rawLimits   `hcl:"limits,block"`
	Log                  []*rawLog      `hcl:"log,block"`
	// DependsOn, Ready and Health are module-only; defaults reports them, which
	// the range (of depends_on) and the blocks tell.
	DependsOn           hcl.Expression `hcl:"depends_on,optional"`
	DependsOnRange      hcl.Range      `hcl:"depends_on,attr_range"`
	OnDependencyRestart hcl.Expression `hcl:"on_dependency_restart,optional"`
	Ready               []*rawReady    `hcl:"ready,block"`
	Health              []*rawHealth   `hcl:"health,block"`
	// Instances and PortBase are module-only too (instances.go).
	Instances      hcl.Expression `hcl:"instances,optional"`
	InstancesRange hcl.Range      `hcl:"instances,attr_range"`
	PortBase       hcl.Expression `hcl:"port_base,optional"`
	PortBaseRange  hcl.Range      `hcl:"port_base,attr_range"`
	// SMTP is only here to explain that it belongs at the top level; its
	// body is not looked at.
	SMTP []*rawMisplaced `hcl:"smtp,block"`
}

// rawRestart is a restart block.
type rawRestart struct {
	DefRange    hcl.Range      `hcl:",def_range"`
	Policy      hcl.Expression `hcl:"policy,optional"`
	Delay       hcl.Expression `hcl:"delay,optional"`
	MaxDelay    hcl.Expression `hcl:"max_delay,optional"`
	MinUptime   hcl.Expression `hcl:"min_uptime,optional"`
	StableAfter hcl.Expression `hcl:"stable_after,optional"` // min_uptime's former name
	ExitCodes   hcl.Expression `hcl:"exit_codes,optional"`
}

// rawAlarm is an alarm block.
type rawAlarm struct {
	DefRange             hcl.Range      `hcl:",def_range"`
	Interval             hcl.Expression `hcl:"interval,optional"`
	MaxTries             hcl.Expression `hcl:"max_tries,optional"`
	MaxTriesIfCoredumped hcl.Expression `hcl:"max_tries_if_coredumped,optional"`
	Mail                 hcl.Expression `hcl:"mail,optional"`
	Exec                 hcl.Expression `hcl:"exec,optional"`
	Webhook              hcl.Expression `hcl:"webhook,optional"`
}

// rawLimits is a limits block.
type rawLimits struct {
	DefRange hcl.Range      `hcl:",def_range"`
	Core     hcl.Expression `hcl:"core,optional"`
	NoFile   hcl.Expression `hcl:"nofile,optional"`
	NProc    hcl.Expression `hcl:"nproc,optional"`
	MemLock  hcl.Expression `hcl:"memlock,optional"`
}

// rawLog is a log block.
type rawLog struct {
	DefRange   hcl.Range      `hcl:",def_range"`
	Timestamps hcl.Expression `hcl:"timestamps,optional"`
	MaxSize    hcl.Expression `hcl:"max_size,optional"`
	Keep       hcl.Expression `hcl:"keep,optional"`
	Mode       hcl.Expression `hcl:"mode,optional"`
	Format     hcl.Expression `hcl:"format,optional"`
	Parse      hcl.Expression `hcl:"parse,optional"`
}

// rawReady is a ready block.
type rawReady struct {
	DefRange       hcl.Range      `hcl:",def_range"`
	HTTP           hcl.Expression `hcl:"http,optional"`
	TCP            hcl.Expression `hcl:"tcp,optional"`
	Exec           hcl.Expression `hcl:"exec,optional"`
	Log            hcl.Expression `hcl:"log,optional"`
	Notify         hcl.Expression `hcl:"notify,optional"`
	NotificationFD hcl.Expression `hcl:"notification_fd,optional"`
	Watchdog       hcl.Expression `hcl:"watchdog,optional"`
	Timeout        hcl.Expression `hcl:"timeout,optional"`
	Interval       hcl.Expression `hcl:"interval,optional"`
	OnTimeout      hcl.Expression `hcl:"on_timeout,optional"`
}

// rawHealth is a health block. Log is only here to explain that a log check
// says when a module is ready, not whether it is still alive.
type rawHealth struct {
	DefRange hcl.Range      `hcl:",def_range"`
	Exec     hcl.Expression `hcl:"exec,optional"`
	HTTP     hcl.Expression `hcl:"http,optional"`
	TCP      hcl.Expression `hcl:"tcp,optional"`
	Log      hcl.Expression `hcl:"log,optional"`
	Interval hcl.Expression `hcl:"interval,optional"`
	Timeout  hcl.Expression `hcl:"timeout,optional"`
	Failures hcl.Expression `hcl:"failures,optional"`
}

// rawSMTP is the top-level smtp block.
type rawSMTP struct {
	DefRange hcl.Range      `hcl:",def_range"`
	Host     hcl.Expression `hcl:"host,optional"`
	Port     hcl.Expression `hcl:"port,optional"`
	From     hcl.Expression `hcl:"from,optional"`
	Username hcl.Expression `hcl:"username,optional"`
	Password hcl.Expression `hcl:"password,optional"`
	StartTLS hcl.Expression `hcl:"starttls,optional"`
}

// rawMisplaced is a block that is reported as being in the wrong place; its
// body is left alone.
type rawMisplaced struct {
	DefRange hcl.Range `hcl:",def_range"`
	Body     hcl.Body  `hcl:",remain"`
}
