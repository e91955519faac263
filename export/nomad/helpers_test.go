package nomad

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"svman/export"
	"svman/manifest"
)

// load writes src as supervise.hcl, and files (by name) beside it, in a
// new directory, and loads it.
func load(t *testing.T, src string, files map[string]string) *manifest.Manifest {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "supervise.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// exportJob exports m with o and reads the JSON back, strictly.
func exportJob(t *testing.T, m *manifest.Manifest, o Options) (*Job, *export.Notes) {
	t.Helper()
	notes := export.NewNotes(m)
	out, err := Export(m, o, notes)
	if err != nil {
		t.Fatal(err)
	}
	return decodeJob(t, out), notes
}

func decodeJob(t *testing.T, out []byte) *Job {
	t.Helper()
	var r register
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return r.Job
}

// group is the group named name, or fails the test.
func group(t *testing.T, job *Job, name string) *TaskGroup {
	t.Helper()
	for _, g := range job.TaskGroups {
		if g.Name == name {
			return g
		}
	}
	t.Fatalf("no group %s in the job", name)
	return nil
}

// task is the task named name of the group named so, or fails the test.
func task(t *testing.T, job *Job, name string) *Task {
	t.Helper()
	for _, g := range job.TaskGroups {
		for _, tk := range g.Tasks {
			if tk.Name == name && tk.Lifecycle == nil {
				return tk
			}
		}
	}
	t.Fatalf("no task %s in the job", name)
	return nil
}
