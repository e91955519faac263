package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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
func supervisedDirs(b *testing.B, root string, n int) (*manifest.Manifest, map[string]*statusfs.Dir) {
	m := &manifest.Manifest{StatusDir: root}
	held := make(map[string]*statusfs.Dir, n)
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
		held[name] = d
	}
	return m, held
}

// GET /v1/modules of 1000 supervised modules over the unix socket, as svman
// serves it (api: the engine holds the directories, and the modules are
// described from what was last written) and as it serves the modules it does
// not hold (api-files: read from their files); modview.ReadAll of the files
// (read), and `svman status --json` (cli). ns/op, and p50 in the report: to
// the response's last byte, and with the client's decoding of the JSON.
func BenchmarkModules1000(b *testing.B) {
	root := b.TempDir()
	m, held := supervisedDirs(b, root, 1000)
	for _, sub := range []struct {
		name string
		held map[string]*statusfs.Dir
	}{{"api", held}, {"api-files", nil}} {
		sock := filepath.Join(root, sub.name+".sock")
		s, err := Start(Config{Socket: sock, Manifest: func() *manifest.Manifest { return m }, Engine: &fakeEngine{held: sub.held}})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = s.Close(b.Context()) })
		c := unixClient(sock)
		b.Run(sub.name, func(b *testing.B) {
			var took, decoded []time.Duration
			for b.Loop() {
				t0 := time.Now()
				resp, err := c.Get("http://svman/v1/modules")
				if err != nil {
					b.Fatal(err)
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
				var rows []modview.Status
				if err := json.Unmarshal(body, &rows); err != nil || len(rows) != 1000 || rows[999].State != modview.Up || rows[999].SupervisorPID != os.Getpid() {
					b.Fatalf("%d rows, %v", len(rows), err)
				}
				decoded = append(decoded, time.Since(t0))
			}
			reportP50(b, took, "p50-ms")
			reportP50(b, decoded, "p50-decoded-ms")
		})
	}
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
			reportP50(b, took, "p50-ms")
		})
	}
	b.Run("read", func(b *testing.B) {
		var took []time.Duration
		targets := modview.ManifestTargets(m)
		for b.Loop() {
			t0 := time.Now()
			if rows := modview.ReadAll(targets, time.Now(), nil); rows[999].State != modview.Up {
				b.Fatalf("%+v", rows[999])
			}
			took = append(took, time.Since(t0))
		}
		reportP50(b, took, "p50-ms")
	})
}

func reportP50(b *testing.B, took []time.Duration, unit string) {
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, unit)
}
