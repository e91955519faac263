package statusfs

import (
	"bytes"
	"strings"
)

// Control is one command byte written to the control FIFO, with the meaning
// the legacy supervise gives it. Bytes that are none of these are for the
// reader to ignore (the newline of `echo d > control`) or warn of.
type Control byte

// The commands of the control FIFO, in the legacy order (ControlLetters).
const (
	CtlUp      Control = 'u' // want up: start the child, restart it whenever it exits
	CtlDown    Control = 'd' // want down: stop the child's group (stop signal, SIGKILL after the timeout)
	CtlOnce    Control = 'o' // start the child if down; do not restart it
	CtlKill    Control = 'k' // send SIGKILL to the child
	CtlTerm    Control = 't' // send SIGTERM to the child
	CtlInt     Control = 'i' // send SIGINT to the child
	CtlHup     Control = 'h' // send SIGHUP to the child
	CtlAlrm    Control = 'a' // send SIGALRM to the child
	CtlPause   Control = 'p' // SIGSTOP the child's group
	CtlCont    Control = 'c' // SIGCONT the child's group
	CtlExit    Control = 'x' // end supervision once the child is down
	CtlSilence Control = 's' // alarms off
	CtlNotify  Control = 'n' // alarms on
	CtlReload  Control = 'r' // read the manifest again and apply what changed
)

// ControlLetters is every Control, in the legacy order.
const ControlLetters = "udoktihapcxsnr"

// controlWords names each Control, in the order of ControlLetters: the first
// word is its name, the others are accepted too.
var controlWords = [...]struct {
	c     Control
	words []string
}{
	{CtlUp, []string{"up"}},
	{CtlDown, []string{"down"}},
	{CtlOnce, []string{"once"}},
	{CtlKill, []string{"kill"}},
	{CtlTerm, []string{"term"}},
	{CtlInt, []string{"int"}},
	{CtlHup, []string{"hup"}},
	{CtlAlrm, []string{"alrm", "alarm"}},
	{CtlPause, []string{"pause"}},
	{CtlCont, []string{"cont", "continue"}},
	{CtlExit, []string{"exit"}},
	{CtlSilence, []string{"silence"}},
	{CtlNotify, []string{"notify"}},
	{CtlReload, []string{"reload"}},
}

// IsControl reports whether b is one of the Controls.
func IsControl(b byte) bool {
	return strings.IndexByte(ControlLetters, b) >= 0
}

// ControlWord returns the Control a word names ("down", "continue"), in any case.
func ControlWord(word string) (Control, bool) {
	word = strings.ToLower(word)
	for _, cw := range controlWords {
		for _, w := range cw.words {
			if w == word {
				return cw.c, true
			}
		}
	}
	return 0, false
}

// ControlNames returns the name of every Control, in the order of
// ControlLetters: "up", "down", "once", ...
func ControlNames() []string {
	names := make([]string, len(controlWords))
	for i, cw := range controlWords {
		names[i] = cw.words[0]
	}
	return names
}

// TakesBack reports whether control bytes written to the FIFO of a module
// released with `x` ask for it to be supervised again: they hold CtlUp or
// CtlOnce.
func TakesBack(cmds []byte) bool {
	return bytes.IndexByte(cmds, byte(CtlUp)) >= 0 || bytes.IndexByte(cmds, byte(CtlOnce)) >= 0
}
