package apicheck

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/hashicorp/nomad/api"
)

// validate checks job, canonicalized, against the rules of Nomad's server
// (nomad/structs: Job.Validate and what it calls) that an export could
// break.
func validate(job *api.Job) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	validName := regexp.MustCompile(`^(?i:[a-z0-9]|[a-z0-9][a-z0-9\-]{0,61}[a-z0-9])$`)
	if *job.Type != "service" {
		fail("job type %q", *job.Type)
	}
	for _, g := range job.TaskGroups {
		labels := map[string]bool{}
		for _, n := range g.Networks {
			for _, p := range slices.Concat(n.ReservedPorts, n.DynamicPorts) {
				labels[p.Label] = true
			}
		}
		if r := g.ReschedulePolicy; r != nil && (*r.Attempts > 0 || *r.Unlimited) && *r.Delay < 5*time.Second {
			fail("group %s: reschedule delay %s under 5s", *g.Name, *r.Delay)
		}
		for _, task := range g.Tasks {
			at := *g.Name + "/" + task.Name
			r := task.RestartPolicy
			switch {
			case *r.Mode != "fail" && *r.Mode != "delay":
				fail("%s: restart mode %q", at, *r.Mode)
			case *r.Attempts == 0 && *r.Mode != "fail":
				fail("%s: restart mode %q with 0 attempts is ambiguous", at, *r.Mode)
			case *r.Interval < 5*time.Second:
				fail("%s: restart interval %s under 5s", at, *r.Interval)
			case time.Duration(*r.Attempts)**r.Delay > *r.Interval:
				fail("%s: %d restarts with delay %s do not fit in %s", at, *r.Attempts, *r.Delay, *r.Interval)
			}
			if use := *task.LogConfig.MaxFiles * *task.LogConfig.MaxFileSizeMB; *g.EphemeralDisk.SizeMB <= use {
				fail("%s: log storage %d MB not under the disk's %d MB", at, use, *g.EphemeralDisk.SizeMB)
			}
			if *task.KillTimeout < 0 {
				fail("%s: kill timeout %s", at, *task.KillTimeout)
			}
			for _, s := range task.Services {
				if !validName.MatchString(s.Name) {
					fail("%s: service name %q", at, s.Name)
				}
				if s.Provider != "nomad" {
					fail("%s: service provider %q", at, s.Provider)
				}
				if s.PortLabel != "" && !labels[s.PortLabel] {
					fail("%s: service port %q not in the group's network", at, s.PortLabel)
				}
				for _, c := range s.Checks {
					if c.Type != "http" && c.Type != "tcp" {
						fail("%s: check type %q, which Nomad's provider does not run", at, c.Type)
					}
					if c.Interval < time.Second || c.Timeout < time.Second {
						fail("%s: check %s every %s, timeout %s: under 1s", at, c.Name, c.Interval, c.Timeout)
					}
					if !labels[c.PortLabel] {
						fail("%s: check port %q not in the group's network", at, c.PortLabel)
					}
					if c.Type == "http" && c.Path == "" {
						fail("%s: http check without a path", at)
					}
				}
			}
		}
	}
	return errs
}

func toStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, s := range l {
		out[i], _ = s.(string)
	}
	return out
}
