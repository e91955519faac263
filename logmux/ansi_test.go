package logmux

import "testing"

func TestStripANSI(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                                    "plain",
		"\x1b[31mred\x1b[0m text":                  "red text",
		"\x1b[1;38;5;208mbold\x1b[m":               "bold",
		"\x1b]0;title\x07after":                    "after",
		"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\": "link",
		"\x1b(Bcharset":                            "Bcharset",
		"bad \xff utf8 \x00 nul":                   "bad \xff utf8 \x00 nul",
		"trailing esc \x1b":                        "trailing esc \x1b",
	} {
		if got := string(stripANSI(nil, []byte(in))); got != want {
			t.Errorf("stripANSI(%q) = %q, want %q", in, got, want)
		}
	}
}
