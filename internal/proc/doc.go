// Package proc is what supervision does to the system: it forks children in
// process groups, from threads with small descriptor tables of their own
// (forker.go, forktable.go), and reaps them (Reaper), signals groups and processes, tells
// whether they are alive, scans /proc for the processes a module left behind,
// copies children's output pipes to line sinks when epoll says they are
// readable (Pipes), and watches status directories for deletions (DirWatch).
// The supervision state machine (package engine) makes no system call itself:
// System is its effects on the real machine.
package proc
