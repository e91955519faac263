package engine

import "testing"

// The warning about a killed svman's leftovers names only what exists, in words.
func TestLeftoverText(t *testing.T) {
	tests := []struct {
		pgid   int
		marked []int
		want   string
	}{
		{6520, nil, "a previous svman left process group 6520 of this module: stopping it before starting"},
		{0, []int{6521}, "a previous svman left process 6521 of this module: stopping it before starting"},
		{0, []int{6521, 6522, 6523}, "a previous svman left processes 6521, 6522 and 6523 of this module: stopping them before starting"},
		{6520, []int{6521}, "a previous svman left process group 6520 and process 6521 of this module: stopping them before starting"},
	}
	for _, tt := range tests {
		if got := leftoverText(tt.pgid, tt.marked); got != tt.want {
			t.Errorf("leftoverText(%d, %v) =\n%q, want\n%q", tt.pgid, tt.marked, got, tt.want)
		}
	}
}
