// Package testkit is what svman's tests share: the programs their real child
// processes run (roles of the test binary itself, as in os/exec's own tests, chosen
// by name in TestMain), one way to wait for a condition with a deadline, and one
// to lower the open-files limit.
//
// Only _test.go files import it.
package testkit
