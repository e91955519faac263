package main

import (
	"flag"
	"io"
	"slices"
	"strings"

	"svman/statusfs"
)

// The completion scripts are made from the command table: each command's
// flags (command.flags) and the placeholders of its arguments (command.args).
// A command added to the table is completed without more work.

// argKind is what completes one word of a command's arguments.
type argKind string

const (
	argModules   argKind = "modules"  // the manifest's module names (svman completion --modules)
	argModulesEq argKind = "modules=" // the same, each followed by "=" (scale's MODULE=N)
	argCommands  argKind = "commands" // svman's commands (help COMMAND)
	argFiles     argKind = "files"    // a path
	argWords     argKind = "words"    // the words of argSlot.words (or flagSpec.choices)
	argValue     argKind = "value"    // a flag's value that nothing completes (--timeout D)
)

// argSlot is what completes the argument at one position.
type argSlot struct {
	kinds []argKind
	words []string // for argWords
}

// flagSpec is one flag as the completion offers it.
type flagSpec struct {
	name    string   // as the command line spells it: -f, --color
	desc    string   // its description, placeholder included
	value   argKind  // "" for a flag without a value; argFiles, argWords or argValue
	choices []string // for argWords
}

// completionSpec is how the completion completes one command's words.
type completionSpec struct {
	name, summary string
	flags         []flagSpec
	// slots completes the arguments by position; the last repeats when repeat.
	slots  []argSlot
	repeat bool
	// dashArgs: after "--" comes a command line of the user's (run MODULE -- COMMAND).
	dashArgs bool
}

// choiceFlag is a flag.Value with a fixed set of values (--color), which the
// completion offers.
type choiceFlag interface {
	flag.Value
	choices() []string
}

// completionSpecs is every command's completion, in the command table's order.
func completionSpecs() []completionSpec {
	var specs []completionSpec
	for _, c := range commands() {
		specs = append(specs, commandSpec(c))
	}
	return specs
}

func commandSpec(c *command) completionSpec {
	s := completionSpec{name: c.name, summary: c.summary}
	if fs := declaredFlags(c, io.Discard); fs != nil {
		for _, group := range flagGroups(fs) {
			for _, f := range group {
				s.flags = append(s.flags, flagSpecOf(f))
			}
		}
	}
	s.slots, s.repeat, s.dashArgs = argSlots(c)
	return s
}

func flagSpecOf(f *flag.Flag) flagSpec {
	placeholder, usage := flag.UnquoteUsage(f)
	s := flagSpec{name: dashed(f.Name), desc: usage}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return s
	}
	switch cf, ok := f.Value.(choiceFlag); {
	case ok:
		s.value, s.choices = argWords, cf.choices()
	case strings.HasSuffix(placeholder, "FILE") || strings.HasSuffix(placeholder, "DIR") || placeholder == "PATH":
		s.value = argFiles
	default:
		s.value = argValue
	}
	return s
}

// argSlots reads a command's args ("MODULE... COMMAND", "[-- COMMAND ARGS...]")
// as slots: a word of placeholders in capitals stands for one argument, "..."
// for one or more, "a|b" for one of these words; what follows "--" is the
// user's own command line. After a repeated placeholder comes either another
// of it or what the next placeholder stands for (ctl MODULE... COMMAND).
func argSlots(c *command) (slots []argSlot, repeat, dashArgs bool) {
	for _, word := range strings.Fields(c.args) {
		word = strings.Trim(word, "[]")
		if word == "--" {
			return slots, repeat, true
		}
		if repeat { // a placeholder after a repeated one
			last := slots[len(slots)-1]
			next := placeholderSlot(c, word)
			for _, k := range next.kinds {
				if !slices.Contains(last.kinds, k) {
					last.kinds = append(slices.Clip(last.kinds), k)
				}
			}
			last.words = append(slices.Clip(last.words), next.words...)
			slots = append(slots, last)
			continue
		}
		base, more := strings.CutSuffix(word, "...")
		slots = append(slots, placeholderSlot(c, base))
		repeat = more
	}
	return slots, repeat, false
}

// placeholderSlot is what completes placeholder in c's args.
func placeholderSlot(c *command, placeholder string) argSlot {
	switch {
	case strings.Contains(placeholder, "|"):
		return argSlot{kinds: []argKind{argWords}, words: strings.Split(placeholder, "|")}
	case placeholder == "MODULE":
		return argSlot{kinds: []argKind{argModules}}
	case strings.HasPrefix(placeholder, "MODULE="):
		return argSlot{kinds: []argKind{argModulesEq}}
	case placeholder == "COMMAND" && c == ctlCommand: // a control command
		return argSlot{kinds: []argKind{argWords}, words: controlWords()}
	case placeholder == "COMMAND":
		return argSlot{kinds: []argKind{argCommands}}
	case placeholder == "SOURCE" || strings.HasSuffix(placeholder, "FILE"):
		return argSlot{kinds: []argKind{argFiles}}
	}
	return argSlot{}
}

// controlWords are the words and the letters ctl takes.
func controlWords() []string {
	words := statusfs.ControlNames()
	for _, l := range statusfs.ControlLetters {
		words = append(words, string(l))
	}
	return words
}

// commandNames is every command's name, in the table's order.
func commandNames() []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return names
}
