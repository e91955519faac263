package proc

import (
	"os"
	"testing"
)

// TestMain makes the test binary the exec wrapper when Start runs a child under
// it (a Spec with limits or a umask), as svman's own binary is.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == WrapperArg {
		os.Exit(WrapperMain(os.Args[2:]))
	}
	os.Exit(m.Run())
}
