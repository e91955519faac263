package manifest

import "strings"

// Suggest returns the candidate closest to got, compared case-insensitively, if it
// is close enough to be a plausible typo (at most a third of its letters off, and
// never more than 3), or "" if none is: svman check's "did you mean", and that of
// every command given an unknown module name.
func Suggest(got string, candidates []string) string {
	got = strings.ToUpper(got)
	best, bestDist := "", 0
	for _, c := range candidates {
		d := editDistance(got, strings.ToUpper(c))
		if best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := min(3, max(1, len(got)/3))
	if best == "" || bestDist > limit {
		return ""
	}
	return best
}

// editDistance is the number of one-letter insertions, deletions, substitutions
// and swaps of neighbours that turn a into b (optimal string alignment distance).
// Swaps count as one because "TREM" for "TERM" is the commonest typo of all.
// It counts bytes: the names compared here are ASCII.
func editDistance(a, b string) int {
	// d[i][j] is the distance between a[:i] and b[:j].
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
