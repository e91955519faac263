package nomad

// The job as Nomad's HTTP API takes it (POST /v1/jobs) and nomad job run
// -json reads it: {"Job": {...}}. The keys are the Go field names of
// Nomad's api package (github.com/hashicorp/nomad/api), whose structs have
// no json tags, so that svman does not depend on that package; the apicheck
// module's test decodes this output into api.Job strictly. Durations are
// nanoseconds, as encoding/json writes a time.Duration. Only what an export
// sets is here; every field is left out when empty unless its zero value
// means something (a count of 0, no restart attempts), which is why those
// are pointers.

// register is the body of a job registration: the form both POST /v1/jobs
// and nomad job run -json take (the latter also takes a bare job).
type register struct {
	Job *Job
}

// Job is api.Job.
type Job struct {
	ID          string
	Name        string
	Type        string
	Datacenters []string `json:",omitempty"`
	// Meta names the manifest the job was exported from (MetaManifest),
	// which tells a later export that it may write over this one.
	Meta       map[string]string
	TaskGroups []*TaskGroup
}

// MetaManifest is the key of Job.Meta that holds the manifest's path.
const MetaManifest = "svman_manifest"

// TaskGroup is api.TaskGroup.
type TaskGroup struct {
	Name             string
	Count            *int
	Networks         []*NetworkResource `json:",omitempty"`
	ReschedulePolicy *ReschedulePolicy  `json:",omitempty"`
	EphemeralDisk    *EphemeralDisk     `json:",omitempty"`
	Tasks            []*Task
}

// NetworkResource is api.NetworkResource: the ports a group reserves on
// its client.
type NetworkResource struct {
	ReservedPorts []Port `json:",omitempty"` // static: port "x" { static = N }
	DynamicPorts  []Port `json:",omitempty"` // port "x" {}
}

// Port is api.Port.
type Port struct {
	Label string
	Value int `json:",omitempty"`
}

// ReschedulePolicy is api.ReschedulePolicy.
type ReschedulePolicy struct {
	Attempts  *int
	Unlimited *bool
}

// EphemeralDisk is api.EphemeralDisk.
type EphemeralDisk struct {
	SizeMB int
}

// Task is api.Task.
type Task struct {
	Name          string
	Driver        string
	User          string         `json:",omitempty"`
	Lifecycle     *TaskLifecycle `json:",omitempty"`
	Config        TaskConfig
	Env           map[string]string `json:",omitempty"`
	Services      []*Service        `json:",omitempty"`
	RestartPolicy *RestartPolicy
	KillTimeout   int64 // nanoseconds
	KillSignal    string
	LogConfig     *LogConfig
	Artifacts     []*TaskArtifact `json:",omitempty"`
}

// TaskConfig is the raw_exec and exec drivers' config (api.Task.Config is a
// map[string]any; these are its keys).
type TaskConfig struct {
	Command string   `json:"command"`
	Args    []string `json:"args,omitempty"`
	WorkDir string   `json:"work_dir,omitempty"`
}

// TaskLifecycle is api.TaskLifecycle.
type TaskLifecycle struct {
	Hook    string
	Sidecar bool
}

// RestartPolicy is api.RestartPolicy.
type RestartPolicy struct {
	Attempts *int
	Interval int64 // nanoseconds
	Delay    int64 // nanoseconds
	Mode     string
}

// LogConfig is api.LogConfig; Nomad's MB are MiB.
type LogConfig struct {
	MaxFiles      int
	MaxFileSizeMB int
}

// TaskArtifact is api.TaskArtifact.
type TaskArtifact struct {
	GetterSource string
	RelativeDest string
}

// Service is api.Service.
type Service struct {
	Name      string
	Provider  string
	PortLabel string         `json:",omitempty"`
	Address   string         `json:",omitempty"`
	Checks    []ServiceCheck `json:",omitempty"`
}

// ServiceCheck is api.ServiceCheck.
type ServiceCheck struct {
	Name         string
	Type         string
	Path         string `json:",omitempty"`
	Protocol     string `json:",omitempty"`
	PortLabel    string
	Interval     int64         // nanoseconds
	Timeout      int64         // nanoseconds
	CheckRestart *CheckRestart `json:",omitempty"`
}

// CheckRestart is api.CheckRestart.
type CheckRestart struct {
	Limit int
	Grace *int64 `json:",omitempty"` // nanoseconds; nil is Nomad's 1s
}
