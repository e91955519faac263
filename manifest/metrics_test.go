package manifest

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestMetricsTextfile(t *testing.T) {
	const mod = "module \"a\" {\n  command = [\"true\"]\n}\n"
	dir, m, err := loadIn(t, map[string]string{
		"supervise.hcl":   mod + "metrics {\n  textfile = \"prom/svman.prom\"\n}\n",
		"prom/.keep":      "",
		"unrelated.notes": "",
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "prom", "svman.prom"); m.Metrics.Textfile != want {
		t.Errorf("textfile = %q, want %q (relative to the manifest's directory)", m.Metrics.Textfile, want)
	}
	_, m, err = loadIn(t, map[string]string{"supervise.hcl": mod})
	if err != nil || m.Metrics.Textfile != "" {
		t.Errorf("without a metrics block: textfile %q, error %v; want none", m.Metrics.Textfile, err)
	}

	bad := []struct{ name, block, where, says string }{
		{"missing directory", `textfile = "nowhere/svman.prom"`, "supervise.hcl:5:14", "Create it"},
		{"not .prom", `textfile = "svman.txt"`, "supervise.hcl:5:14", "ending in .prom"},
		{"a directory", `textfile = "d.prom"`, "supervise.hcl:5:14", "is a directory"},
		{"empty", `textfile = ""`, "supervise.hcl:5:14", "cannot be empty"},
		{"unknown", `file = "x.prom"`, "supervise.hcl:5:3", "Unsupported argument"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := loadIn(t, map[string]string{
				"supervise.hcl": mod + "metrics {\n  " + c.block + "\n}\n",
				"d.prom/.keep":  "",
			})
			var de *DiagError
			if !errors.As(err, &de) {
				t.Fatalf("error %v, want diagnostics", err)
			}
			if e := err.Error(); !strings.Contains(e, c.where) || !strings.Contains(e, c.says) {
				t.Errorf("error:\n%s\nwant it at %s, saying %q", e, c.where, c.says)
			}
		})
	}
}
