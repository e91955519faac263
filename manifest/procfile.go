package manifest

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// A Procfile (as foreman and Heroku read it) declares one process a line:
//
//	# comment
//	web: bundle exec rails server -p $PORT
//	worker: ./bin/worker
//
// Each becomes a module with only command = "<the command>" (run by /bin/sh -c,
// as foreman does) and, when a .env file stands beside the Procfile, env = its
// variables. .env is an env file (dotenv.go) whose ${NAME} references, beyond
// its own earlier lines, are to svman's own environment.

// Procfile is a parsed Procfile and the .env file beside it.
type Procfile struct {
	Path    string // as given
	Entries []ProcfileEntry
	// EnvPath is the .env file beside the Procfile, "" when there is none.
	EnvPath string
	// Env holds .env's variables; nil when there is no .env or it is empty.
	Env map[string]string
}

// ProcfileEntry is one "name: command" line.
type ProcfileEntry struct {
	Name    string
	Command string
	Line    int // 1-based
}

// IsProcfile tells whether path names a Procfile ("Procfile" or "Procfile.*"),
// rather than a supervise.hcl.
func IsProcfile(path string) bool {
	base := filepath.Base(path)
	return base == "Procfile" || strings.HasPrefix(base, "Procfile.")
}

// ReadProcfile reads and parses the Procfile at path and the .env beside it.
// The error is a *DiagError whose diagnostics point at the offending lines.
// When only some lines are wrong, the Procfile is returned as well, holding the
// valid ones; it is nil when a file cannot be read at all.
func ReadProcfile(path string) (*Procfile, error) {
	src, d := readManifest(path)
	if d != nil {
		return nil, &DiagError{Diags: hcl.Diagnostics{d}}
	}
	pf := &Procfile{Path: path}
	files := map[string]*hcl.File{path: {Bytes: src}}
	var diags hcl.Diagnostics
	pf.Entries, diags = parseProcfile(src, path)

	envPath := filepath.Join(filepath.Dir(path), ".env")
	envSrc, err := readRegular(envPath, maxFileSize)
	switch {
	case err == nil:
		pf.EnvPath = envPath
		vars, envDiags := parseDotEnv(envSrc, envPath)
		pf.Env = expandDotEnv(vars, os.LookupEnv)
		diags = append(diags, envDiags...)
	case !errors.Is(err, fs.ErrNotExist):
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read .env",
			Detail: fmt.Sprintf("Cannot read %q, the environment of the Procfile's processes: %s.", envPath, errorText(err))})
	}
	if diags.HasErrors() {
		return pf, NewDiagError(diags, files)
	}
	return pf, nil
}

// lineRange is the whole of line n (1-based) of src, which starts at byte off.
func lineRange(filename string, n, off int, line string) hcl.Range {
	return hcl.Range{
		Filename: filename,
		Start:    hcl.Pos{Line: n, Column: 1, Byte: off},
		End:      hcl.Pos{Line: n, Column: utf8.RuneCountInString(line) + 1, Byte: off + len(line)},
	}
}

// eachLine calls f with every line of src, without its line ending, its 1-based
// number and the offset of its first byte.
func eachLine(src []byte, f func(line string, n, off int)) {
	off := 0
	for n, l := range strings.SplitAfter(string(src), "\n") {
		if l == "" {
			break
		}
		f(strings.TrimRight(l, "\r\n"), n+1, off)
		off += len(l)
	}
}

func parseProcfile(src []byte, filename string) ([]ProcfileEntry, hcl.Diagnostics) {
	var entries []ProcfileEntry
	var diags hcl.Diagnostics
	seen := map[string]int{}
	eachLine(src, func(line string, n, off int) {
		rng := lineRange(filename, n, off, line)
		fail := func(summary, format string, args ...any) {
			diags = append(diags, diagErr(rng, summary, fmt.Sprintf(format, args...)))
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			return
		}
		name, command, ok := strings.Cut(trimmed, ":")
		name, command = strings.TrimSpace(name), strings.TrimSpace(command)
		switch {
		case !ok:
			fail("Invalid Procfile line", `A Procfile line is "name: command", such as "web: ./bin/web -p 8080"; this one has no ":". Comment lines start with "#".`)
		case !ValidName(name):
			fail("Invalid process name", "A process name becomes a module name, and %s", NameProblem(name))
		case command == "":
			fail("Empty command", "Process %q has no command after the \":\", so there is nothing to run.", name)
		case strings.ContainsRune(command, 0):
			fail("Invalid command", "The command of %q contains a NUL character, which no command can hold.", name)
		case seen[name] > 0:
			fail("Duplicate process name", "A process named %q is already defined on line %d. Process names must be unique: rename or remove one of them.", name, seen[name])
		default:
			seen[name] = n
			entries = append(entries, ProcfileEntry{Name: name, Command: command, Line: n})
		}
	})
	return entries, diags
}

// AppendModules writes one module block per entry into body: command as a
// string (run by /bin/sh -c) and env holding the .env variables.
func (pf *Procfile) AppendModules(body *hclwrite.Body) {
	var env cty.Value
	if len(pf.Env) > 0 {
		vars := make(map[string]cty.Value, len(pf.Env))
		for k, v := range pf.Env {
			vars[k] = cty.StringVal(v)
		}
		env = cty.MapVal(vars)
	}
	for i, e := range pf.Entries {
		if i > 0 {
			body.AppendNewline()
		}
		b := body.AppendNewBlock("module", []string{e.Name}).Body()
		b.SetAttributeValue("command", cty.StringVal(e.Command))
		if env != cty.NilVal {
			b.SetAttributeValue("env", env)
		}
	}
}

// LoadProcfile loads a Procfile (and the .env beside it) as a manifest: each
// process is a module with every default applied exactly as Load applies them to
// a module block holding only command = "<the command>" and env = {.env}.
// Path is the Procfile's absolute path, StatusDir the "status" directory beside
// it. The error is a *DiagError pointing at the Procfile's (or .env's) lines.
func LoadProcfile(path string) (*Manifest, error) {
	pf, err := ReadProcfile(path)
	if err != nil {
		return nil, err
	}
	abs, derr := locate(path, "Procfile")
	if derr != nil {
		return nil, derr
	}
	f := hclwrite.NewEmptyFile()
	pf.AppendModules(f.Body())
	src := f.Bytes()
	generated := path + " (as HCL)"
	m, file, _, diags := decode(src, generated, abs)
	if !diags.HasErrors() {
		// The digest covers the .env too: both make the manifest. The .env
		// is a source even while missing: creating it changes the manifest.
		m.Digest = sha256.Sum256(src)
		m.Sources = []string{filepath.Join(filepath.Dir(abs), ".env")}
		procSrc, _ := os.ReadFile(path) // read a moment ago; unreadable now, only the lines go
		m.Sites = procfileSites(pf, path, procSrc)
		return m, nil
	}
	// Only what the Procfile parser does not check can get here; point each
	// diagnostic at the line of the process it is about.
	files := map[string]*hcl.File{}
	procSrc, _ := os.ReadFile(path)
	files[path] = &hcl.File{Bytes: procSrc}
	lines := procfileLines(procSrc, path)
	for _, d := range diags {
		if d.Subject == nil || d.Subject.Filename != generated {
			continue
		}
		subject := (*hcl.Range)(nil)
		if body, ok := file.Body.(*hclsyntax.Body); ok {
			for _, b := range body.Blocks {
				if len(b.Labels) == 1 && b.Range().ContainsPos(d.Subject.Start) {
					for _, e := range pf.Entries {
						if e.Name == b.Labels[0] {
							r := lines[e.Line]
							subject = &r
						}
					}
				}
			}
		}
		d.Subject, d.Context = subject, nil
	}
	return nil, NewDiagError(diags, files)
}

// procfileLines returns the range of every line of src, by line number.
func procfileLines(src []byte, filename string) map[int]hcl.Range {
	lines := map[int]hcl.Range{}
	eachLine(src, func(line string, n, off int) {
		lines[n] = lineRange(filename, n, off, line)
	})
	return lines
}
