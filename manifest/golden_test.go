package manifest

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/bad/*.golden from the current output")

// TestGoldenDiagnostics loads every broken manifest in testdata/bad and compares
// the text of its diagnostics with the .golden file beside it. The manifests are
// loaded by relative path so the file names in the output do not depend on
// where the repository is checked out.
func TestGoldenDiagnostics(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.hcl")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 12 {
		t.Fatalf("found %d broken manifests, want at least 12", len(files))
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".hcl"), func(t *testing.T) {
			m, err := Load(path)
			if err == nil {
				t.Fatalf("Load succeeded with %+v, want diagnostics", m)
			}
			var de *DiagError
			if !errors.As(err, &de) {
				t.Fatalf("error is %T, want *DiagError: %v", err, err)
			}
			var got bytes.Buffer
			if err := de.WriteText(&got, false); err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(path, ".hcl") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got.String() != string(want) {
				t.Errorf("diagnostics differ from %s (run go test -update after checking the new text):\n%s", golden, got.String())
			}
			if e := de.Error(); e != strings.TrimRight(got.String(), "\n") {
				t.Errorf("Error() differs from WriteText:\n%s", e)
			}
		})
	}
}
