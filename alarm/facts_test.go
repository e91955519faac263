package alarm

import (
	"slices"
	"testing"
	"time"
)

func TestMessage(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.Local)
	for _, c := range []struct {
		f    Facts
		want string
	}{
		{Facts{Module: "web", Event: Exited, Hostname: "box1", Time: at},
			"2024-05-06 07:08:09 [Alarm: box1] Service web exited!"},
		{Facts{Module: "web", Event: Exited, CoreDumped: true, Hostname: "box1", Time: at},
			"2024-05-06 07:08:09 [Alarm: box1] Service web exited with coredump!"},
		{Facts{Module: "db", Event: GaveUp, CoreDumped: true, Hostname: "box2", Time: at},
			"2024-05-06 07:08:09 [Alarm: box2] Service db exited too often: svman refused to restart it any more!"},
		{Facts{Module: "db", Event: StartFailed, Hostname: "box2", Time: at},
			"2024-05-06 07:08:09 [Alarm: box2] Service db could not be started!"},
	} {
		if got := Message(c.f); got != c.want {
			t.Errorf("Message(%+v)\n got %q\nwant %q", c.f, got, c.want)
		}
	}
}

// The time in the message is local time, whatever zone the facts carry.
func TestMessageLocalTime(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("X", 5*3600+1800))
	f := Facts{Module: "web", Event: Exited, Hostname: "h", Time: at}
	want := at.Local().Format("2006-01-02 15:04:05") + " [Alarm: h] Service web exited!"
	if got := Message(f); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEnv(t *testing.T) {
	f := testFacts()
	f.Time = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	f.Message = "it \"broke\"\x00 $(x)"
	want := []string{
		"SVMAN_MODULE=web",
		"SVMAN_EVENT=exited",
		"SVMAN_EXIT_CODE=-1",
		"SVMAN_SIGNAL=SIGSEGV",
		"SVMAN_COREDUMPED=1",
		"SVMAN_TRIES=3",
		"SVMAN_HOSTNAME=box1",
		"SVMAN_MESSAGE=it \"broke\" $(x)",
		"SVMAN_TIME=2024-05-06T07:08:09Z",
	}
	if got := Env(f); !slices.Equal(got, want) {
		t.Errorf("Env:\n got %q\nwant %q", got, want)
	}
	f.CoreDumped, f.Signal, f.ExitCode = false, "", 2
	got := Env(f)
	for _, e := range []string{"SVMAN_COREDUMPED=0", "SVMAN_SIGNAL=", "SVMAN_EXIT_CODE=2"} {
		if !slices.Contains(got, e) {
			t.Errorf("Env lacks %q: %q", e, got)
		}
	}
}
