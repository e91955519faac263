package engine

// A module's events and its output reach the console (Config.Events and
// Output) in the order they happened, although they come from different
// goroutines: the events from the supervisor at the end of each step (step.go),
// the lines from the pumps as they read them.
//
//   - A step holds the module's gate, shown, from its beginning until its
//     events have been handed over, and a pump holds it while it hands over the
//     lines of one read. Output read during a step therefore follows the step's
//     events: a child's first lines follow "started", a new instance's lines
//     follow the old one's "exited", a child's answer to the stop signal
//     follows "stopping".
//   - Before a step handles a child's exit, the supervisor reads what the
//     module's pipes hold (showWritten): everything the child wrote before it
//     exited is in them by then, so it is shown before the exit is. A partial
//     line stays pending as usual (until its newline, idle time or end of file).
//
// A step never waits for a pump, so the gate cannot deadlock; a pump waits at
// most one step.

// showWritten hands over what the module's pipes hold now. Only the loop
// calls it, outside a step.
func (s *supervisor) showWritten() {
	for _, p := range s.pipes {
		p.ReadNow()
	}
}
