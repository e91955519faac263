package systemd

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// A unit file value is read differently by each key, so each kind of value
// has its own writer here (systemd.syntax(7), systemd.service(5) "Command
// lines", systemd.exec(5) Environment=):
//
//   - a word of an Exec*= line is unquoted with C escapes, "$" starts a
//     variable ("$$" is a "$") and "%" a specifier ("%%" is a "%");
//   - the program of an Exec*= line is the same word, but systemd takes
//     "$" in it literally and refuses quotes, backslashes and control
//     characters in it;
//   - an Environment= assignment is unquoted with C escapes, "%" is a
//     specifier, "$" is literal;
//   - a path (WorkingDirectory=, StandardOutput=append:) is taken as
//     written, with "%" a specifier: no quoting, no escapes, so a path that
//     needs them cannot be written;
//   - ExecSearchPath= is split at ":" with C escapes, "%" a specifier.
//
// A line ending in "\" continues on the next, and a newline ends it: a
// writer never leaves either in a value.

// execWord is s as one word of an Exec*= line (an argument, or argv[0]
// after the "@" prefix): quoted when it holds anything but plain
// characters, with "$" and "%" doubled so that systemd expands neither.
func execWord(s string) string {
	s = strings.NewReplacer("$", "$$", "%", "%%").Replace(s)
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !plain(r) }) < 0 {
		return s
	}
	return `"` + cEscape(s, `"`) + `"`
}

// execProgram is path as the program of an Exec*= line: "%" doubled and
// "$" as is (systemd expands specifiers in the program, but not
// variables), quoted when it holds a blank or anything else not plain. ok
// is false when systemd refuses the name: it holds a quote, a backslash or
// a control character, or, as a name without "/", starts with one of the
// prefixes "@-:+!" that an Exec*= line reads as flags.
func execProgram(path string) (word string, ok bool) {
	if path == "" || strings.ContainsAny(path, "\"'\\") || strings.IndexFunc(path, control) >= 0 {
		return "", false
	}
	if !strings.Contains(path, "/") && strings.ContainsRune("@-:+!", rune(path[0])) {
		return "", false
	}
	word = strings.ReplaceAll(path, "%", "%%")
	if strings.IndexFunc(word, func(r rune) bool { return !plain(r) }) >= 0 {
		word = `"` + word + `"`
	}
	return word, true
}

// execLine is the value of an Exec*= line that runs program with argv
// (argv[0] included), prefixed with flags ("-" to ignore its failure).
// When argv[0] is not program as systemd would pass it (a program found
// from a relative path, or one whose name holds a "$", which systemd
// takes literally in the program but expands in argv[0]), the "@" prefix
// passes argv[0] as its own word. ok is false when systemd refuses the
// program (see execProgram).
func execLine(flags, program string, argv []string) (string, bool) {
	prog, ok := execProgram(program)
	if !ok {
		return "", false
	}
	words := []string{flags + prog}
	if argv[0] != program || strings.Contains(program, "$") {
		words[0] = flags + "@" + prog
		words = append(words, execWord(argv[0]))
	}
	for _, a := range argv[1:] {
		words = append(words, execWord(a))
	}
	return strings.Join(words, " "), true
}

// envAssignment is NAME=value as a quoted word of an Environment= line:
// "%" doubled, "\" and `"` escaped, newlines and other control characters
// as C escapes, "$" as is. ok is false for what systemd would refuse: a
// name other than [A-Za-z_][A-Za-z0-9_]*, or a value that is not UTF-8 or
// holds a NUL.
func envAssignment(name, value string) (string, bool) {
	if !envName(name) || !utf8.ValidString(value) || strings.ContainsRune(value, 0) {
		return "", false
	}
	return `"` + cEscape(strings.ReplaceAll(name+"="+value, "%", "%%"), `"`) + `"`, true
}

// pathValue is p as the value of a key that takes a path as written
// (WorkingDirectory=, StandardOutput=append:PATH): "%" doubled, nothing
// else changed. ok is false when systemd cannot read p back: it is not
// UTF-8, holds a control character (a newline would end the line), starts
// or ends with a blank (the line is trimmed) or ends with "\" (which joins
// the next line).
func pathValue(p string) (string, bool) {
	if p == "" || !utf8.ValidString(p) || strings.IndexFunc(p, control) >= 0 ||
		strings.TrimSpace(p) != p || strings.HasSuffix(p, `\`) {
		return "", false
	}
	return strings.ReplaceAll(p, "%", "%%"), true
}

// searchPath is dirs as the value of ExecSearchPath=: joined by ":", each
// with "%" doubled and "\" and control characters escaped. ok is false
// when a directory cannot be written: not UTF-8, holding a ":" (the
// separator) or a blank at either end of the value.
func searchPath(dirs []string) (string, bool) {
	parts := make([]string, len(dirs))
	for i, d := range dirs {
		if d == "" || !utf8.ValidString(d) || strings.Contains(d, ":") {
			return "", false
		}
		parts[i] = cEscape(strings.ReplaceAll(d, "%", "%%"), "")
	}
	v := strings.Join(parts, ":")
	if strings.TrimSpace(v) != v {
		return "", false
	}
	return v, true
}

// specifiers is s with "%" doubled, for a value systemd expands specifiers
// in but otherwise takes as written (User=, Description=), with control
// characters, which no such value may hold, shown as "?".
func specifiers(s string) string {
	return strings.Map(func(r rune) rune {
		if control(r) {
			return '?'
		}
		return r
	}, strings.ReplaceAll(s, "%", "%%"))
}

// cEscape escapes s for systemd's C-style unescaping: "\" and each of
// quotes with a "\", the usual control characters by name (\n, \t, ...),
// other control characters and bytes that are not UTF-8 as \xHH.
func cEscape(s, quotes string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\' || strings.ContainsRune(quotes, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case control(r):
			if e, ok := namedEscapes[r]; ok {
				b.WriteString(e)
			} else {
				fmt.Fprintf(&b, `\x%02x`, r)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

var namedEscapes = map[rune]string{
	'\a': `\a`, '\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`, '\v': `\v`,
}

// plain reports whether r may stand unquoted in an Exec*= word: it is
// neither a blank, a quote, a "\" nor ";" (a word of its own separates
// commands), and means nothing else to systemd once "$" and "%" are
// doubled.
func plain(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("-_./:=,+@^~%$", r)
}

// control reports whether r is an ASCII control character.
func control(r rune) bool { return r < 0x20 || r == 0x7f }

// envName reports whether s is a name systemd accepts in Environment=.
func envName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, c := range []byte(s) {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
