// Package engine makes the running set of modules match a manifest: one supervisor
// per module owns its child, its timer and its status directory, and has a
// goroutine only while something happens to its module. The supervisor is a
// state machine that makes no system call: what it does to processes and
// descriptors goes through its effects (internal/proc on the real machine, a
// fake in its tests), and its clock is the time package.
package engine
