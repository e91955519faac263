// Package testkit is what svman's tests share: the programs their real child
// processes run (roles of the test binary itself, as in os/exec's own tests, chosen
// by name in TestMain) and one way to wait for a condition with a deadline.
//
// Only _test.go files import it.
package testkit
