// Package engine makes the running set of modules match a manifest: one supervisor
// goroutine per module owns its child, its timer and its status directory, and one
// reaper per process learns every exit from the kernel and hands it to its owner.
package engine
