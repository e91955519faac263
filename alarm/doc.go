// Package alarm tells people that a supervised module exited or that svman gave up
// restarting it. An alarm goes out through up to three channels: mail (SMTP), a
// webhook (an HTTP POST of the facts as JSON) and an exec hook (a program run with
// the facts in its SVMAN_* environment).
//
// Alarms must never hold up supervision: a [Sender] runs each delivery in its own
// goroutine, bounded by a timeout, and reports a failed delivery through a
// callback instead of returning it. No text of an alarm ever passes through a
// shell: the exec hook gets its argv as a list and the facts in its environment.
package alarm
