package engine

// Readiness is how many of the supervised modules are in each state, as the
// Config's Readiness callback reports it.
type Readiness struct {
	Modules  int // every module supervised
	Ready    int // running and ready (its probe succeeded, or it has none)
	Starting int // running, not ready yet
	Waiting  int // not started: waiting for its dependencies
	Down     int // down, as wanted (autostart = false, or taken down)
	Failed   int // down and not coming back by itself (gave up, or cannot start)
	// AllReady is true when every module wanted up is ready.
	AllReady bool
}
