// Package logmux is svman's console: it merges the stdout and stderr of many child
// processes, plus svman's own events, into one foreman-style stream of whole,
// prefixed, colored lines. It also cuts a pipe's bytes into the pieces of lines
// that both the console and the module log files (package logfiles) take.
//
// # Pieces of lines
//
// Lines cuts a pipe's bytes into pieces and says how each ends (End): a
// whole line at its newline; a MaxLine piece of a longer line (Cut); what a child
// wrote before it paused mid-line for the idle time (Pause); and the empty end of a
// paused line (PauseEnd). The console shows every piece as a line at once, marking
// Cut ones with CutMarker; a log file (logfiles.File) joins the pieces of a line
// back into one line, written with one timestamp when its newline comes or its
// stream ends.
//
// # A console that falls behind
//
// An asynchronous Console (Options.Buffer > 0) has one writer goroutine, the only one
// that writes to the console; the modules' pumps format their lines and queue them.
// The log files get every line before the console is even asked. Then:
//
//   - While the console takes what it is given, a full queue makes the pump wait for
//     room: the console shows every line, in order, and a module writing faster than
//     the console takes lines goes at the console's pace, as it would writing to that
//     console itself. A regular file or /dev/null takes lines as fast as svman can
//     give them; so does a pipe whose reader keeps reading (svman up | tee).
//   - When one write to the console has made no progress for stallAfter (a second: a
//     stopped pager, a terminal held by Ctrl-S, a reader that stopped reading), the
//     console is stalled until that write returns. Meanwhile a pump that finds the
//     queue full drops its lines from the console instead of waiting, and once the
//     console moves again one line per module says how many were not shown. So a
//     module waits on a console that stopped at most stallAfter, once per stall, and
//     only if its lines filled the queue meanwhile; a regular file, which waits only
//     for the disk as the log files do, is never taken for stalled.
package logmux
