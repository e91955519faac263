// Package metrics keeps what happens to svman's modules as Prometheus metrics
// and shows them in the Prometheus text format: to a scrape (Observer.Handler)
// and in a file for node_exporter's textfile collector (Observer.WriteTextfile).
//
// An Observer is fed by the engine's events (Observe), by the reloads of svman
// up (Reloaded), by the alarm sender (through Alarms and AlarmFailed) and by the
// lines modules write (through Output). Nothing is polled: the CPU time and
// memory of each module's process group are read from /proc when a scrape asks
// for them, and the textfile is written only after something changed.
package metrics
