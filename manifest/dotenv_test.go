package manifest

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// The syntax of env files, as foreman's and godotenv's .env files; lookup is
// what the file's references find outside it (earlier env files, svman's
// environment).
func TestDotEnvSyntax(t *testing.T) {
	lookup := map[string]string{"SVMAN_HOST": "db.internal", "low": "lower", "EMPTY": ""}
	tests := []struct {
		name string
		src  string
		want map[string]string
	}{
		{"empty file", "", nil},
		{"comments and blank lines", "# one\n\n   # two\r\n\t\n", nil},
		{"plain", "PORT=5000\nMODE=dev", map[string]string{"PORT": "5000", "MODE": "dev"}},
		{"CRLF line endings", "A=1\r\nB='2'\r\nC=\"3\"\r\n", map[string]string{"A": "1", "B": "2", "C": "3"}},
		{"blanks around =", "  A = 1  \nB\t=\t2", map[string]string{"A": "1", "B": "2"}},
		{"export", "export A=1\nexport\tB='2'", map[string]string{"A": "1", "B": "2"}},
		{"export as a name", "export=1\nexported=2", map[string]string{"export": "1", "exported": "2"}},
		{"empty values", "A=\nB=''\nC=\"\"\nD= # comment", map[string]string{"A": "", "B": "", "C": "", "D": ""}},
		{"last one wins", "A=1\nA=2", map[string]string{"A": "2"}},
		{"unquoted comment", "A=v # one # two\nB=a#b\nC=#c", map[string]string{"A": "v", "B": "a#b", "C": "#c"}},
		{"unquoted keeps backslashes and quotes", `A=a\nb "c" 'd'`, map[string]string{"A": `a\nb "c" 'd'`}},
		{"comment after quoted values", "A=\"v # w\" # comment\nB='x' #c", map[string]string{"A": "v # w", "B": "x"}},
		{"single quotes as written", `A='\n ${SVMAN_HOST} $SVMAN_HOST "q"'`, map[string]string{"A": `\n ${SVMAN_HOST} $SVMAN_HOST "q"`}},
		{"double-quote escapes", `A="a\nb\tc\rd \"q\" \\ \$X \z"`, map[string]string{"A": "a\nb\tc\rd \"q\" \\ $X z"}},
		{"escaped quotes at both ends", `A="\"quoted\""`, map[string]string{"A": `"quoted"`}},
		{"backslash before the closing quote", "A=\"ends in \\\\\"\nB=2", map[string]string{"A": `ends in \`, "B": "2"}},
		{"multi-line double quotes", "KEY=\"-----BEGIN-----\nabc\n-----END-----\"\nNEXT=1", map[string]string{"KEY": "-----BEGIN-----\nabc\n-----END-----", "NEXT": "1"}},
		{"multi-line single quotes", "A='one\ntwo'", map[string]string{"A": "one\ntwo"}},
		{"unicode", "GREETING=\"héllo ☃\"", map[string]string{"GREETING": "héllo ☃"}},
		{"expand from earlier lines", "A=1\nB=\"x${A}y\"\nC=\"$A$B\"\nA=2\nD=\"${A}\"", map[string]string{"A": "2", "B": "x1y", "C": "1x1y", "D": "2"}},
		{"unquoted is as written", "A=1\nB=pa$word1\nC=${A}\\n", map[string]string{"A": "1", "B": "pa$word1", "C": "${A}\\n"}},
		{"expand from outside", `A="${SVMAN_HOST}:5432"` + "\nB=\"$SVMAN_HOST/x\"", map[string]string{"A": "db.internal:5432", "B": "db.internal/x"}},
		{"the file before outside", "SVMAN_HOST=local\nA=\"${SVMAN_HOST}\"", map[string]string{"SVMAN_HOST": "local", "A": "local"}},
		{"lower-case names", "B=\"${low}\"\nC=\"$low\"", map[string]string{"B": "lower", "C": "lower"}},
		{"unset is empty", "A=\"[${NOPE}][$NOPE][$EMPTY]\"", map[string]string{"A": "[][][]"}},
		{"later lines are not seen", "A=\"$B\"\nB=1", map[string]string{"A": "", "B": "1"}},
		{"a lone dollar", `A=$ 5 $1 a$` + "\nB=\"$\"", map[string]string{"A": "$ 5 $1 a$", "B": "$"}},
		{"name ends at a non-name character", "A=1\nB=\"$A-$A.x\"", map[string]string{"A": "1", "B": "1-1.x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars, diags := parseDotEnv([]byte(tt.src), ".env")
			if diags.HasErrors() {
				t.Fatalf("parse errors: %v", diags)
			}
			got := expandDotEnv(vars, func(k string) (string, bool) { v, ok := lookup[k]; return v, ok })
			if !maps.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// Each malformed line is a diagnostic at its own line and column, the other
// lines are still read, and the message never repeats a value.
func TestDotEnvMalformedLines(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		where []string // "line:col-endcol summary", in order
		keys  []string // the names of the assignments read all the same
	}{
		{"no =", "A=1\n\nPORT 2\nB=2", []string{"3:1-5 Invalid env file line"}, []string{"A", "B"}},
		{"export without =", "export PORT", []string{"1:8-12 Invalid env file line"}, nil},
		{"name with a space", "A=1\nB C=2", []string{"2:1-2 Invalid env file line"}, []string{"A"}},
		{"name starting with a digit", "1PORT=1\nA=1", []string{"1:1-6 Invalid environment variable name"}, []string{"A"}},
		{"name with a dot", "FOO.BAR=1", []string{"1:1-8 Invalid environment variable name"}, nil},
		{"yaml style", "A: 1", []string{"1:1-3 Invalid environment variable name"}, nil},
		{"text after the closing quote", "A=\"x\" y\nB='v'junk #c\nC=3", []string{"1:7-8 Text after a quoted value", "2:6-13 Text after a quoted value"}, []string{"C"}},
		{"unterminated double quote", "A=1\nB=2\nC=\"unterminated\nD=4", []string{"3:3-4 Unterminated quoted value"}, []string{"A", "B"}},
		{"unterminated single quote", "  A='x", []string{"1:5-6 Unterminated quoted value"}, nil},
		{"escaped closing quote", `A="x\"`, []string{"1:3-4 Unterminated quoted value"}, nil},
		{"default syntax", "A=1\nB=\"${A:-x}\"", []string{"2:4-6 Invalid variable reference"}, []string{"A"}},
		{"unclosed reference", "A=\"${B\"", []string{"1:4-6 Invalid variable reference"}, nil},
		{"empty reference", "A=\"x${}\"", []string{"1:5-7 Invalid variable reference"}, nil},
		{"column counts characters", "A=\"é☃\" y", []string{"1:8-9 Text after a quoted value"}, nil},
		{"NUL", "A=x\x00y\nB=1", []string{"1:3-6 Invalid env file value"}, []string{"B"}},
		{"every line at once", "1=a\nb\n'c'=d", []string{"1:1-2 Invalid environment variable name", "2:1-2 Invalid env file line", "3:1-4 Invalid environment variable name"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars, diags := parseDotEnv([]byte(tt.src), "app/.env")
			var where []string
			for _, d := range diags {
				s := d.Subject
				if s.Filename != "app/.env" || s.Start.Line != s.End.Line {
					t.Errorf("subject %+v", s)
				}
				where = append(where, fmt.Sprintf("%d:%d-%d %s", s.Start.Line, s.Start.Column, s.End.Column, d.Summary))
				if strings.Contains(d.Detail, "unterminated\"") || strings.Contains(d.Detail, "junk") {
					t.Errorf("the message shows a value: %s", d.Detail)
				}
			}
			if fmt.Sprint(where) != fmt.Sprint(tt.where) {
				t.Errorf("diagnostics %q, want %q", where, tt.where)
			}
			var keys []string
			for _, v := range vars {
				keys = append(keys, v.Key)
			}
			if fmt.Sprint(keys) != fmt.Sprint(tt.keys) {
				t.Errorf("read %q, want %q", keys, tt.keys)
			}
		})
	}
}

// A diagnostic of an env file quotes its line, with the subject underlined.
func TestDotEnvDiagnosticText(t *testing.T) {
	src := []byte("A=1\nB=\"x\" oops\n")
	_, diags := parseDotEnv(src, "app/.env")
	err := &DiagError{Diags: diags, Files: map[string]*hcl.File{"app/.env": {Bytes: src}}}
	want := "app/.env:2:7: error: Text after a quoted value\n" +
		" 2 | B=\"x\" oops\n" +
		"   |       ^^^^\n"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got\n%s\nwant it to start with\n%s", err, want)
	}
}
