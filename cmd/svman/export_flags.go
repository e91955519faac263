package main

import (
	"fmt"
	"slices"
	"strings"

	"svman/manifest"
)

// choiceValue is a flag that takes one of a few words: svman export's
// --logs, svman alarm's --event.
type choiceValue struct {
	value string
	words []string
}

func (c *choiceValue) String() string { return c.value }

func (c *choiceValue) Set(s string) error {
	switch {
	case slices.Contains(c.words, s):
	case len(c.words) == 2:
		return fmt.Errorf("want %s or %s", c.words[0], c.words[1])
	default:
		return fmt.Errorf("want one of %s", strings.Join(c.words, ", "))
	}
	c.value = s
	return nil
}

// choices makes it a choiceFlag: the completion offers these words.
func (c *choiceValue) choices() []string { return c.words }

// artifactFlags are --artifact MODULE=URL, by module.
type artifactFlags struct{ urls map[string]string }

func (a *artifactFlags) String() string { return "" }

// repeatable makes --artifact a repeatableFlag: one per module.
func (a *artifactFlags) repeatable() {}

func (a *artifactFlags) Set(v string) error {
	name, url, ok := strings.Cut(v, "=")
	switch {
	case !ok || url == "":
		return fmt.Errorf("want MODULE=URL, such as web=https://releases.example.com/web-1.4.tar.gz")
	case !manifest.ValidName(name):
		return fmt.Errorf("not a module name: %s", manifest.NameProblem(name))
	case a.urls[name] != "":
		return fmt.Errorf("module %q is given twice", name)
	}
	if a.urls == nil {
		a.urls = map[string]string{}
	}
	a.urls[name] = url
	return nil
}
