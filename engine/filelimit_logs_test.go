package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"svman/internal/proc"
	"svman/internal/testkit"
	"svman/logfiles"
	"svman/manifest"
)

// Under an open-files limit of what the test process holds plus
// proc.FilesNeeded(n), n modules that all write to both their log files keep
// logging: every line reaches its file, whole and once, and nothing runs out of
// descriptors, though their 2n log files are far more than the limit leaves.
func TestModulesWritingLogsWithinFilesNeeded(t *testing.T) {
	const n, bursts, perBurst = 200, 3, 5
	h := newHarness(t)
	testkit.LimitOpenFiles(t, uint64(openFiles(t))+proc.FilesNeeded(n))
	var mods []manifest.Module
	for i := range n {
		// Bursts of lines with pauses between them, so that the files are
		// written, given back for others and opened again.
		script := fmt.Sprintf(`for b in $(seq %d); do for l in $(seq %d); do echo "out $b.$l"; echo "err $b.$l" >&2; done; sleep 0.2; done; exec sleep 1000`, bursts, perBurst)
		mods = append(mods, h.shModule(fmt.Sprintf("m%03d", i), script))
	}
	h.apply(mods...)

	want := func(stream string) string {
		var b strings.Builder
		for i := range bursts {
			for l := range perBurst {
				fmt.Fprintf(&b, "%s %d.%d\n", stream, i+1, l+1)
			}
		}
		return b.String()
	}
	for _, m := range mods {
		for file, stream := range map[string]string{logfiles.StdoutFile: "out", logfiles.StderrFile: "err"} {
			path := filepath.Join(h.status, m.Name, file)
			var got []byte
			if !testkit.Poll(func() bool { got, _ = os.ReadFile(path); return string(got) == want(stream) }) {
				t.Fatalf("%s holds %q, want %q", path, got, want(stream))
			}
		}
	}
	h.shutdown()
	for _, k := range []Kind{StartFailed, Warning} {
		for _, m := range mods {
			for _, ev := range h.ev.find(m.Name, k) {
				t.Errorf("%s: %v", m.Name, ev.Err)
			}
		}
	}
}
