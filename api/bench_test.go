package api

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"svman/internal/modview"
	"svman/manifest"
	"svman/statusfs"
)

// supervisedDirs makes n status directories under root held as svman holds
// them (lock, FIFOs, status, state.json), each with a running child.
func supervisedDirs(b *testing.B, root string, n int) *manifest.Manifest {
	m := &manifest.Manifest{StatusDir: root}
	for i := range n {
		name := fmt.Sprintf("m%04d", i)
		d, err := statusfs.Open(filepath.Join(root, name))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { d.Close() })
		if err := d.WriteStatus(statusfs.Status{Changed: time.Now(), Want: statusfs.WantUp, AlarmsOn: true, PID: os.Getpid()}); err != nil {
			b.Fatal(err)
		}
		if err := d.WriteState(statusfs.State{State: statusfs.RunUp, Ready: true}); err != nil {
			b.Fatal(err)
		}
		m.Modules = append(m.Modules, manifest.Module{Name: name})
	}
	return m
}

// GET /v1/modules of 1000 supervised modules over the unix socket, and
// modview.ReadAll of them (what `svman status --json` reads, without its
// process start and manifest load): ns/op, and p50 in the report.
func BenchmarkModules1000(b *testing.B) {
	root := b.TempDir()
	m := supervisedDirs(b, root, 1000)
	s, err := Start(Config{Socket: filepath.Join(root, SocketName), Manifest: func() *manifest.Manifest { return m }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close(b.Context()) })
	c := unixClient(filepath.Join(root, SocketName))
	b.Run("api", func(b *testing.B) {
		var took []time.Duration
		for b.Loop() {
			t0 := time.Now()
			resp, err := c.Get("http://svman/v1/modules")
			if err != nil {
				b.Fatal(err)
			}
			var rows []modview.Status
			if err := jsonDecode(resp, &rows); err != nil || len(rows) != 1000 || rows[999].State != modview.Up {
				b.Fatalf("%d rows, %v", len(rows), err)
			}
			took = append(took, time.Since(t0))
		}
		reportP50(b, took)
	})
	// `svman status --json` of the same directories: the binary named by
	// SVMAN_BENCH_BIN (go build -o), when set.
	if bin := os.Getenv("SVMAN_BENCH_BIN"); bin != "" {
		b.Run("cli", func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				t0 := time.Now()
				out, err := exec.Command(bin, "status", "--json", "--status-dir", root).Output()
				if err != nil || !bytes.Contains(out, []byte(`"module": "m0999"`)) {
					b.Fatalf("%v: %.200s", err, out)
				}
				took = append(took, time.Since(t0))
			}
			reportP50(b, took)
		})
	}
	b.Run("read", func(b *testing.B) {
		var took []time.Duration
		targets := modview.ManifestTargets(m)
		for b.Loop() {
			t0 := time.Now()
			if rows := modview.ReadAll(targets, time.Now()); rows[999].State != modview.Up {
				b.Fatalf("%+v", rows[999])
			}
			took = append(took, time.Since(t0))
		}
		reportP50(b, took)
	})
}

func reportP50(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
}
