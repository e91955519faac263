package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"svman/legacy"
	"svman/manifest"
)

var importCommand = &command{
	name:    "import",
	args:    "SOURCE",
	summary: "turn a legacy supervise.conf or a Procfile into a supervise.hcl",
	help: `Prints (or writes to -o FILE) a supervise.hcl equivalent to SOURCE.

SOURCE is a legacy supervise.conf, or a Procfile (named "Procfile" or "Procfile.*").

supervise.conf: [global] becomes the defaults block's alarm settings, with a restart
block that keeps the legacy pace (at most one start a second, no backoff). The conf
holds no commands: give each module's with --module NAME=COMMAND, the command of
its start script (supervise -f "COMMAND"); it is split on blanks, without a shell,
as supervise -f does. A module whose section stands before [global] gets
inherit_defaults = false and only its own settings, as the legacy tool reads it.
Sections without a --module are reported and written as commented-out blocks.
alarm_gsm numbers become an alarm exec placeholder, ./notify-sms NUMBER...: point
it at a script that sends the SMS.

Procfile: each "name: command" line becomes a module whose command runs through
/bin/sh -c, as foreman runs it; a .env file beside it becomes each module's env.

A Procfile line that cannot be read is an error, as for 'svman up -f Procfile':
it is reported with its line number and nothing is written. So is a --module
that names no section of the conf. supervise.conf lines the legacy tool skips
are reported as warnings with their line numbers, and skipped as it skipped them.
Exits 0 when the manifest was written, 1 when SOURCE cannot be read or converted,
2 on a usage error.`,
	flags: func(fs *flag.FlagSet) { importFlags(fs) },
	run:   runImport,
}

// importFlags declares svman import's flags on fs and returns their values: the
// command table lists them from it, and runImport parses them.
func importFlags(fs *flag.FlagSet) (mods *moduleFlags, out *string) {
	mods = new(moduleFlags)
	fs.Var(mods, "module", "a module of the conf and its command, `NAME=COMMAND` (repeatable)")
	return mods, fs.String("o", "", "write the manifest to `FILE` instead of standard output")
}

// moduleArg is one --module NAME=COMMAND.
type moduleArg struct {
	name string
	argv []string
}

type moduleFlags []moduleArg

func (m *moduleFlags) String() string { return "" }

// repeatable makes --module a repeatableFlag: each one adds a module.
func (m *moduleFlags) repeatable() {}

func (m *moduleFlags) Set(v string) error {
	name, command, ok := strings.Cut(v, "=")
	name = strings.TrimSpace(name)
	argv := strings.Fields(command)
	switch {
	case !ok:
		return fmt.Errorf("want NAME=COMMAND, such as appui=\"./bin/appui -c conf\"")
	case !manifest.ValidName(name):
		return fmt.Errorf("not a module name: %s", manifest.NameProblem(name))
	case len(argv) == 0:
		return fmt.Errorf("module %q has an empty command", name)
	case slices.ContainsFunc(*m, func(a moduleArg) bool { return a.name == name }):
		return fmt.Errorf("module %q is given twice", name)
	}
	*m = append(*m, moduleArg{name: name, argv: argv})
	return nil
}

func runImport(_ context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	mods, out := importFlags(fs)
	// Flags may come after SOURCE too.
	var sources []string
	for rest := args; ; {
		if ok, code := parseFlags(fs, rest); !ok {
			return code
		}
		left := fs.Args()
		if len(left) == 0 {
			break
		}
		if n := len(rest) - len(left); n > 0 && rest[n-1] == "--" {
			sources = append(sources, left...)
			break
		}
		sources, rest = append(sources, left[0]), left[1:]
	}
	if len(sources) != 1 {
		fmt.Fprintf(stderr, "svman import: want one SOURCE (a supervise.conf or a Procfile), got %d\nUsage: %s\n", len(sources), usageLine(c, fs))
		return exitUsage
	}
	source := sources[0]

	var text []byte
	if manifest.IsProcfile(source) {
		if len(*mods) > 0 {
			fmt.Fprintf(stderr, "svman import: --module is for a supervise.conf; a Procfile names its commands itself\n")
			return exitUsage
		}
		pf, err := manifest.ReadProcfile(source)
		if err != nil {
			// svman up -f Procfile refuses these lines too: a manifest without
			// their processes would drop them silently.
			printLoadError(stderr, err, false)
			fmt.Fprintf(stderr, "svman import: nothing written: fix the lines above\n")
			return exitFailure
		}
		text = procfileManifest(pf)
	} else {
		conf, problems, err := legacy.LoadConf(source)
		if err != nil {
			fmt.Fprintf(stderr, "svman import: %v\n", err)
			return exitFailure
		}
		if !modulesHaveSections(conf, source, *mods, stderr) {
			return exitFailure
		}
		// The legacy tool skips these lines without a word; so does the
		// conversion, but it says so.
		for _, p := range problems {
			fmt.Fprintf(stderr, "%s:%d: warning: %s\n", source, p.Line, p.Reason)
		}
		text = confManifest(conf, source, *mods, stderr)
	}
	if err := checkGenerated(text); err != nil {
		fmt.Fprintf(stderr, "svman import: the manifest made from %s does not load, which is a bug in svman import:\n", source)
		printLoadError(stderr, err, false)
		return exitFailure
	}
	if *out == "" {
		if _, err := stdout.Write(text); err != nil {
			return exitFailure
		}
		return exitOK
	}
	if err := os.WriteFile(*out, text, 0o644); err != nil {
		fmt.Fprintf(stderr, "svman import: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// checkGenerated loads text as svman check would, from a scratch directory.
func checkGenerated(text []byte) error {
	dir, err := os.MkdirTemp("", "svman-import-")
	if err != nil {
		return nil // no scratch space: skip the check rather than fail the import
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "supervise.hcl")
	if err := os.WriteFile(path, text, 0o600); err != nil {
		return nil
	}
	_, err = manifest.Load(path)
	return err
}

func procfileManifest(pf *manifest.Procfile) []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	from := pf.Path
	if pf.EnvPath != "" {
		from += " and " + pf.EnvPath
	}
	appendComment(body, "Made by svman import from "+from+".",
		"Each command runs through /bin/sh -c, as foreman runs it.")
	body.AppendNewline()
	pf.AppendModules(body)
	return hclwrite.Format(f.Bytes())
}

// modulesHaveSections reports whether every --module names a module section of
// conf; it reports each that does not on w, with the sections there are. A
// module without a section would read only [global] under the legacy rules, but
// a --module is far more often a misspelt section than such a module: one that
// is meant must get an empty section after [global] in the conf.
func modulesHaveSections(conf *legacy.Conf, source string, mods []moduleArg, w io.Writer) bool {
	var sections []string
	for _, name := range conf.Sections() {
		if name != legacy.GlobalSection {
			sections = append(sections, name)
		}
	}
	have := "it has no module sections"
	if len(sections) > 0 {
		have = "its sections: " + strings.Join(sections, ", ")
	}
	ok := true
	for _, m := range mods {
		if !slices.Contains(sections, m.name) {
			fmt.Fprintf(w, "svman import: --module %s: %s has no section [%s] (%s). Check the name; for a module that reads only [global], add an empty [%s] after [global] to the conf.\n",
				m.name, source, m.name, have, m.name)
			ok = false
		}
	}
	return ok
}

// smsProgram is the placeholder alarm exec that stands for the legacy SMS gateway.
const smsProgram = "./notify-sms"

// confManifest converts conf; it reports on w the sections it cannot convert.
func confManifest(conf *legacy.Conf, source string, mods []moduleArg, w io.Writer) []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	appendComment(body,
		"Made by svman import from "+source+".",
		"The legacy supervise starts a module at most once a second, with no backoff:",
		"the restart blocks keep that pace.")
	body.AppendNewline()

	// base is what a module without a section gets: [global] on the defaults.
	// "" cannot be a section name.
	base := conf.Policy("")
	cv := &confConverter{w: w, reported: map[string]bool{}}
	defaults := body.AppendNewBlock("defaults", nil).Body()
	appendLegacyRestart(defaults)
	cv.appendAlarm(defaults, base, nil)

	given := map[string]bool{}
	for _, m := range mods {
		given[m.name] = true
		body.AppendNewline()
		cv.appendModule(body, conf, base, m.name, m.argv)
	}
	for _, name := range conf.Sections() {
		if name == legacy.GlobalSection || given[name] {
			continue
		}
		fmt.Fprintf(w, "%s:%d: warning: section [%s] has no --module %s=COMMAND (the conf holds no commands): written commented out\n",
			source, conf.SectionLine(name), name, name)
		scratch := hclwrite.NewEmptyFile()
		cv.appendModule(scratch.Body(), conf, base, name, []string{"./" + name})
		body.AppendNewline()
		lines := []string{"Section [" + name + "] of " + source + ": uncomment and set its command."}
		for _, l := range strings.Split(strings.TrimRight(string(hclwrite.Format(scratch.Bytes())), "\n"), "\n") {
			lines = append(lines, strings.TrimRight(l, " "))
		}
		appendComment(body, lines...)
	}
	return hclwrite.Format(f.Bytes())
}

type confConverter struct {
	w        io.Writer
	reported map[string]bool // invalid addresses already reported
}

func (cv *confConverter) appendModule(body *hclwrite.Body, conf *legacy.Conf, base legacy.Policy, name string, argv []string) {
	b := body.AppendNewBlock("module", []string{name}).Body()
	b.SetAttributeValue("command", stringList(argv))
	p := conf.Policy(name)
	if conf.BeforeGlobal(name) {
		appendComment(b, "["+name+"] stands before [global] in the conf: it reads only its own settings.")
		b.SetAttributeValue("inherit_defaults", cty.False)
		appendLegacyRestart(b)
		cv.appendAlarm(b, p, nil)
		return
	}
	cv.appendAlarm(b, p, &base)
}

// appendLegacyRestart writes the restart block of legacy.Module: always, at the
// legacy pace.
func appendLegacyRestart(body *hclwrite.Body) {
	r := body.AppendNewBlock("restart", nil).Body()
	r.SetAttributeValue("policy", cty.StringVal(string(manifest.RestartAlways)))
	r.SetAttributeValue("delay", cty.StringVal(legacy.StartPace.String()))
	r.SetAttributeValue("max_delay", cty.StringVal(legacy.StartPace.String()))
}

// appendAlarm writes p as an alarm block: every field, or with base only those
// that differ from it (and no block at all when none does).
func (cv *confConverter) appendAlarm(body *hclwrite.Body, p legacy.Policy, base *legacy.Policy) {
	mailList, dropped := cv.mailable(p.Mail)
	var baseMail, baseGSM []string
	if base != nil {
		baseMail, _ = cv.mailable(base.Mail)
		baseGSM = base.GSM
	}
	differs := func(same bool) bool { return base == nil || !same }
	var a *hclwrite.Body
	block := func() *hclwrite.Body {
		if a == nil {
			a = body.AppendNewBlock("alarm", nil).Body()
		}
		return a
	}
	if differs(base != nil && p.AlarmInterval == base.AlarmInterval) {
		block().SetAttributeValue("interval", cty.StringVal(fmt.Sprintf("%ds", p.AlarmInterval/time.Second)))
	}
	if differs(base != nil && p.MaxTries == base.MaxTries) {
		block().SetAttributeValue("max_tries", cty.NumberIntVal(int64(p.MaxTries)))
	}
	if differs(base != nil && p.MaxTriesIfCoredumped == base.MaxTriesIfCoredumped) {
		block().SetAttributeValue("max_tries_if_coredumped", cty.NumberIntVal(int64(p.MaxTriesIfCoredumped)))
	}
	if len(mailList) > 0 && differs(slices.Equal(mailList, baseMail)) {
		block().SetAttributeValue("mail", stringList(mailList))
	}
	if len(dropped) > 0 && differs(base != nil && slices.Equal(p.Mail, base.Mail)) {
		appendComment(block(), "Left out of mail, not addresses svman can send to: "+strings.Join(dropped, " "))
	}
	if len(p.GSM) > 0 && differs(slices.Equal(p.GSM, baseGSM)) {
		appendComment(block(),
			"alarm_gsm: point exec at the script that sends an SMS through your gateway to",
			"each number given; it finds the alarm in SVMAN_MESSAGE (and SVMAN_MODULE, ...).")
		block().SetAttributeValue("exec", stringList(append([]string{smsProgram}, p.GSM...)))
	}
}

// mailable splits addresses as legacy.Mailable does, and reports each address
// left out, once.
func (cv *confConverter) mailable(addrs []string) (ok, dropped []string) {
	ok, dropped = legacy.Mailable(addrs)
	for _, a := range dropped {
		if !cv.reported[a] {
			cv.reported[a] = true
			fmt.Fprintf(cv.w, "svman import: alarm_mail %q is not an address svman can send to: left out\n", a)
		}
	}
	return ok, dropped
}

func stringList(l []string) cty.Value {
	vals := make([]cty.Value, len(l))
	for i, s := range l {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals)
}

// appendComment writes lines as "# " comments into body.
func appendComment(body *hclwrite.Body, lines ...string) {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(strings.TrimRight("# "+l, " ") + "\n")
	}
	body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: b.Bytes()}})
}
