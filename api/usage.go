package api

import (
	"net/http"
	"time"

	"svman/internal/proc"
)

// Usage is one module of GET /v1/usage: what the process group of its
// running process uses, read from /proc at the request.
type Usage struct {
	Module     string  `json:"module"`
	PID        int     `json:"pid"`
	CPUSeconds float64 `json:"cpu_seconds"` // user and system time of the group's live members
	RSSBytes   int64   `json:"rss_bytes"`   // their resident memory
}

// usage is GET /v1/usage: the modules whose process runs, with their CPU
// time and memory (the metrics svman_module_cpu_seconds_total and
// svman_module_resident_memory_bytes), for a live view to show without
// parsing every metric. /proc is read once for all, only at the request.
func (s *Server) usage(w http.ResponseWriter, _ *http.Request) {
	all, _ := s.targets()
	rows := s.describe(all, time.Now())
	groups := make(map[int]bool, len(rows))
	for _, r := range rows {
		if r.PID != 0 {
			groups[r.PID] = true // a module's process leads its own group
		}
	}
	used := proc.GroupUsage(groups)
	out := make([]Usage, 0, len(used))
	for _, r := range rows {
		if u, ok := used[r.PID]; ok && r.PID != 0 {
			out = append(out, Usage{Module: r.Module, PID: r.PID, CPUSeconds: u.CPU.Seconds(), RSSBytes: u.RSS})
		}
	}
	writeJSON(w, http.StatusOK, out)
}
