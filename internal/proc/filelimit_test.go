package proc

import "testing"

// The rule the README and svman export's LimitNOFILE= state: 5 files per
// module, and 272 for svman itself and for the directory operations and
// starts it runs at once.
func TestFilesNeeded(t *testing.T) {
	for _, c := range []struct {
		modules int
		want    uint64
	}{{0, 272}, {1, 277}, {40, 472}, {3000, 15272}, {8000, 40272}} {
		if got := FilesNeeded(c.modules); got != c.want {
			t.Errorf("FilesNeeded(%d) = %d, want %d", c.modules, got, c.want)
		}
	}
}
