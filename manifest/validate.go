package manifest

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// This file holds the checks on single values that go beyond their type: names,
// commands, signals, policies, paths and alarm targets. Each records its
// diagnostic at the offending value and returns ok=false (or nil).

const howToWriteCommand = `Write the program and its arguments as a list, such as ["./server", "--port", "8080"] (run directly), or as a string, such as "exec ./server 2>&1" (run by /bin/sh -c).`

// moduleCommand evaluates a module's command: a list is the argv as is, a string
// is a shell command line. missing is where to report an absent command.
func (ev *evaluator) moduleCommand(expr hcl.Expression, missing hcl.Range) (argv []string, shell bool, ok bool) {
	before := len(ev.diags)
	v, ok := ev.eval(expr)
	if !ok {
		if len(ev.diags) == before { // unset or null, not an error in the value
			ev.errorf(missing, "Missing command", "Every module needs a command. %s", howToWriteCommand)
		}
		return nil, false, false
	}
	if v.Type() == cty.String {
		s := v.AsString()
		if strings.TrimSpace(s) == "" {
			ev.errorf(expr.Range(), "Empty command", "command is blank, so there is nothing to run. %s", howToWriteCommand)
			return nil, false, false
		}
		if _, ok := ev.toString(v, expr.Range(), "command"); !ok {
			return nil, false, false
		}
		return []string{"/bin/sh", "-c", s}, true, true
	}
	t := v.Type()
	if !t.IsListType() && !t.IsTupleType() {
		ev.errorf(expr.Range(), "Invalid command", "command must be a list of strings or a string, not %s. %s", describe(v), howToWriteCommand)
		return nil, false, false
	}
	argv, ok = ev.argv("command", expr, v, howToWriteCommand)
	return argv, false, ok
}

// argv checks an evaluated list meant to be executed: a non-empty list of strings
// whose first element, the program, is not blank.
func (ev *evaluator) argv(name string, expr hcl.Expression, v cty.Value, how string) ([]string, bool) {
	l, ok := ev.listOfStrings(v, expr, name)
	if !ok {
		return nil, false
	}
	if len(l) == 0 {
		ev.errorf(expr.Range(), "Empty "+name, "%s = [] runs nothing. %s", name, how)
		return nil, false
	}
	if strings.TrimSpace(l[0]) == "" {
		ev.errorf(elemRange(expr, 0), "Empty "+name, "The first element of %s is the program to run and cannot be blank. %s", name, how)
		return nil, false
	}
	return l, true
}

// signal evaluates a signal name such as "TERM". Numbers are refused: they
// differ between architectures (SIGUSR1 is 10 on x86 but 16 on MIPS).
func (ev *evaluator) signal(name string, expr hcl.Expression) *syscall.Signal {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	if v.Type() == cty.Number {
		ev.errorf(expr.Range(), "Invalid "+name, "%s must be a signal name such as \"TERM\" or \"SIGINT\", not a number: signal numbers differ between architectures.", name)
		return nil
	}
	s, ok := ev.toString(v, expr.Range(), name)
	if !ok {
		return nil
	}
	sig, err := ParseSignal(s)
	if err != nil {
		short := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "SIG")
		if ev.isSensitive(expr.Range()) {
			short = "" // a name close to a secret would hint at it: list them all
		}
		ev.errorf(expr.Range(), "Unknown signal", "%s = %s is not a signal svman knows; %s", name, ev.quote(expr.Range(), s), signalHint(short))
		return nil
	}
	return &sig
}

// policy evaluates a restart policy.
func (ev *evaluator) policy(expr hcl.Expression) *RestartPolicy {
	s := ev.str("policy", expr)
	if s == nil {
		return nil
	}
	known := []string{string(RestartAlways), string(RestartOnFailure), string(RestartNever)}
	for _, k := range known {
		if *s == k {
			p := RestartPolicy(k)
			return &p
		}
	}
	hint := `use "always", "on-failure" or "never".`
	if m := Suggest(*s, known); m != "" && !ev.isSensitive(expr.Range()) {
		hint = fmt.Sprintf("did you mean %q?", m)
	}
	ev.errorf(expr.Range(), "Unknown restart policy", "%s is not a restart policy; %s", ev.quote(expr.Range(), *s), hint)
	return nil
}

// path evaluates a directory attribute, resolving a relative path against
// baseDir (the manifest's directory) and cleaning it.
func (ev *evaluator) path(name string, expr hcl.Expression, baseDir string) *string {
	s := ev.str(name, expr)
	if s == nil {
		return nil
	}
	if *s == "" {
		ev.errorf(expr.Range(), "Empty "+name, "%s cannot be empty. Leave it out to use the default, or give a path; relative paths start at the manifest's directory.", name)
		return nil
	}
	p := *s
	if !filepath.IsAbs(p) {
		p = filepath.Join(baseDir, p)
	}
	p = filepath.Clean(p)
	return &p
}

// mailList evaluates alarm mail: a list of addresses, each either bare
// ("ops@example.com") or with a name ("Ops <ops@example.com>").
func (ev *evaluator) mailList(expr hcl.Expression) *[]string {
	l := ev.strList("mail", expr)
	if l == nil {
		return nil
	}
	good := true
	for i, a := range *l {
		if _, err := mail.ParseAddress(a); err != nil {
			rng := elemRange(expr, i)
			ev.errorf(rng, "Invalid mail address", "%s is not an email address%s. Write it as \"ops@example.com\" or \"Ops <ops@example.com>\".", ev.quote(rng, a), ev.because(rng, strings.ReplaceAll(err.Error(), "mail: ", "")))
			good = false
		}
	}
	if !good {
		return nil
	}
	return l
}

const (
	howToWriteExec   = `Write the program and its arguments as a list, such as ["./notify", "--channel", "ops"].`
	howToWriteOnExit = `Write the program and its arguments as a list, such as ["./cleanup", "--all"].`
)

// program evaluates a command run directly, not through a shell: alarm exec
// and on_exit. A relative program path (one holding a "/", such as "./notify")
// is made absolute against baseDir, the manifest's directory, as dir is; a bare
// name such as "logger" is left for a PATH lookup when it runs.
func (ev *evaluator) program(name string, expr hcl.Expression, baseDir, how string) *[]string {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	l, ok := ev.argv(name, expr, v, how)
	if !ok {
		return nil
	}
	if p := l[0]; strings.Contains(p, "/") && !filepath.IsAbs(p) {
		l[0] = filepath.Join(baseDir, p)
	}
	return &l
}

// webhook evaluates alarm webhook: an absolute http or https URL.
func (ev *evaluator) webhook(expr hcl.Expression) *string {
	return ev.httpURL("webhook", expr, "https://hooks.example.com/svman")
}

// httpURL evaluates an attribute that holds an absolute http or https URL
// (alarm webhook, the http check of ready and health); example is such a URL,
// for the messages.
func (ev *evaluator) httpURL(name string, expr hcl.Expression, example string) *string {
	s := ev.str(name, expr)
	if s == nil {
		return nil
	}
	u, err := url.Parse(*s)
	switch {
	case err != nil:
		var ue *url.Error
		if errors.As(err, &ue) { // its message repeats the URL
			err = ue.Err
		}
		ev.errorf(expr.Range(), "Invalid "+name, "%s is not a URL%s. Write an http or https URL such as %q.", ev.quote(expr.Range(), *s), ev.because(expr.Range(), err.Error()), example)
	case u.Scheme != "http" && u.Scheme != "https":
		ev.errorf(expr.Range(), "Invalid "+name, "%s is not an http or https URL. Write one such as %q.", ev.quote(expr.Range(), *s), example)
	case u.Host == "":
		ev.errorf(expr.Range(), "Invalid "+name, "%s has no host. Write a URL such as %q.", ev.quote(expr.Range(), *s), example)
	default:
		return s
	}
	return nil
}
