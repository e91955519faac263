package manifest

import (
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
	// Digest is the SHA-256 of the file's bytes: two loads with the same digest read
	// the same text, so a reload of an unchanged file can be skipped.
	Digest [32]byte
	// Modules in the order they appear in the file.
	// It is empty (not nil) for a manifest without modules.
	Modules []Module
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
	// Env holds the variables set on top of svman's own environment
	// (the defaults' env merged with the module's, the module winning).
	// It is nil when empty, never an empty map, so that DeepEqual means "same".
	Env map[string]string
	// Autostart false means the module starts with want down, until `u`.
	Autostart bool
	// StopSignal is sent to the process group to stop the module (default SIGTERM).
	StopSignal syscall.Signal
	// StopTimeout is how long a stop waits before SIGKILL (default 10s).
	StopTimeout time.Duration
	Restart     Restart
	Alarm       Alarm
}

// RestartPolicy says when an exited module is started again.
type RestartPolicy string

const (
	RestartAlways    RestartPolicy = "always"
	RestartOnFailure RestartPolicy = "on-failure"
	RestartNever     RestartPolicy = "never"
)

// Restart is a module's restart policy.
type Restart struct {
	Policy RestartPolicy // default always
	// Delay is the least time between two starts of the module (default 1s).
	Delay time.Duration
}

// Alarm is a module's alarm policy. It is parsed and validated; the engine acts on it
// in a later version.
type Alarm struct {
	Interval             time.Duration // default 60s; 0 switches alarms and try limits off
	MaxTries             int           // 0: no limit
	MaxTriesIfCoredumped int           // 0: no limit
	Mail                 []string      // addresses as written; nil when empty
	Exec                 []string      // argv run directly, not through a shell; nil when unset
	Webhook              string        // http or https URL; "" when unset
}
