package proc

import "testing"

// The rule the README and svman export's LimitNOFILE= state: 8 files per module
// and 64 for svman itself.
func TestFilesNeeded(t *testing.T) {
	for _, c := range []struct {
		modules int
		want    uint64
	}{{0, 64}, {1, 72}, {40, 384}, {8000, 64064}} {
		if got := FilesNeeded(c.modules); got != c.want {
			t.Errorf("FilesNeeded(%d) = %d, want %d", c.modules, got, c.want)
		}
	}
}
