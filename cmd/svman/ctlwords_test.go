package main

import (
	"regexp"
	"testing"

	"svman/statusfs"
)

// svman help ctl names every control command statusfs knows, as "word letter",
// and svman ctl takes each word for its letter.
func TestCtlHelpNamesEveryControl(t *testing.T) {
	for i, name := range statusfs.ControlNames() {
		letter := statusfs.ControlLetters[i]
		if !regexp.MustCompile(`(?m)(^|\s)` + name + ` ` + string(letter) + `\s`).MatchString(ctlCommand.help) {
			t.Errorf("svman help ctl does not name %q (%c)", name, letter)
		}
		if b, err := parseControl(name); err != nil || string(b) != string(letter) {
			t.Errorf("parseControl(%q) = %q, %v; want %q", name, b, err, letter)
		}
	}
}
