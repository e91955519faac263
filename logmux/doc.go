// Package logmux merges the stdout and stderr of many child processes, plus svman's own
// events, into one foreman-style stream of whole, prefixed, colored lines.
package logmux
