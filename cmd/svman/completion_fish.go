package main

import (
	"fmt"
	"io"
	"strings"
)

// writeFishCompletion writes the fish script: a complete line for each
// command and each flag, and __svman_args, which says what completes the
// argument under the cursor from what specs say of its position.
func writeFishCompletion(w io.Writer, specs []completionSpec) {
	fmt.Fprintf(w, "# fish completion for svman, made by 'svman completion fish'.\n")
	fmt.Fprintf(w, "# Enable it with: svman completion fish > ~/.config/fish/completions/svman.fish\n\n")
	fmt.Fprintf(w, "set -g __svman_manifest %s\n", fishQuote(defaultManifest))
	io.WriteString(w, fishCompletionBody)
	fmt.Fprintf(w, "\n# __svman_spec CMD prints, for svman CMD: the names of its flags that take a\n")
	fmt.Fprintf(w, "# value, whether its last slot repeats, whether a command line of the user's\n")
	fmt.Fprintf(w, "# follows --, and what completes each argument (slot), one a line.\n")
	fmt.Fprintf(w, "function __svman_spec\n\tswitch $argv[1]\n")
	for _, s := range specs {
		var valued []string
		for _, f := range s.flags {
			if f.value != "" {
				valued = append(valued, strings.TrimLeft(f.name, "-"))
			}
		}
		fmt.Fprintf(w, "\t\tcase %s\n", fishQuote(s.name))
		fmt.Fprintf(w, "\t\t\techo %s\n", fishQuote(strings.Join(valued, " ")))
		fmt.Fprintf(w, "\t\t\techo %s\n\t\t\techo %s\n", fishQuote(boolText(s.repeat)), fishQuote(boolText(s.dashArgs)))
		for _, slot := range s.slots {
			var k []string
			for _, kind := range slot.kinds {
				k = append(k, string(kind))
			}
			fmt.Fprintf(w, "\t\t\techo %s\n", fishQuote(strings.Join(k, " ")+"/"+strings.Join(slot.words, " ")))
		}
	}
	fmt.Fprintf(w, "\t\tcase '*'\n\t\t\treturn 1\n\tend\nend\n\n")

	fmt.Fprintf(w, "complete -c svman -f\n")
	fmt.Fprintf(w, "complete -c svman -n __svman_no_command -l help -d 'show the commands'\n")
	fmt.Fprintf(w, "complete -c svman -n __svman_no_command -l version -d \"print svman's version\"\n")
	for _, s := range specs {
		fmt.Fprintf(w, "complete -c svman -n __svman_no_command -a %s -d %s\n", fishQuote(s.name), fishQuote(s.summary))
	}
	for _, s := range specs {
		cond := fishQuote("__svman_command " + s.name)
		for _, f := range s.flags {
			name := strings.TrimLeft(f.name, "-")
			opt := "-l " + fishQuote(name)
			if len(name) == 1 {
				opt = "-s " + fishQuote(name)
			}
			switch f.value {
			case argWords:
				opt += " -x -a " + fishQuote(strings.Join(f.choices, " "))
			case argFiles:
				opt += " -r -F"
			case argValue:
				opt += " -x"
			}
			fmt.Fprintf(w, "complete -c svman -n %s %s -d %s\n", cond, opt, fishQuote(f.desc))
		}
	}
	fmt.Fprintf(w, "complete -c svman -n '__svman_args modules' -a '(__svman_modules)'\n")
	fmt.Fprintf(w, "complete -c svman -n '__svman_args modules=' -a '(__svman_modules =)'\n")
	fmt.Fprintf(w, "complete -c svman -n '__svman_args words' -a '(__svman_args --words)'\n")
	fmt.Fprintf(w, "complete -c svman -n '__svman_args commands' -a %s\n", fishQuote(strings.Join(commandNames(), " ")))
	fmt.Fprintf(w, "complete -c svman -n '__svman_args files' -F\n")
	fmt.Fprintf(w, "complete -c svman -n '__svman_args program' -a '(__fish_complete_command)'\n")
	fmt.Fprintf(w, "complete -c svman -n '__svman_args programargs' -F\n")
}

// boolText is "1" or "".
func boolText(b bool) string {
	if b {
		return "1"
	}
	return ""
}

// fishQuote quotes s for fish: in single quotes, where a backslash and a single
// quote are escaped with a backslash.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// fishCompletionBody is the part of the fish script that is the same for every
// command.
const fishCompletionBody = `
function __svman_no_command
	test (count (commandline -opc)) -eq 1
end

# __svman_command NAME: the command being completed is svman NAME.
function __svman_command
	set -l tokens (commandline -opc)
	test (count $tokens) -ge 2; and test $tokens[2] = $argv[1]
end

# __svman_args KIND: the argument under the cursor is completed by KIND
# (modules, modules=, words, commands, files; program and programargs after
# run's --). __svman_args --words prints the words of its slot.
# __svman_args --manifest prints the manifest the command line names.
function __svman_args
	set -l tokens (commandline -opc)
	set -l cur (commandline -ct)
	test (count $tokens) -ge 2; or return 1
	set -l spec (__svman_spec $tokens[2]); or return 1
	set -l valued (string split ' ' -- $spec[1])
	set -l repeat $spec[2]
	set -l dashargs $spec[3]
	set -l slots $spec[4..-1]
	set -l file $__svman_manifest
	set -l dashdash
	set -l n 0
	set -l after 0
	set -l i 3
	while test $i -le (count $tokens)
		set -l w $tokens[$i]
		set i (math $i + 1)
		if test -n "$dashdash"
			set after (math $after + 1)
			continue
		end
		switch $w
			case --
				set dashdash 1
			case '-f=*' '--f=*'
				set file (string replace -r '^[^=]*=' '' -- $w)
			case '-*=*'
			case '-?*'
				if contains -- (string replace -r '^--?' '' -- $w) $valued
					if contains -- $w -f --f; and test $i -le (count $tokens)
						set file $tokens[$i]
					end
					set i (math $i + 1)
				end
			case '*'
				set n (math $n + 1)
		end
	end
	if test "$argv[1]" = --manifest
		echo $file
		return 0
	end
	# The word under the cursor is the value of the flag before it.
	test $i -le (math (count $tokens) + 1); or return 1
	test -z "$dashargs"; and set n (math $n + $after)
	if test -n "$dashdash" -a -n "$dashargs"
		if test $after -eq 0
			test "$argv[1]" = program
		else
			test "$argv[1]" = programargs
		end
		return
	end
	if test -z "$dashdash"; and string match -q -- '-*' $cur
		return 1
	end
	set -l slot (math $n + 1)
	if test $slot -gt (count $slots)
		test -n "$repeat" -a (count $slots) -gt 0; or return 1
		set slot (count $slots)
	end
	set -l kinds (string split '/' -- $slots[$slot])
	if test "$argv[1]" = --words
		string split ' ' -- $kinds[2]
		return 0
	end
	# MODULE=N: nothing completes the N.
	if test "$argv[1]" = modules=; and string match -q -- '*=*' $cur
		return 1
	end
	contains -- $argv[1] (string split ' ' -- $kinds[1])
end

# __svman_modules [SUFFIX]: the names of the manifest's modules, each followed by SUFFIX.
function __svman_modules
	set -l tokens (commandline -opc)
	for name in ($tokens[1] completion --modules -f (__svman_args --manifest) 2>/dev/null)
		echo "$name$argv[1]"
	end
end
`
