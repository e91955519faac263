// Package legacy reads the files of the legacy Baidu-style supervise that svman
// replaces (supervise.conf, the per-product alarm configuration) and translates
// what the legacy tool runs into svman's manifest values (supervise.go).
//
// The rules follow the legacy tool's parse_conf exactly (see
// /work/shared/reference/supervise.md, "The config file"), with one addition: a
// line the legacy tool would skip without a word (an unknown key, a key line
// without ':', an indented line, a malformed section header, a line too long) is
// reported as a Problem, so that a migration never drops a setting silently.
package legacy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Policy is what supervise.conf says for one module, after the legacy rules.
type Policy struct {
	AlarmInterval        time.Duration // 0: alarms and try limits off; 1..59 s count as 60 s
	MaxTries             int           // 0: no limit
	MaxTriesIfCoredumped int           // 0: no limit
	Mail                 []string      // addresses, in order
	GSM                  []string      // phone numbers, at most 10
}

// Problem is a line the parser could not understand: reported, never silently dropped.
type Problem struct {
	Line   int    // 1-based
	Text   string // the line as written (cut to MaxLine bytes)
	Reason string
}

func (p Problem) String() string { return fmt.Sprintf("%d: %s", p.Line, p.Reason) }

// Keys of supervise.conf.
const (
	KeyAlarmInterval        = "alarm_interval"
	KeyAlarmMail            = "alarm_mail"
	KeyAlarmGSM             = "alarm_gsm"
	KeyMaxTries             = "max_tries"
	KeyMaxTriesIfCoredumped = "max_tries_if_coredumped"
)

// MaxLine is the longest line ParseConf accepts, in bytes (without the newline);
// a longer one is a Problem and is ignored.
const MaxLine = 1024

// MaxGSM is the most phone numbers a module gets, [global]'s and its own together.
const MaxGSM = 10

// GlobalSection is the name of the section every module after it inherits.
const GlobalSection = "global"

// Conf is a parsed supervise.conf.
type Conf struct {
	sections []*section // every header in file order, duplicates included
}

type section struct {
	name    string
	line    int
	entries []entry
}

type entry struct {
	key, value string // value without its trailing comment, trimmed
	line       int
}

// DefaultPolicy is what a module gets when the file exists but says nothing for
// it: alarm_interval 2 (60 s after the 1..59 rule), max_tries 20,
// max_tries_if_coredumped 5, no mail, no gsm.
func DefaultPolicy() Policy {
	return Policy{AlarmInterval: 60 * time.Second, MaxTries: 20, MaxTriesIfCoredumped: 5}
}

// LoadConf reads and parses the file at path. A missing or unreadable file is an
// error: the caller decides what to do (the legacy tool logs a warning and keeps
// its old values).
func LoadConf(path string) (*Conf, []Problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	c, probs, err := ParseConf(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, probs, nil
}

// ParseConf parses a supervise.conf. It fails only when r fails; every line it
// cannot understand is returned as a Problem, in line order, and has no effect.
func ParseConf(r io.Reader) (*Conf, []Problem, error) {
	c := &Conf{}
	var probs []Problem
	seen := map[string]int{}
	var cur *section // nil: before the first header, or in one no module reads
	dead := false    // in a section whose header was reported: its keys are not reported again
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		raw, long, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, err
		}
		last := err != nil // io.EOF: a last line without a newline, or nothing
		if last && len(raw) == 0 && !long {
			break
		}
		problem := func(format string, args ...any) {
			probs = append(probs, Problem{Line: n, Text: string(raw), Reason: fmt.Sprintf(format, args...)})
		}
		line := strings.TrimRight(string(raw), " \t\r\n\v\f")
		switch {
		case long:
			problem("line longer than %d bytes: ignored", MaxLine)
		case line == "" || line[0] == '#':
		case line[0] == ' ' || line[0] == '\t' || line[0] == '\v' || line[0] == '\f' || line[0] == '\r':
			if t := strings.TrimSpace(line); !strings.HasPrefix(t, "#") {
				problem("not at column 0: ignored (keys and section headers start at column 0)")
			}
		case line[0] == '[':
			// Any line starting with '[' ends the section before it.
			cur, dead = nil, true
			name, reason := parseHeader(line)
			if reason != "" {
				problem("%s", reason)
				if name == "" {
					break
				}
			}
			if first, dup := seen[name]; dup {
				problem("section [%s] repeats the one on line %d: the legacy tool reads only the first", name, first)
				break
			}
			seen[name] = n
			cur = &section{name: name, line: n}
			c.sections = append(c.sections, cur)
		default:
			key, value, ok := strings.Cut(line, ":")
			key = strings.TrimSpace(key)
			if !ok {
				problem("no ':' after a key (a key line is \"key : value\"; a list continued on the next line is not read)")
				break
			}
			if !knownKey(key) {
				problem("unknown key %q (the keys are alarm_interval, alarm_mail, alarm_gsm, max_tries, max_tries_if_coredumped)", key)
				break
			}
			value = strings.TrimSpace(stripComment(value))
			if isNumberKey(key) && value != "" {
				if _, err := parseCount(value); err != nil {
					problem("%s: %v: ignored", key, err)
					break
				}
			}
			if cur == nil {
				if !dead {
					problem("%s before the first section: ignored", key)
				}
				break
			}
			cur.entries = append(cur.entries, entry{key: key, value: value, line: n})
		}
		if last {
			break
		}
	}
	return c, probs, nil
}

// readLine returns the next line without its newline, cut to MaxLine+1 bytes;
// long tells it was longer than MaxLine.
func readLine(br *bufio.Reader) (line []byte, long bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line) <= MaxLine {
			room := MaxLine + 1 - len(line)
			line = append(line, chunk[:min(room, len(chunk))]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			long = true
			continue
		}
		line = []byte(strings.TrimSuffix(string(line), "\n"))
		if len(line) > MaxLine {
			long = true
			line = line[:MaxLine]
		}
		return line, long, err
	}
}

// parseHeader returns the name of a "[name]" line, and a reason when the line is
// malformed ("" name: not a section at all).
func parseHeader(line string) (name, reason string) {
	end := strings.IndexByte(line, ']')
	if end < 0 {
		return "", "section header without ']'"
	}
	name = line[1:end]
	if name == "" {
		return "", "empty section name"
	}
	if strings.ContainsAny(name, " \t[") {
		return "", fmt.Sprintf("section header %q has a blank or '[' inside: the legacy tool matches \"[name]\" exactly, so no module reads this section", line[:end+1])
	}
	if rest := strings.TrimSpace(line[end+1:]); rest != "" && !strings.HasPrefix(rest, "#") {
		return name, fmt.Sprintf("text after the section header [%s]: ignored", name)
	}
	return name, ""
}

// stripComment cuts a trailing comment: from a '#' at the start or after a blank.
func stripComment(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] == '#' && (i == 0 || v[i-1] == ' ' || v[i-1] == '\t') {
			return v[:i]
		}
	}
	return v
}

func knownKey(k string) bool {
	switch k {
	case KeyAlarmInterval, KeyAlarmMail, KeyAlarmGSM, KeyMaxTries, KeyMaxTriesIfCoredumped:
		return true
	}
	return false
}

func isNumberKey(k string) bool {
	return k == KeyAlarmInterval || k == KeyMaxTries || k == KeyMaxTriesIfCoredumped
}

// parseCount reads a whole number of 0 or more that fits in 31 bits.
func parseCount(v string) (int, error) {
	for _, r := range v {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%q is not a whole number of 0 or more", v)
		}
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is too large", v)
	}
	return int(n), nil
}

// Sections returns the section names in file order, [global] included, each once.
func (c *Conf) Sections() []string {
	names := make([]string, 0, len(c.sections))
	for _, s := range c.sections {
		names = append(names, s.name)
	}
	return names
}

// HasSection tells whether the file has a [name] section.
func (c *Conf) HasSection(name string) bool { return c.find(name) >= 0 }

// SectionLine returns the line of the [name] header, 0 when there is none.
func (c *Conf) SectionLine(name string) int {
	if i := c.find(name); i >= 0 {
		return c.sections[i].line
	}
	return 0
}

// HasGlobal tells whether the file has a [global] section.
func (c *Conf) HasGlobal() bool { return c.HasSection(GlobalSection) }

func (c *Conf) find(name string) int {
	for i, s := range c.sections {
		if s.name == name {
			return i
		}
	}
	return -1
}

// BeforeGlobal tells whether the module's section stands before [global] (or
// there is no [global]): the module then reads only its own section, on top of
// the defaults. A module without a section reads [global].
func (c *Conf) BeforeGlobal(module string) bool {
	i := c.find(module)
	if i < 0 || module == GlobalSection {
		return false
	}
	g := c.find(GlobalSection)
	return g < 0 || i < g
}

// Policy returns the module's settings under the legacy rules: the defaults,
// then either its own section alone (BeforeGlobal) or [global] overridden by its
// own section, where a positive number replaces [global]'s (0 or empty keeps
// it), alarm_mail addresses are appended and alarm_gsm numbers are added, 10 at
// most in all.
func (c *Conf) Policy(module string) Policy {
	p := DefaultPolicy()
	if c.BeforeGlobal(module) {
		c.sections[c.find(module)].apply(&p, false)
		return p
	}
	if g := c.find(GlobalSection); g >= 0 {
		c.sections[g].apply(&p, false)
	}
	if i := c.find(module); i >= 0 && module != GlobalSection {
		c.sections[i].apply(&p, true)
	}
	return p
}

// apply reads s's entries into p. A base section (override false) sets numbers,
// 0 included, and replaces the mail list with each non-empty alarm_mail line; an
// override section sets only positive numbers and appends to the mail list. Both
// add gsm numbers up to MaxGSM. Empty values change nothing.
func (s *section) apply(p *Policy, override bool) {
	for _, e := range s.entries {
		if e.value == "" {
			continue
		}
		switch e.key {
		case KeyAlarmMail:
			if override {
				p.Mail = append(p.Mail, strings.Fields(e.value)...)
			} else {
				p.Mail = strings.Fields(e.value)
			}
		case KeyAlarmGSM:
			for _, g := range strings.Fields(e.value) {
				if len(p.GSM) < MaxGSM {
					p.GSM = append(p.GSM, g)
				}
			}
		default:
			n, _ := parseCount(e.value) // checked by ParseConf
			if override && n == 0 {
				continue
			}
			switch e.key {
			case KeyAlarmInterval:
				if n > 0 && n < 60 {
					n = 60
				}
				p.AlarmInterval = time.Duration(n) * time.Second
			case KeyMaxTries:
				p.MaxTries = n
			case KeyMaxTriesIfCoredumped:
				p.MaxTriesIfCoredumped = n
			}
		}
	}
}
