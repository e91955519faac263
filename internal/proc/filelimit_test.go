package proc

import "testing"

// The rule the README and svman export's LimitNOFILE= state: 5 files per
// module, and 336 for svman itself, for the directory operations and
// starts it runs at once, and for the log files it holds open at least.
func TestFilesNeeded(t *testing.T) {
	for _, c := range []struct {
		modules int
		want    uint64
	}{{0, 336}, {1, 341}, {40, 536}, {3000, 15336}, {8000, 40336}} {
		if got := FilesNeeded(c.modules); got != c.want {
			t.Errorf("FilesNeeded(%d) = %d, want %d", c.modules, got, c.want)
		}
	}
}
