package engine

// Readiness counts the supervised modules by where they stand, for svman's
// own readiness (its sd_notify READY=1 and STATUS=).
type Readiness struct {
	Modules  int // supervised
	Ready    int // running and ready
	Starting int // running, not yet ready
	Waiting  int // waiting for their dependencies
	Down     int // down, in backoff, or stopping
	Failed   int // given up on
	// AllReady: every module wanted up is ready (or has completed).
	AllReady bool
}
