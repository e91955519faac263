package legacy

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, text string) (*Conf, []Problem) {
	t.Helper()
	c, probs, err := ParseConf(strings.NewReader(text))
	if err != nil {
		t.Fatalf("ParseConf: %v", err)
	}
	return c, probs
}

func pol(interval, tries, cored int, mail, gsm []string) Policy {
	return Policy{AlarmInterval: time.Duration(interval) * time.Second, MaxTries: tries, MaxTriesIfCoredumped: cored, Mail: mail, GSM: gsm}
}

var def = DefaultPolicy()

// The example confs of the reference and of the seed notes, as they are.
func TestExampleConfs(t *testing.T) {
	seedGSM := []string{"18345025595", "someMobileGroup"}
	tests := []struct {
		file     string
		sections []string
		before   []string
		policies map[string]Policy
		probs    []int // lines
	}{{
		file:     "reference.conf",
		sections: []string{"transmit", "global", "appui"},
		before:   []string{"transmit"},
		policies: map[string]Policy{
			"transmit": def,
			"global":   pol(60, 10, 5, []string{"ops@example.com", "dev@example.com"}, []string{"13900000000"}),
			"appui":    pol(60, 3, 5, []string{"ops@example.com", "dev@example.com"}, []string{"13900000000"}),
			"nosuch":   pol(60, 10, 5, []string{"ops@example.com", "dev@example.com"}, []string{"13900000000"}),
		},
	}, {
		file:     "seed.conf",
		sections: []string{"someModuleThatNoNeedNewFunction", "transmit", "global", "appui", "someOtherModuleName"},
		before:   []string{"someModuleThatNoNeedNewFunction", "transmit"},
		policies: map[string]Policy{
			"someModuleThatNoNeedNewFunction": def,
			"transmit":                        def,
			// max_tries 0 in [global] switches the limits off; the trailing
			// comments are not addresses.
			"baby": pol(60, 0, 0, []string{"fannaihao@baidu.com"}, seedGSM),
			"appui": pol(120, 3, 7, []string{"fannaihao@baidu.com", "somebody@baidu.com"},
				[]string{"18345025595", "someMobileGroup", "98633333", "358176235", "18343dfjka"}),
			// Empty values keep [global]'s; the addresses on the line after
			// "alarm_mail :" are not read (a problem).
			"someOtherModuleName": pol(60, 8, 3, []string{"fannaihao@baidu.com"}, []string{"18345025595", "someMobileGroup", "13900000000"}),
		},
		probs: []int{22},
	}}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, probs, err := LoadConf(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Sections(); !reflect.DeepEqual(got, tt.sections) {
				t.Errorf("Sections() = %q, want %q", got, tt.sections)
			}
			for _, s := range append(tt.sections, "nosuch") {
				if got, want := c.BeforeGlobal(s), contains(tt.before, s); got != want {
					t.Errorf("BeforeGlobal(%q) = %v, want %v", s, got, want)
				}
			}
			for name, want := range tt.policies {
				if got := c.Policy(name); !reflect.DeepEqual(got, want) {
					t.Errorf("Policy(%q) =\n %+v, want\n %+v", name, got, want)
				}
			}
			if got := problemLines(probs); !reflect.DeepEqual(got, tt.probs) {
				t.Errorf("problems on lines %v, want %v: %v", got, tt.probs, probs)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func problemLines(probs []Problem) []int {
	var lines []int
	for _, p := range probs {
		lines = append(lines, p.Line)
	}
	return lines
}

func TestPolicy(t *testing.T) {
	tests := []struct {
		name   string
		conf   string
		module string
		want   Policy
		probs  []int
	}{
		{"empty file", "", "m", def, nil},
		{"comments and blanks only", "# a\n\n#b\n   \n", "m", def, nil},
		{"no global, own section", "[m]\nmax_tries : 3\n", "m", pol(60, 3, 5, nil, nil), nil},
		{"no global, other section", "[x]\nmax_tries : 3\n", "m", def, nil},
		{"odd spacing", "[global]\nmax_tries:3\nmax_tries_if_coredumped   :   4\nalarm_mail:a@x\talarm_interval\nalarm_interval\t:\t90\t\n", "m",
			pol(90, 3, 4, []string{"a@x", "alarm_interval"}, nil), nil},
		{"CRLF", "[global]\r\nmax_tries : 3\r\nalarm_mail : a@x\r\n", "m", pol(60, 3, 5, []string{"a@x"}, nil), nil},
		{"no newline at the end", "[global]\nmax_tries : 3", "m", pol(60, 3, 5, nil, nil), nil},
		{"interval 1..59 is 60", "[global]\nalarm_interval : 1\n", "m", pol(60, 20, 5, nil, nil), nil},
		{"interval 59 is 60", "[global]\nalarm_interval : 59\n", "m", pol(60, 20, 5, nil, nil), nil},
		{"interval 0 is off", "[global]\nalarm_interval : 0\n", "m", pol(0, 20, 5, nil, nil), nil},
		{"interval 61", "[global]\nalarm_interval : 61\n", "m", pol(61, 20, 5, nil, nil), nil},
		{"override 1 counts as 60", "[global]\nalarm_interval : 300\n[m]\nalarm_interval : 5\n", "m", pol(60, 20, 5, nil, nil), nil},
		{"override 0 keeps global", "[global]\nalarm_interval : 300\nmax_tries : 7\nmax_tries_if_coredumped : 2\n[m]\nalarm_interval : 0\nmax_tries : 0\nmax_tries_if_coredumped : 0\n", "m",
			pol(300, 7, 2, nil, nil), nil},
		{"override cannot switch alarms off", "[global]\n[m]\nalarm_interval : 0\n", "m", def, nil},
		{"empty values change nothing", "[global]\nalarm_interval :\nmax_tries :  \nmax_tries_if_coredumped:\nalarm_mail :\nalarm_gsm :\n", "m", def, nil},
		{"own section before global ignores global", "[m]\nmax_tries : 0\n[global]\nmax_tries : 9\nalarm_mail : g@x\n", "m", pol(60, 0, 5, nil, nil), nil},
		{"own section before global, empty", "[m]\n[global]\nmax_tries : 9\n", "m", def, nil},
		{"section after global inherits", "[global]\nmax_tries : 9\nalarm_mail : g@x\n[m]\nalarm_mail : m@x n@x\nalarm_mail : o@x\n", "m",
			pol(60, 9, 5, []string{"g@x", "m@x", "n@x", "o@x"}, nil), nil},
		{"a second alarm_mail in global replaces the first", "[global]\nalarm_mail : a@x\nalarm_mail : b@x c@x\n", "m", pol(60, 20, 5, []string{"b@x", "c@x"}, nil), nil},
		{"gsm at most 10", "[global]\nalarm_gsm : 1 2 3 4 5 6\nalarm_gsm : 7 8\n[m]\nalarm_gsm : 9 10 11 12\n", "m",
			pol(60, 20, 5, nil, []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}), nil},
		{"first section wins", "[global]\n[m]\nmax_tries : 3\n[m]\nmax_tries : 4\n", "m", pol(60, 3, 5, nil, nil), []int{4}},
		{"first global wins", "[global]\nmax_tries : 3\n[global]\nmax_tries : 4\n", "m", pol(60, 3, 5, nil, nil), []int{3}},
		{"header with a comment", "[global] # all\nmax_tries : 3\n[m]   \nmax_tries : 4\n", "m", pol(60, 4, 5, nil, nil), nil},
		{"header with text after it", "[global] junk\nmax_tries : 3\n", "m", pol(60, 3, 5, nil, nil), []int{1}},
		{"spaces in a header", "[global]\nmax_tries : 3\n[ m ]\nmax_tries : 4\n", "m", pol(60, 3, 5, nil, nil), []int{3}},
		{"a bad header ends the section", "[global]\n[ m ]\nmax_tries : 4\n", "x", def, []int{2}},
		{"header without ]", "[global\nmax_tries : 4\n", "m", def, []int{1}},
		{"empty header", "[]\nmax_tries : 4\n", "m", def, []int{1}},
		{"unknown key", "[global]\nalarm_foo : 1\nmax_tries : 3\n", "m", pol(60, 3, 5, nil, nil), []int{2}},
		{"key prefix is not a key", "[global]\nmax_triesx : 1\n", "m", def, []int{2}},
		{"no colon", "[global]\nmax_tries 3\nlvyi@baidu.com fengsichun@baidu.com\n", "m", def, []int{2, 3}},
		{"not a number", "[global]\nmax_tries : three\nmax_tries_if_coredumped : -1\nalarm_interval : 3s\n", "m", def, []int{2, 3, 4}},
		{"too large", "[global]\nmax_tries : 99999999999\n", "m", def, []int{2}},
		{"trailing comment", "[global]\nmax_tries : 3 # three\nalarm_mail : a@x#b c@x #d e@x\n", "m", pol(60, 3, 5, []string{"a@x#b", "c@x"}, nil), nil},
		{"indented lines are ignored", "[global]\n max_tries : 3\n\tmax_tries : 4\n   # a comment\n", "m", def, []int{2, 3}},
		{"keys before any section", "max_tries : 3\n[global]\n", "m", def, []int{1}},
		{"over-long line", "[global]\nalarm_mail : " + strings.Repeat("a", 2000) + "@x\nmax_tries : 3\n", "m", pol(60, 3, 5, nil, nil), []int{2}},
		{"over-long last line", "[global]\nmax_tries : 3\nalarm_mail : " + strings.Repeat("a", 70000), "m", pol(60, 3, 5, nil, nil), []int{3}},
		{"1024 bytes is fine", "[global]\nalarm_mail : " + strings.Repeat("a", 1024-len("alarm_mail : ")) + "\n", "m",
			pol(60, 20, 5, []string{strings.Repeat("a", 1024-len("alarm_mail : "))}, nil), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, probs := parse(t, tt.conf)
			if got := c.Policy(tt.module); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Policy(%q) =\n %+v, want\n %+v", tt.module, got, tt.want)
			}
			if got := problemLines(probs); !reflect.DeepEqual(got, tt.probs) {
				t.Errorf("problems on lines %v, want %v: %v", got, tt.probs, probs)
			}
			for _, p := range probs {
				if p.Reason == "" || len(p.Text) > MaxLine {
					t.Errorf("problem %+v: no reason, or text too long", p)
				}
			}
		})
	}
}

func TestProblemText(t *testing.T) {
	_, probs := parse(t, "[global]\nalarm_foo : 1\n")
	if len(probs) != 1 || probs[0].Text != "alarm_foo : 1" || !strings.Contains(probs[0].Reason, `unknown key "alarm_foo"`) || probs[0].String() != "2: "+probs[0].Reason {
		t.Errorf("problems = %+v", probs)
	}
}

func TestBeforeGlobal(t *testing.T) {
	c, _ := parse(t, "[a]\n[global]\n[b]\n")
	for name, want := range map[string]bool{"a": true, "global": false, "b": false, "c": false} {
		if got := c.BeforeGlobal(name); got != want {
			t.Errorf("BeforeGlobal(%q) = %v, want %v", name, got, want)
		}
	}
	c, _ = parse(t, "[a]\n")
	if !c.BeforeGlobal("a") || c.BeforeGlobal("b") || c.HasGlobal() || !c.HasSection("a") {
		t.Error("without [global], a module with a section reads only its own")
	}
}

func TestDefaultPolicy(t *testing.T) {
	if got := DefaultPolicy(); !reflect.DeepEqual(got, pol(60, 20, 5, nil, nil)) {
		t.Errorf("DefaultPolicy() = %+v", got)
	}
}

func TestLoadConfErrors(t *testing.T) {
	_, _, err := LoadConf(filepath.Join(t.TempDir(), "supervise.conf"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadConf of a missing file: %v", err)
	}
	if _, _, err := LoadConf(t.TempDir()); err == nil {
		t.Error("LoadConf of a directory: no error")
	}
	if os.Geteuid() != 0 {
		p := filepath.Join(t.TempDir(), "supervise.conf")
		if err := os.WriteFile(p, []byte("[global]\n"), 0o000); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadConf(p); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("LoadConf of an unreadable file: %v", err)
		}
	}
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

func TestParseConfReadError(t *testing.T) {
	if _, _, err := ParseConf(failReader{}); err == nil || err.Error() != "boom" {
		t.Errorf("ParseConf of a failing reader: %v", err)
	}
}

func FuzzParseConf(f *testing.F) {
	for _, name := range []string{"seed.conf", "reference.conf"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), "appui")
	}
	f.Fuzz(func(t *testing.T, text, module string) {
		c, probs, err := ParseConf(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		p := c.Policy(module)
		if len(p.GSM) > MaxGSM || p.AlarmInterval < 0 || (p.AlarmInterval > 0 && p.AlarmInterval < time.Minute) || p.MaxTries < 0 || p.MaxTriesIfCoredumped < 0 {
			t.Errorf("Policy(%q) = %+v", module, p)
		}
		for _, pr := range probs {
			if pr.Line < 1 || len(pr.Text) > MaxLine {
				t.Errorf("problem %+v", pr)
			}
		}
	})
}
