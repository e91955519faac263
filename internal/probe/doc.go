// Package probe runs the checks that tell whether a module is ready or healthy:
// one attempt of an http, tcp or exec probe (Attempt), a bound on how many run
// at once (Runner), and the back-off between a ready probe's attempts
// (Backoff). It decides nothing: the engine schedules attempts and acts on
// their results. Log probes are not run here; the engine matches them against
// the module's output.
package probe
