package main

import (
	"fmt"
	"io"
	"strings"
)

// writeZshCompletion writes the zsh script: _svman_spec holds what specs say
// of each command; _svman, the same for every command, reads it and offers
// the words through compadd, _describe and _files.
func writeZshCompletion(w io.Writer, specs []completionSpec) {
	fmt.Fprintf(w, "#compdef svman\n")
	fmt.Fprintf(w, "# zsh completion for svman, made by 'svman completion zsh'.\n")
	fmt.Fprintf(w, "# Enable it with: source <(svman completion zsh)   (after compinit)\n\n")
	var cmds []string
	for _, s := range specs {
		cmds = append(cmds, shellQuote(s.name+":"+s.summary))
	}
	fmt.Fprintf(w, "_svman_commands=(%s)\n", strings.Join(cmds, " "))
	fmt.Fprintf(w, "_svman_manifest=%s\n\n", shellQuote(defaultManifest))

	fmt.Fprintf(w, "# _svman_spec CMD sets, for svman CMD: flags (FLAG:DESCRIPTION), valued (the\n")
	fmt.Fprintf(w, "# names of the flags that take a value), choices (NAME:WORDS, for those with a\n")
	fmt.Fprintf(w, "# set of values), files (the names of those that take a path), slots and\n")
	fmt.Fprintf(w, "# slotwords (what completes each argument: modules, modules=, words, commands,\n")
	fmt.Fprintf(w, "# files), repeat (the last slot repeats) and dashargs (a command line of the\n")
	fmt.Fprintf(w, "# user's follows --).\n")
	fmt.Fprintf(w, "_svman_spec() {\n\tcase $1 in\n")
	for _, s := range specs {
		var flags, valued, choices, files []string
		for _, f := range s.flags {
			name := strings.TrimLeft(f.name, "-")
			flags = append(flags, shellQuote(f.name+":"+f.desc))
			switch f.value {
			case argWords:
				choices = append(choices, shellQuote(name+":"+strings.Join(f.choices, " ")))
			case argFiles:
				files = append(files, shellQuote(name))
			}
			if f.value != "" {
				valued = append(valued, shellQuote(name))
			}
		}
		var kinds, words []string
		for _, slot := range s.slots {
			var k []string
			for _, kind := range slot.kinds {
				k = append(k, string(kind))
			}
			kinds = append(kinds, shellQuote(strings.Join(k, " ")))
			words = append(words, shellQuote(strings.Join(slot.words, " ")))
		}
		fmt.Fprintf(w, "\t%s)\n", shellQuote(s.name))
		fmt.Fprintf(w, "\t\tflags=(%s)\n", strings.Join(flags, " "))
		fmt.Fprintf(w, "\t\tvalued=(%s) choices=(%s) files=(%s)\n", strings.Join(valued, " "), strings.Join(choices, " "), strings.Join(files, " "))
		fmt.Fprintf(w, "\t\tslots=(%s) slotwords=(%s)\n", strings.Join(kinds, " "), strings.Join(words, " "))
		fmt.Fprintf(w, "\t\trepeat=%s dashargs=%s\n\t\t;;\n", boolWord(s.repeat), boolWord(s.dashArgs))
	}
	fmt.Fprintf(w, "\t*) return 1 ;;\n\tesac\n}\n")
	io.WriteString(w, zshCompletionBody)
}

// zshCompletionBody is the part of the zsh script that is the same for every
// command. Arrays are indexed from 1, as zsh does.
const zshCompletionBody = `
# _svman_takes FLAG: FLAG (-x or --x, as the flag package takes either) takes a value.
_svman_takes() {
	local f=${1#-}
	f=${f#-}
	(( ${valued[(Ie)$f]} ))
}

_svman() {
	if (( CURRENT == 2 )); then
		if [[ $words[2] == -* ]]; then
			compadd -- --help --version
		else
			_describe -t commands 'svman command' _svman_commands
		fi
		return
	fi
	local cmd=$words[2] file=$_svman_manifest dashdash= n=0 after=0 i w repeat dashargs
	local -a flags valued choices files slots slotwords names
	_svman_spec "$cmd" || return 1
	for (( i = 3; i < CURRENT; i++ )); do
		w=$words[i]
		if [[ -n $dashdash ]]; then
			(( after++ ))
			continue
		fi
		case $w in
		--) dashdash=1 ;;
		-f=* | --f=*) file=${w#*=} ;;
		-*=*) ;;
		-?*)
			if _svman_takes "$w"; then
				(( i++ ))
				[[ $w == -f || $w == --f ]] && file=$words[i]
			fi
			;;
		*) (( n++ )) ;;
		esac
	done
	[[ -z $dashargs ]] && (( n += after ))

	# A flag's value: --color=WHEN or --color WHEN.
	local cur=$words[CURRENT] prev=$words[CURRENT-1] flag=
	if [[ -z $dashdash ]]; then
		if [[ $cur == -?*=* ]]; then
			flag=${cur%%=*}
			compset -P '*='
		elif (( CURRENT > 3 )) && [[ $prev == -?* ]] && _svman_takes "$prev"; then
			flag=$prev
		fi
	fi
	if [[ -n $flag ]]; then
		flag=${flag#-}
		flag=${flag#-}
		local c
		for c in $choices; do
			if [[ ${c%%:*} == $flag ]]; then
				compadd -- ${=c#*:}
				return
			fi
		done
		(( ${files[(Ie)$flag]} )) && _files
		return
	fi
	if [[ -z $dashdash && $cur == -* ]]; then
		_describe -t flags 'flag' flags
		return
	fi
	if [[ -n $dashdash && -n $dashargs ]]; then
		if (( after == 0 )); then
			_command_names -e
		else
			_files
		fi
		return
	fi

	local slot=$(( n + 1 )) kind
	if (( slot > $#slots )); then
		[[ -n $repeat && $#slots -gt 0 ]] || return 1
		slot=$#slots
	fi
	for kind in ${=slots[slot]}; do
		case $kind in
		modules)
			names=(${(f)"$("$words[1]" completion --modules -f "$file" 2>/dev/null)"})
			compadd -- $names
			;;
		modules=)
			[[ $cur == *=* ]] && continue
			names=(${(f)"$("$words[1]" completion --modules -f "$file" 2>/dev/null)"})
			compadd -S '=' -- $names
			;;
		words) compadd -- ${=slotwords[slot]} ;;
		commands) _describe -t commands 'svman command' _svman_commands ;;
		files) _files ;;
		esac
	done
}

# As a file _svman in $fpath, this script is _svman's body: it runs on every
# completion. Sourced, it registers _svman.
if [[ $funcstack[1] == _svman ]]; then
	_svman "$@"
elif (( $+functions[compdef] )); then
	compdef _svman svman
fi
`
