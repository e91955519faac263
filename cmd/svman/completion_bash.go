package main

import (
	"fmt"
	"io"
	"strings"
)

// writeBashCompletion writes the bash script: _svman_spec and _svman_value
// hold what specs say of each command; _svman, the same for every command,
// reads them.
func writeBashCompletion(w io.Writer, specs []completionSpec) {
	fmt.Fprintf(w, "# bash completion for svman, made by 'svman completion bash'.\n")
	fmt.Fprintf(w, "# Enable it with: source <(svman completion bash)\n\n")
	fmt.Fprintf(w, "_svman_commands=%s\n", shellQuote(strings.Join(commandNames(), " ")))
	fmt.Fprintf(w, "_svman_manifest=%s\n\n", shellQuote(defaultManifest))

	fmt.Fprintf(w, "# _svman_spec CMD sets, for svman CMD: flags (each as it is spelt), valued (the\n")
	fmt.Fprintf(w, "# names of those that take a value), slots and slotwords (what completes each\n")
	fmt.Fprintf(w, "# argument: modules, modules=, words, commands, files), repeat (the last slot\n")
	fmt.Fprintf(w, "# repeats) and dashargs (a command line of the user's follows --).\n")
	fmt.Fprintf(w, "_svman_spec() {\n\tcase $1 in\n")
	for _, s := range specs {
		var flags, valued []string
		for _, f := range s.flags {
			flags = append(flags, f.name)
			if f.value != "" {
				valued = append(valued, strings.TrimLeft(f.name, "-"))
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
		fmt.Fprintf(w, "\t\tflags=%s valued=%s\n", shellQuote(strings.Join(flags, " ")), shellQuote(strings.Join(valued, " ")))
		fmt.Fprintf(w, "\t\tslots=(%s) slotwords=(%s)\n", strings.Join(kinds, " "), strings.Join(words, " "))
		fmt.Fprintf(w, "\t\trepeat=%s dashargs=%s\n\t\t;;\n", boolWord(s.repeat), boolWord(s.dashArgs))
	}
	fmt.Fprintf(w, "\t*) return 1 ;;\n\tesac\n}\n\n")

	fmt.Fprintf(w, "# _svman_value CMD FLAG CUR completes the value CUR of svman CMD's FLAG (its name).\n")
	fmt.Fprintf(w, "_svman_value() {\n\tcase $1:$2 in\n")
	for _, s := range specs {
		for _, f := range s.flags {
			key := shellQuote(s.name + ":" + strings.TrimLeft(f.name, "-"))
			switch f.value {
			case argWords:
				fmt.Fprintf(w, "\t%s) _svman_reply \"$3\" %s ;;\n", key, shellWords(f.choices))
			case argFiles:
				fmt.Fprintf(w, "\t%s) _svman_files \"$3\" ;;\n", key)
			}
		}
	}
	fmt.Fprintf(w, "\tesac\n}\n")
	io.WriteString(w, bashCompletionBody)
}

// shellWords is words, each quoted, separated by blanks.
func shellWords(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = shellQuote(w)
	}
	return strings.Join(quoted, " ")
}

// boolWord is a shell variable's value for b: "1" or empty.
func boolWord(b bool) string {
	if b {
		return "1"
	}
	return "''"
}

// shellQuote quotes s for sh, bash and zsh: in single quotes, where a single
// quote of s closes the quotes, is escaped with a backslash, and opens them again.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// bashCompletionBody is the part of the bash script that is the same for
// every command. bash splits words at "=" (COMP_WORDBREAKS): _svman joins
// them again, so that --color=al and web=3 are one word each; what it offers
// replaces only the part after the "=", as readline does.
const bashCompletionBody = `
# _svman_reply CUR WORDS... offers the WORDS that start with CUR.
_svman_reply() {
	local cur=$1 w
	shift
	for w; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
	return 0
}

_svman_files() {
	compopt -o filenames 2>/dev/null
	local f
	while IFS= read -r f; do
		COMPREPLY+=("$f")
	done < <(compgen -f -- "$1")
}

# _svman_takes FLAG: FLAG (-x or --x, as the flag package takes either) takes a value.
_svman_takes() {
	local f=${1#-}
	f=${f#-}
	[[ " $valued " == *" $f "* ]]
}

_svman() {
	local i w
	local -a words=()
	for ((i = 0; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((${#words[@]} > 2)) && [[ $w == = || ${words[${#words[@]}-1]} == *= ]]; then
			words[${#words[@]}-1]+=$w
		else
			words+=("$w")
		fi
	done
	local cword=$((${#words[@]} - 1))
	local cur=${words[cword]}
	COMPREPLY=()
	if ((cword == 1)); then
		case $cur in
		-*) _svman_reply "$cur" --help --version ;;
		*) _svman_reply "$cur" $_svman_commands ;;
		esac
		return 0
	fi

	local cmd=${words[1]} file=$_svman_manifest dashdash= n=0 after=0
	local flags valued repeat dashargs
	local -a slots=() slotwords=()
	_svman_spec "$cmd" || return 0
	for ((i = 2; i < cword; i++)); do
		w=${words[i]}
		if [[ -n $dashdash ]]; then
			((after += 1))
			continue
		fi
		case $w in
		--) dashdash=1 ;;
		-f=* | --f=*) file=${w#*=} ;;
		-*=*) ;;
		-?*)
			if _svman_takes "$w"; then
				((i += 1))
				[[ $w == -f || $w == --f ]] && file=${words[i]}
			fi
			;;
		*) ((n += 1)) ;;
		esac
	done
	[[ -z $dashargs ]] && ((n += after))

	# A flag's value: --color=WHEN or --color WHEN.
	local flag= value=$cur prev=${words[cword - 1]}
	if [[ -z $dashdash ]]; then
		if [[ $cur == -?*=* ]]; then
			flag=${cur%%=*} value=${cur#*=}
		elif ((cword > 2)) && [[ $prev == -?* ]] && _svman_takes "$prev"; then
			flag=$prev
		fi
	fi
	if [[ -n $flag ]]; then
		flag=${flag#-}
		_svman_value "$cmd" "${flag#-}" "$value"
		return 0
	fi
	if [[ -z $dashdash && $cur == -* ]]; then
		_svman_reply "$cur" $flags
		return 0
	fi
	if [[ -n $dashdash && -n $dashargs ]]; then
		if ((after == 0)); then
			while IFS= read -r w; do COMPREPLY+=("$w"); done < <(compgen -c -- "$cur")
		else
			_svman_files "$cur"
		fi
		return 0
	fi

	local slot=$n kind name
	if ((slot >= ${#slots[@]})); then
		[[ -n $repeat && ${#slots[@]} -gt 0 ]] || return 0
		slot=$((${#slots[@]} - 1))
	fi
	for kind in ${slots[slot]}; do
		case $kind in
		modules)
			_svman_reply "$cur" $("${words[0]}" completion --modules -f "$file" 2>/dev/null)
			;;
		modules=)
			[[ $cur == *=* ]] && continue
			for name in $("${words[0]}" completion --modules -f "$file" 2>/dev/null); do
				_svman_reply "$cur" "$name="
			done
			compopt -o nospace 2>/dev/null
			;;
		words) _svman_reply "$cur" ${slotwords[slot]} ;;
		commands) _svman_reply "$cur" $_svman_commands ;;
		files) _svman_files "$cur" ;;
		esac
	done
	return 0
}

complete -F _svman svman
`
