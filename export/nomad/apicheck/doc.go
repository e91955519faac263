// Package apicheck holds a test, and only a test: that the jobs svman
// export nomad writes decode, strictly, into the job type of Nomad's own
// api package, and canonicalize. It is a module of its own so that svman's
// binary and go.mod never depend on Nomad.
package apicheck
