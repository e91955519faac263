package statusfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A batch's lines reach each log whole and in order, after what the log held,
// as the lines of Notice and Warning do; the batch is empty after, and an
// empty batch writes nothing, not even an empty log.
func TestLogBatchAppendsEachLogsLinesInOrder(t *testing.T) {
	d := openTemp(t)
	d.Notice("before")
	var b LogBatch
	b.Notice("killed by %s", "SIGKILL")
	b.Warning("line\nbreaks")
	b.Notice("started, pid %d", 42)
	d.WriteLogs(&b)
	if !b.Empty() {
		t.Error("the batch is not empty after WriteLogs")
	}
	d.WriteLogs(&b)
	messages := func(name string) []string {
		var got []string
		for _, l := range readLines(t, filepath.Join(d.Path(), name)) {
			m := logLineRE.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("%s line %q does not match %v", name, l, logLineRE)
			}
			got = append(got, m[1]+" "+m[3])
		}
		return got
	}
	if got, want := strings.Join(messages("supervise.log"), "|"), "NOTICE before|NOTICE killed by SIGKILL|NOTICE started, pid 42"; got != want {
		t.Errorf("supervise.log says %q, want %q", got, want)
	}
	if got, want := strings.Join(messages("supervise.log.wf"), "|"), "WARNING line breaks"; got != want {
		t.Errorf("supervise.log.wf says %q, want %q", got, want)
	}

	e := openTemp(t)
	e.WriteLogs(&LogBatch{})
	if _, err := os.Stat(filepath.Join(e.Path(), "supervise.log")); !os.IsNotExist(err) {
		t.Errorf("an empty batch made supervise.log (%v)", err)
	}
}
