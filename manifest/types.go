package manifest

import (
	"strconv"
	"syscall"
	"time"
)

// Manifest is a whole, validated supervise.hcl: every path in it is absolute and
// every default has been applied, so consumers never look at HCL again.
type Manifest struct {
	// Path is the absolute path of the manifest file.
	Path string
	// StatusDir is the absolute directory that holds one status directory per module.
	StatusDir string
	// Digest is the SHA-256 of the file's bytes and of its Sources': two loads
	// with the same digest read the same text, so a reload of an unchanged file
	// can be skipped.
	Digest [32]byte
	// Modules in the order they appear in the file.
	// It is empty (not nil) for a manifest without modules.
	Modules []Module
	// SMTP is how alarm mail is sent. It is always filled in, with the built-in
	// defaults where the manifest has no smtp block or leaves a field out.
	SMTP SMTP
	// Metrics is the metrics block; the zero value when there is none.
	Metrics Metrics
	// API is the control API's TCP listener (the api block); zero without one.
	API API
	// Warnings holds the diagnostics that do not stop a load (a value svman
	// raises to a floor, a former name), with the files to quote, for `svman
	// check` to print; nil when there are none.
	Warnings *DiagError
	// Sources are the absolute paths of the other files the manifest is made
	// of: its modules' env files (an optional one that is missing too, since
	// creating it changes the manifest) and a Procfile's .env. svman up
	// watches them as it watches Path. Sorted, without duplicates; nil when
	// there are none.
	Sources []string
	// Instances holds, for each module block with instances = N, how many of
	// its instances are in force, by the block's name. Its modules are
	// NAME.0 … NAME.(Count-1), in Modules where the block stands. nil when no
	// block has instances.
	Instances map[string]InstanceCount
	// Sites say where each module's settings were written (sites.go), for
	// the diagnostics of what reads the manifest after Load. Never nil after
	// a load; svman up, which never reads them, keeps its manifests without.
	Sites *Sites
}

// InstanceCount is how many instances of a module block are in force.
type InstanceCount struct {
	// Count is the number in force: the manifest's, or svman scale's when
	// Scaled.
	Count int
	// Declared is the manifest's instances; 1 for a block that has none
	// but is scaled (a Procfile's line, which is one process).
	Declared int
	// Scaled is true when svman scale (or up --formation) set Count, which
	// then may differ from Declared.
	Scaled bool
}

// Module is everything svman needs to supervise one program. It is a plain value:
// two Modules are the same desired state exactly when they are deeply equal.
type Module struct {
	// Name is the module's name, safe as a directory name ([A-Za-z0-9_.-]+, not . or ..).
	Name string
	// Command is the argv to execute. A command given as a string in the manifest
	// becomes ["/bin/sh", "-c", string] and Shell is true.
	Command []string
	Shell   bool
	// Dir is the absolute working directory of the child (default: the manifest's directory).
	Dir string
	// User is the user to run the child as (user = "www-data" or "1000"); nil runs
	// it as svman's own user. Switching needs svman to run as root, which is the
	// engine's to check when the module starts, not Load's.
	User *Credential
	// Group is the child's primary group (group = "www-data" or "1000"); nil means
	// the user's primary group when User is set, else svman's.
	Group *Credential
	// Umask is the child's file mode creation mask (umask = "022", 0 to 0777);
	// nil keeps svman's.
	Umask *uint32
	// Env holds the variables set on top of svman's own environment, or of an
	// empty one with EnvClear (the defaults' env merged with the module's, the
	// module winning).
	// It is nil when empty, never an empty map, so that DeepEqual means "same".
	Env map[string]string
	// EnvClear true means the child starts from an empty environment plus Env,
	// and PATH=DefaultPath if Env sets no PATH, instead of svman's environment.
	EnvClear bool
	// Autostart false means the module starts with want down, until `u`.
	Autostart bool
	// StopSignal is sent to the process group to stop the module (default SIGTERM).
	StopSignal syscall.Signal
	// StopTimeout is how long a stop waits before SIGKILL (default 10s).
	StopTimeout time.Duration
	Restart     Restart
	Alarm       Alarm
	// OnExit is an argv run directly (not through a shell) after every exit of the
	// module, before it is restarted; nil when unset. A program path with a "/" is
	// absolute (relative ones start at the manifest's directory); a bare name is
	// looked up in PATH.
	OnExit []string
	Limits Limits
	Log    Log
	// DependsOn names the modules that must satisfy a condition before this
	// one starts (depends_on); nil when none. Every name is a module of the
	// manifest, and the graph has no cycle.
	DependsOn map[string]Condition
	// OnDependencyRestart is what the running module does when a dependency
	// stops or restarts (default DepIgnore).
	OnDependencyRestart DependencyRestart
	// Ready is how svman knows the module is ready; nil: once it has started.
	Ready *Ready
	// Health is the module's liveness check once ready; nil when none.
	Health *Health
	// InstanceOf is the name of the module block this module is an instance
	// of ("web" for web.1, from instances = N); "" for a module written
	// without instances.
	InstanceOf string
	// Instance is the instance's number, from 0 (SVMAN_INSTANCE in its
	// environment); 0 when InstanceOf is "".
	Instance int
}

// Block is the name of the module block m was written as: its own, or for
// an instance (web.1) that of its block (web).
func (m Module) Block() string {
	if m.InstanceOf != "" {
		return m.InstanceOf
	}
	return m.Name
}

// DefaultPath is the PATH a module with EnvClear gets when its Env sets none.
const DefaultPath = "/usr/local/bin:/usr/bin:/bin"

// Credential is a user or group, resolved when the manifest is loaded. A
// numeric id without a passwd (or group) entry is accepted: Name is then the
// digits, and a user's GID is the same number, with no Groups and Home "/".
//
// Credential holds a slice: compare two of them with reflect.DeepEqual, not ==.
type Credential struct {
	Name string // as written ("www-data", or "1000")
	ID   uint32 // the numeric id
	// For users only:
	GID    uint32   // the user's primary group
	Groups []uint32 // the user's supplementary groups, sorted, without GID; nil when none
	Home   string   // the user's home directory
}

// RestartPolicy says when an exited module is started again.
type RestartPolicy string

const (
	RestartAlways    RestartPolicy = "always"
	RestartOnFailure RestartPolicy = "on-failure"
	RestartNever     RestartPolicy = "never"
)

// Restart is a module's restart policy. A run that lasted MinUptime is followed by
// a start at once; consecutive shorter runs (a crash loop) back off: Delay, then
// 2×Delay, 4×Delay, ... up to MaxDelay between two starts. None of the three
// durations counts for less than RestartFloor, whatever the manifest says.
//
// Restart holds a slice, so compare two of them with reflect.DeepEqual, not ==.
type Restart struct {
	Policy RestartPolicy // default always
	// Delay is the first wait of a crash loop, from one start to the next (default 1s).
	Delay time.Duration
	// MaxDelay caps the crash loop's exponential backoff (default 1m, or Delay if
	// longer); it is never less than Delay.
	MaxDelay time.Duration
	// MinUptime is the least run that is not a crash (default 1s): a run this long
	// is followed by a start at once and ends the crash loop. Written min_uptime,
	// or stable_after, its former name.
	MinUptime time.Duration
	// ExitCodes are the exit codes that count as success for on-failure (and that
	// raise no alarm under on-failure and never): sorted, without duplicates,
	// never empty. Default [0].
	ExitCodes []int
}

// RestartFloor is the least time between two starts of a module, the legacy
// supervise's one second: the engine counts a Delay, MaxDelay or MinUptime below
// it as RestartFloor, so that a crash loop never spins, and `svman check` warns
// about such a value.
const RestartFloor = time.Second

// Alarm is a module's alarm policy: when its alarms are raised and where they go.
type Alarm struct {
	Interval             time.Duration // default 60s; 0 switches alarms and try limits off
	MaxTries             int           // 0: no limit
	MaxTriesIfCoredumped int           // 0: no limit
	Mail                 []string      // addresses as written; nil when empty
	Exec                 []string      // argv run directly, not through a shell; nil when unset; program path resolved like OnExit's
	Webhook              string        // http or https URL; "" when unset
}

// Limits are resource limits applied to the child before it execs; a nil field inherits svman's own.
// Core and MemLock are in bytes, NoFile and NProc are counts; Unlimited means no limit.
//
// Limits holds pointers: compare two of them with reflect.DeepEqual, not ==.
type Limits struct{ Core, NoFile, NProc, MemLock *uint64 }

// Unlimited is the value of "unlimited" (RLIM_INFINITY).
const Unlimited = ^uint64(0) // the value of "unlimited"

// Log is where a module's output is kept: __stdout and __stderr in its status directory.
type Log struct {
	Timestamps bool  // default true
	MaxSize    int64 // bytes; default 50 MB ("50MB" = 50,000,000); at least 1 KB
	Keep       int   // rotated files kept; default 10; >= 0
	// Mode is the permission of the log files: 0 for 0600 (the default, however
	// written), 0o640 or 0o644.
	// A group- or world-readable mode opens the status directory to the same
	// readers (0750, 0755); nothing there is ever writable but by svman's user.
	Mode uint32
	// Format is how each line is written to the files: LogText (the default) or
	// LogJSON, one JSON object a line (package logfiles says what it holds).
	Format LogFormat
	// Parse says what is done with a line that is a JSON object, in LogJSON
	// files: ParseNone (the default) quotes it as any line, ParseJSON nests it.
	Parse LogParse
}

// LogFormat is the format of a module's log files; the zero value is LogText.
type LogFormat uint8

const (
	LogText LogFormat = iota // "2026-11-24T15:04:05.123+01:00 text"
	LogJSON                  // {"ts":...,"module":...,"stream":...,"pid":...,"line":...}
)

// logFormats are the words of log format, by value.
var logFormats = [...]string{LogText: "text", LogJSON: "json"}

// String returns the word of the manifest: "text" or "json".
func (f LogFormat) String() string { return wordOf(logFormats[:], int(f)) }

// LogParse is what a JSON log file makes of a line that is itself a JSON
// object; the zero value is ParseNone.
type LogParse uint8

const (
	ParseNone LogParse = iota // quoted as a string, like every line
	ParseJSON                 // kept as the object it is, under the record's "json" key
)

// logParses are the words of log parse, by value.
var logParses = [...]string{ParseNone: "none", ParseJSON: "json"}

// String returns the word of the manifest: "none" or "json".
func (p LogParse) String() string { return wordOf(logParses[:], int(p)) }

// wordOf is words[i], or a number for a value that has none.
func wordOf(words []string, i int) string {
	if i >= 0 && i < len(words) {
		return words[i]
	}
	return "(" + strconv.Itoa(i) + ")"
}

// SMTP is how alarm mail is sent.
type SMTP struct {
	Host     string // default "127.0.0.1"
	Port     int    // default 25; 1..65535
	From     string // default "svman@" + os.Hostname(); a valid address (net/mail)
	Username string // optional; set exactly when Password is
	Password string
	StartTLS bool // default false
}
