package manifest

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// An env file (a module's env_file, the .env beside a Procfile) holds the
// variables of foreman's and godotenv's .env files:
//
//	# a comment line
//	PORT=5000
//	export MODE=production            # "export " is allowed, and ignored
//	GREETING='hello, ${USER}'         # single quotes: taken as written
//	URL="postgres://${DB_HOST}:5432"  # double quotes: escapes and ${VAR}
//	KEY="-----BEGIN KEY-----
//	MIIB...
//	-----END KEY-----"                # a quoted value may span lines
//	NAME = plain value # a comment    # unquoted: ends at a " #" comment
//
// A name is [A-Za-z_][A-Za-z0-9_]*, blanks around "=" are allowed. In double
// quotes, \n, \t and \r stand for a newline, tab and carriage return, and a
// backslash before any other character stands for that character (\", \\,
// \$). Unquoted values are trimmed and taken as written, backslashes and "$"
// included (a password such as pa$word1 stays whole, as foreman reads it).
// ${NAME} and $NAME are expanded in double-quoted values only: from the
// earlier lines of the same file, else from what the caller looks up
// (expandDotEnv); an unset variable expands to "". A "$" not followed by a
// name or "{" is itself. A name set twice keeps its last value.
//
// A diagnostic about an env file points at its line and column but never
// quotes the line: env files hold secrets.

// dotenvVar is one NAME=VALUE of an env file, its value not yet expanded.
type dotenvVar struct {
	Key   string
	Value []dotenvPart
}

// dotenvPart is a piece of a value: literal text, or (Ref) the name of a
// variable whose value stands there.
type dotenvPart struct {
	Text string
	Ref  bool
}

// parseDotEnv parses an env file, src, named filename in its diagnostics. It
// reports every malformed line, each at its own line and column, and returns
// the well-formed assignments in the file's order.
func parseDotEnv(src []byte, filename string) ([]dotenvVar, hcl.Diagnostics) {
	p := &dotenvParser{src: string(src), filename: filename}
	for i, c := range p.src {
		if c == '\n' {
			p.lineStarts = append(p.lineStarts, i+1)
		}
	}
	for p.statement() {
	}
	return p.vars, p.diags
}

// expandDotEnv gives each variable of vars its value, in order: a reference
// is to an earlier variable of vars, else what lookup finds, else "". It
// returns nil when vars is empty.
func expandDotEnv(vars []dotenvVar, lookup func(string) (string, bool)) map[string]string {
	if len(vars) == 0 {
		return nil
	}
	out := make(map[string]string, len(vars))
	for _, v := range vars {
		var b strings.Builder
		for _, part := range v.Value {
			if !part.Ref {
				b.WriteString(part.Text)
				continue
			}
			val, ok := out[part.Text]
			if !ok {
				val, _ = lookup(part.Text)
			}
			b.WriteString(val)
		}
		out[v.Key] = b.String()
	}
	return out
}

// dotenvParser reads src from off on; each statement call reads one line (or
// more, for a quoted value that spans lines).
type dotenvParser struct {
	src, filename string
	off           int
	lineStarts    []int // the offsets where lines 2, 3, ... start
	vars          []dotenvVar
	diags         hcl.Diagnostics
}

// statement reads the next assignment, skipping blank and comment lines; it
// returns false at the end of the file.
func (p *dotenvParser) statement() bool {
	for {
		p.skip(" \t\r\n")
		if p.off == len(p.src) {
			return false
		}
		if p.src[p.off] != '#' {
			break
		}
		p.skipLine()
	}
	if rest, ok := strings.CutPrefix(p.src[p.off:], "export"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
		p.off += len("export")
		p.skip(" \t")
	}
	start := p.off
	for p.off < len(p.src) && !strings.ContainsRune("= \t\r\n", rune(p.src[p.off])) {
		p.off++
	}
	key, keyEnd := p.src[start:p.off], p.off
	if !envName(key) {
		p.fail(start, p.off, "Invalid environment variable name",
			"This line does not start with a variable name: use letters, digits and \"_\", not starting with a digit, such as PORT or APP_MODE.")
		p.skipLine()
		return true
	}
	p.skip(" \t")
	if p.off == len(p.src) || p.src[p.off] != '=' {
		p.fail(start, keyEnd, "Invalid env file line",
			`A line of an env file is NAME=VALUE, such as PORT=8080; this one has no "=" after its name. Comment lines start with "#".`)
		p.skipLine()
		return true
	}
	p.off++
	p.skip(" \t")
	value, ok := p.value()
	if ok {
		p.vars = append(p.vars, dotenvVar{Key: key, Value: value})
	}
	return true
}

// value reads a value, quoted or not, and what may follow it on its line.
func (p *dotenvParser) value() ([]dotenvPart, bool) {
	if p.off < len(p.src) && (p.src[p.off] == '\'' || p.src[p.off] == '"') {
		return p.quoted()
	}
	start := p.off
	if start < len(p.src) && p.src[start] == '#' && (p.src[start-1] == ' ' || p.src[start-1] == '\t') {
		p.skipLine() // NAME= # a comment: an empty value
		return nil, true
	}
	end := strings.IndexByte(p.src[start:], '\n')
	if end < 0 {
		end = len(p.src)
	} else {
		end += start
	}
	line := p.src[start:end]
	for i := 1; i < len(line); i++ { // a comment starts at a blank and "#"
		if line[i] == '#' && (line[i-1] == ' ' || line[i-1] == '\t') {
			line = line[:i]
			break
		}
	}
	p.off = end
	return p.text(start, strings.TrimRight(line, " \t\r"), unquoted)
}

// quoted reads a quoted value from its opening quote, then checks that only a
// comment follows it on its line.
func (p *dotenvParser) quoted() ([]dotenvPart, bool) {
	open := p.off
	quote := p.src[open]
	i := open + 1
	for ; i < len(p.src) && p.src[i] != quote; i++ {
		if quote == '"' && p.src[i] == '\\' {
			i++ // the escaped character cannot close the value
		}
	}
	if i >= len(p.src) {
		p.fail(open, open+1, "Unterminated quoted value",
			"The value that starts with this %c has no closing %c before the end of the file. Add the closing quote after the value.", quote, quote)
		p.off = len(p.src)
		return nil, false
	}
	body := p.src[open+1 : i]
	p.off = i + 1
	p.skip(" \t\r")
	if p.off < len(p.src) && p.src[p.off] != '\n' && p.src[p.off] != '#' {
		end := p.lineEnd()
		p.fail(p.off, end, "Text after a quoted value",
			"Only a comment (starting with \"#\") may follow the closing %c of a value. Put the whole value inside the quotes, or start the comment with \"#\".", quote)
		p.off = end
		return nil, false
	}
	p.skipLine()
	if quote == '\'' {
		return p.text(open+1, body, singleQuoted)
	}
	return p.text(open+1, body, doubleQuoted)
}

// valueKind is how a value was written, which says how its text is read.
type valueKind int

const (
	unquoted     valueKind = iota // as written (trimmed)
	singleQuoted                  // as written
	doubleQuoted                  // references and escapes
)

// text splits a value's text s, which starts at src[at], into literal parts
// and references, as its kind says.
func (p *dotenvParser) text(at int, s string, kind valueKind) ([]dotenvPart, bool) {
	if strings.IndexByte(s, 0) >= 0 {
		p.fail(at, at+len(s), "Invalid env file value", "This value contains a NUL character, which no environment variable can hold.")
		return nil, false
	}
	if kind != doubleQuoted {
		return []dotenvPart{{Text: s}}, true
	}
	escapes := true
	var parts []dotenvPart
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			parts = append(parts, dotenvPart{Text: b.String()})
			b.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && escapes && i+1 < len(s):
			i++
			b.WriteByte(unescape(s[i]))
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 || !envName(s[i+2:i+end]) {
				p.fail(at+i, at+i+2, "Invalid variable reference",
					"${ starts a reference to a variable, such as ${PORT}, which needs a name and a closing }. svman expands ${NAME} and $NAME only (no defaults such as ${NAME:-x}). Write \\$ in double quotes for a plain \"$\", or use single quotes.")
				return nil, false
			}
			flush()
			parts = append(parts, dotenvPart{Text: s[i+2 : i+end], Ref: true})
			i += end
		case c == '$' && i+1 < len(s) && nameStart(s[i+1]):
			j := i + 1
			for j < len(s) && (nameStart(s[j]) || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			flush()
			parts = append(parts, dotenvPart{Text: s[i+1 : j], Ref: true})
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	flush()
	return parts, true
}

// unescape is the character a backslash before c stands for in double quotes.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	case 'r':
		return '\r'
	}
	return c
}

func nameStart(c byte) bool { return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// envName is the rule [A-Za-z_][A-Za-z0-9_]*.
func envName(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !nameStart(c) && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}

func (p *dotenvParser) skip(chars string) {
	for p.off < len(p.src) && strings.IndexByte(chars, p.src[p.off]) >= 0 {
		p.off++
	}
}

// lineEnd is the offset of the end of the current line (its "\n", or the end
// of the file).
func (p *dotenvParser) lineEnd() int {
	if i := strings.IndexByte(p.src[p.off:], '\n'); i >= 0 {
		return p.off + i
	}
	return len(p.src)
}

// skipLine moves past the end of the current line.
func (p *dotenvParser) skipLine() {
	p.off = min(p.lineEnd()+1, len(p.src))
}

// fail records an error about src[from:to], which is on one line or starts
// one that the range is cut at.
func (p *dotenvParser) fail(from, to int, summary, format string, args ...any) {
	start := p.pos(from)
	if nl := strings.IndexByte(p.src[from:to], '\n'); nl >= 0 {
		to = from + nl
	}
	end := p.pos(max(to, from))
	p.diags = append(p.diags, diagErr(hcl.Range{Filename: p.filename, Start: start, End: end}, summary, fmt.Sprintf(format, args...)))
}

// pos is the position of byte off: line and column from 1, the column
// counting characters.
func (p *dotenvParser) pos(off int) hcl.Pos {
	line := sort.SearchInts(p.lineStarts, off+1) // lines that start at or before off, less the first
	start := 0
	if line > 0 {
		start = p.lineStarts[line-1]
	}
	return hcl.Pos{Line: line + 1, Column: utf8.RuneCountInString(p.src[start:off]) + 1, Byte: off}
}
