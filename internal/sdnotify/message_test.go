package sdnotify

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want Message
	}{
		{"empty", "", Message{}},
		{"ready", "READY=1", Message{Ready: true}},
		{"ready with a final newline", "READY=1\n", Message{Ready: true}},
		{"ready is 1 only", "READY=yes", Message{}},
		{"a flag on any line", "READY=0\nREADY=1", Message{Ready: true}},
		{"status", "READY=1\nSTATUS=serving 12 clients", Message{Ready: true, Status: "serving 12 clients", HasStatus: true}},
		{"an empty status clears", "STATUS=", Message{HasStatus: true}},
		{"the first status counts", "STATUS=one\nSTATUS=two", Message{Status: "one", HasStatus: true}},
		{"a status with an equals sign", "STATUS=a=b", Message{Status: "a=b", HasStatus: true}},
		{"control characters in a status", "STATUS=\x1b]0;title\x07red", Message{Status: "\uFFFD]0;title\uFFFDred", HasStatus: true}},
		{"a status that is not UTF-8", "STATUS=\xff\xfe", Message{}},
		{"stopping", "STOPPING=1", Message{Stopping: true}},
		{"reloading", "RELOADING=1\nMONOTONIC_USEC=123", Message{Reloading: true}},
		{"watchdog", "WATCHDOG=1", Message{Watchdog: true}},
		{"watchdog trigger", "WATCHDOG=trigger", Message{WatchdogTrigger: true}},
		{"watchdog timeout", "WATCHDOG_USEC=30000000", Message{WatchdogUSec: 30000000}},
		{"a bad watchdog timeout", "WATCHDOG_USEC=soon", Message{}},
		{"mainpid", "MAINPID=4242", Message{MainPID: 4242}},
		{"mainpid zero", "MAINPID=0", Message{}},
		{"mainpid negative", "MAINPID=-1", Message{}},
		{"mainpid not a number", "MAINPID=12ab", Message{}},
		{"mainpid too large", "MAINPID=99999999999999999999", Message{}},
		{"errno", "ERRNO=2", Message{Errno: 2}},
		{"errno not a number", "ERRNO=ENOENT", Message{}},
		{"unknown keys", "FDSTORE=1\nFDNAME=db\nEXTEND_TIMEOUT_USEC=5\nBUSERROR=x", Message{}},
		{"lines without '='", "READY\nhello\nSTATUS=ok", Message{Status: "ok", HasStatus: true}},
		{"everything", "READY=1\nSTATUS=up\nMAINPID=7\nERRNO=0\nWATCHDOG=1", Message{Ready: true, Status: "up", HasStatus: true, MainPID: 7, Watchdog: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Parse([]byte(tc.in)); got != tc.want {
				t.Errorf("Parse(%q) =\n  %+v\nwant\n  %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseLongStatus(t *testing.T) {
	long := strings.Repeat("é", 2000)
	if got := Parse([]byte("STATUS=" + long)); got.Status != long {
		t.Errorf("a status of %d bytes came out as %d bytes", len(long), len(got.Status))
	}
}
