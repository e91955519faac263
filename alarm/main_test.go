package alarm

import (
	"testing"

	"svman/internal/testkit"
)

// TestMain lets the test binary be the hooks the tests run (testkit's roles).
func TestMain(m *testing.M) { testkit.Main(m) }

// hook is an exec channel running the test binary as role with args; the
// role reaches it through the environment a hook inherits.
func hook(t *testing.T, role string, args ...string) []string {
	t.Setenv(testkit.RoleEnv, role)
	return append([]string{testkit.Executable()}, args...)
}
