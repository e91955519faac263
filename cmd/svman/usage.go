package main

import (
	"flag"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
)

// Usage lines and flag lists are made from each command's flag set, so that
// they name every flag it takes, as the command line spells it: -f for a
// one-letter flag, --color for a word (the flag package takes either dash
// count; svman's documentation uses these).

// usageLine is "svman NAME [FLAGS...] ARGS" for command c, whose flags are fs.
// Each flag appears once, as [--name PLACEHOLDER]: -f first, then by name; a
// flag given more than once ends in "...", aliases share brackets with the flag
// they stand for ([--follow | -F]), and so do flags of which a command line gives
// one (exclusiveFlags).
func usageLine(c *command, fs *flag.FlagSet) string {
	parts := []string{"svman", c.name}
	groups := flagGroups(fs)
	byLeader := make(map[string][]*flag.Flag, len(groups))
	for _, g := range groups {
		byLeader[g[0].Name] = g
	}
	done := map[string]bool{}
	for _, g := range groups {
		if done[g[0].Name] {
			continue
		}
		var alts []string
		repeat := ""
		for _, f := range exclusiveWith(fs, g[0]) {
			done[f.Name] = true
			alts = append(alts, flagSpelling(f))
			for _, alias := range byLeader[f.Name][1:] {
				alts = append(alts, dashed(alias.Name))
			}
			if _, ok := f.Value.(repeatableFlag); ok {
				repeat = "..."
			}
		}
		parts = append(parts, "["+strings.Join(alts, " | ")+"]"+repeat)
	}
	if c.args != "" {
		parts = append(parts, c.args)
	}
	return strings.Join(parts, " ")
}

// printFlags lists fs's flags as usageLine orders them, each with its aliases,
// its description and its default when the description does not give one.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	for _, group := range flagGroups(fs) {
		f := group[0]
		names := []string{flagSpelling(f)}
		for _, alias := range group[1:] {
			names = append(names, dashed(alias.Name))
		}
		_, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  %s\n    \t%s%s\n", strings.Join(names, ", "), usage, defaultText(f))
	}
}

// repeatableFlag is a flag.Value that may be given more than once, each time
// adding to it (--module in import).
type repeatableFlag interface {
	flag.Value
	repeatable()
}

// exclusiveFlags are the sets of flags of which a command line gives one: -f and
// --status-dir are two ways to the same status directories.
var exclusiveFlags = [][]string{{"f", "status-dir"}}

// dashed is a flag's name as the command line spells it.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// flagSpelling is f with its placeholder: "-f FILE", "--json".
func flagSpelling(f *flag.Flag) string {
	placeholder, _ := flag.UnquoteUsage(f)
	if placeholder == "" {
		return dashed(f.Name)
	}
	return dashed(f.Name) + " " + placeholder
}

// flagGroups is fs's flags, each with its aliases after it: -f first, then by
// name. Of flags bound to one variable, the one with the longest name leads.
func flagGroups(fs *flag.FlagSet) [][]*flag.Flag {
	var groups [][]*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		for i, g := range groups {
			if sameValue(g[0], f) {
				if len(f.Name) > len(g[0].Name) {
					groups[i] = append([]*flag.Flag{f}, g...)
				} else {
					groups[i] = append(g, f)
				}
				return
			}
		}
		groups = append(groups, []*flag.Flag{f})
	})
	slices.SortStableFunc(groups, func(a, b []*flag.Flag) int {
		switch {
		case a[0].Name == "f":
			return -1
		case b[0].Name == "f":
			return 1
		}
		return strings.Compare(a[0].Name, b[0].Name)
	})
	return groups
}

// exclusiveWith is f and the flags of fs that exclude it (exclusiveFlags), in
// the order exclusiveFlags gives them.
func exclusiveWith(fs *flag.FlagSet, f *flag.Flag) []*flag.Flag {
	for _, set := range exclusiveFlags {
		if !slices.Contains(set, f.Name) {
			continue
		}
		var out []*flag.Flag
		for _, name := range set {
			if g := fs.Lookup(name); g != nil {
				out = append(out, g)
			}
		}
		return out
	}
	return []*flag.Flag{f}
}

// sameValue reports whether a and b set the same variable: the flag package
// wraps it in a pointer, so two flags bound to it hold equal pointers.
func sameValue(a, b *flag.Flag) bool {
	va, vb := reflect.ValueOf(a.Value), reflect.ValueOf(b.Value)
	return va.Kind() == reflect.Pointer && vb.Kind() == reflect.Pointer && va.Type() == vb.Type() && va.Pointer() == vb.Pointer()
}

// defaultText is " (default X)" for a flag whose default is not its zero value
// and whose description does not already say what the default is.
func defaultText(f *flag.Flag) string {
	switch {
	case f.DefValue == "" || f.DefValue == "false" || f.DefValue == "0":
		return ""
	case strings.Contains(f.Usage, "default"):
		return ""
	}
	return fmt.Sprintf(" (default %s)", f.DefValue)
}
