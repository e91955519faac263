package statusfs

import (
	"slices"
	"strings"
	"testing"
)

// The control letters are the legacy ones, in the legacy order, each with one
// name; the table of words and ControlLetters say the same.
func TestControlTable(t *testing.T) {
	if ControlLetters != "udoktihapcxsnr" {
		t.Errorf("ControlLetters = %q, want the legacy udoktihapcxsnr", ControlLetters)
	}
	var letters []byte
	for _, cw := range controlWords {
		letters = append(letters, byte(cw.c))
	}
	if string(letters) != ControlLetters {
		t.Errorf("the words are for %q, ControlLetters is %q", letters, ControlLetters)
	}
	want := []string{"up", "down", "once", "kill", "term", "int", "hup", "alrm", "pause", "cont", "exit", "silence", "notify", "reload"}
	if got := ControlNames(); !slices.Equal(got, want) {
		t.Errorf("ControlNames() = %v, want %v", got, want)
	}
	for b := range 256 {
		if got, want := IsControl(byte(b)), strings.IndexByte(ControlLetters, byte(b)) >= 0; got != want {
			t.Errorf("IsControl(%q) = %v", byte(b), got)
		}
	}
}

func TestControlWord(t *testing.T) {
	for word, want := range map[string]Control{
		"up": CtlUp, "DOWN": CtlDown, "once": CtlOnce, "kill": CtlKill, "term": CtlTerm, "int": CtlInt,
		"hup": CtlHup, "alrm": CtlAlrm, "alarm": CtlAlrm, "Pause": CtlPause, "cont": CtlCont,
		"continue": CtlCont, "exit": CtlExit, "silence": CtlSilence, "notify": CtlNotify, "reload": CtlReload,
	} {
		if got, ok := ControlWord(word); !ok || got != want {
			t.Errorf("ControlWord(%q) = %q, %v; want %q", word, got, ok, want)
		}
	}
	for _, word := range []string{"", "u", "start", "stop", "upp"} {
		if got, ok := ControlWord(word); ok {
			t.Errorf("ControlWord(%q) = %q, want none", word, got)
		}
	}
}

func TestTakesBack(t *testing.T) {
	for cmds, want := range map[string]bool{"u": true, "o": true, "dx": false, "ku": true, "": false, "\n": false, "U": false} {
		if got := TakesBack([]byte(cmds)); got != want {
			t.Errorf("TakesBack(%q) = %v, want %v", cmds, got, want)
		}
	}
}
