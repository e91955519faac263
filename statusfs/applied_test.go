package statusfs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"svman/manifest"
)

// module.json keeps a hash of every env value and of the webhook: the same
// value hashes the same (a reload with the block unchanged keeps its state),
// another value differently (svman diff sees the change), and the value itself
// is nowhere in the file.
func TestRecordedHidesSecrets(t *testing.T) {
	mod := manifest.Module{Name: "api", Env: map[string]string{"DB_PASSWORD": "hunter2", "B": "hunter2"}}
	mod.Alarm.Webhook = "https://hooks.example.com/T0/secret-token"
	d := openTemp(t)
	if err := d.WriteApplied(mod); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(d.Path(), "module.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2", "secret-token"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("module.json holds %q: %s", secret, b)
		}
	}
	r := Recorded(mod)
	if r.Env["DB_PASSWORD"] == r.Env["B"] {
		t.Error("two variables with the same value hash the same: the name must be hashed too")
	}
	if mod.Env["DB_PASSWORD"] != "hunter2" {
		t.Error("Recorded changed the module it was given")
	}
	if !HoldsApplied(d.Path(), mod) {
		t.Error("the same module is recorded differently")
	}
	changed := mod
	changed.Env = map[string]string{"DB_PASSWORD": "hunter3", "B": "hunter2"}
	if rc := Recorded(changed); rc.Env["DB_PASSWORD"] == r.Env["DB_PASSWORD"] || rc.Env["B"] != r.Env["B"] {
		t.Errorf("after a new password, Recorded env = %v, was %v: want only DB_PASSWORD changed", rc.Env, r.Env)
	}
	if HoldsApplied(d.Path(), changed) {
		t.Error("module.json holds a block whose password changed")
	}
}

// goldenModule is the module testdata/module.json records.
func goldenModule() manifest.Module {
	umask := uint32(0o22)
	core, nofile := uint64(0), manifest.Unlimited
	return manifest.Module{
		Name: "web", Command: []string{"/bin/sh", "-c", "exec ./web --port 8080"}, Shell: true,
		Dir:      "/srv/web",
		User:     &manifest.Credential{Name: "www-data", ID: 33, GID: 33, Groups: []uint32{4, 27}, Home: "/var/www"},
		Group:    &manifest.Credential{Name: "www-data", ID: 33},
		Umask:    &umask,
		Env:      map[string]string{"PATH": "/usr/bin:/bin", "TOKEN": "s3cret"},
		EnvClear: true, Autostart: true,
		StopSignal: 15, StopTimeout: 10 * time.Second,
		Restart: manifest.Restart{Policy: manifest.RestartOnFailure, Delay: time.Second, MaxDelay: time.Minute, MinUptime: 2 * time.Second, ExitCodes: []int{0, 3}},
		Alarm: manifest.Alarm{Interval: time.Minute, MaxTries: 5, MaxTriesIfCoredumped: 1, Mail: []string{"ops@example.com"},
			Exec: []string{"/usr/local/bin/page", "web"}, Webhook: "https://hooks.example.com/T0/B0/key"},
		OnExit: []string{"/usr/local/bin/cleanup"},
		Limits: manifest.Limits{Core: &core, NoFile: &nofile},
		Log:    manifest.Log{Timestamps: true, MaxSize: 50_000_000, Keep: 10, Mode: 0o640},
	}
}

// module.json is byte for byte testdata/module.json, the file svman has written
// since secrets are hashed. A field added to manifest.Module changes the
// bytes: then keep the old file as testdata/module-OLD.json in
// TestReadAppliedOfEarlierVersions, and write the new one here.
func TestWriteAppliedGolden(t *testing.T) {
	want, err := os.ReadFile("testdata/module.json")
	if err != nil {
		t.Fatal(err)
	}
	d := openTemp(t)
	if err := d.WriteApplied(goldenModule()); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(d.Path(), "module.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("module.json =\n%s\nwant\n%s", got, want)
	}
	if !HoldsApplied(d.Path(), goldenModule()) {
		t.Error("HoldsApplied is false right after WriteApplied")
	}
}

// A module.json written by an earlier svman reads back as the module it
// recorded, and compares equal to the same block of the manifest.
func TestReadAppliedOfEarlierVersions(t *testing.T) {
	for _, file := range []string{"testdata/module-v1.json", "testdata/module-v2.json", "testdata/module-v3.json", "testdata/module.json"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "module.json"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := ReadApplied(dir)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if want := Recorded(goldenModule()); !reflect.DeepEqual(got, want) {
			t.Errorf("%s reads as\n%+v\nwant\n%+v", file, got, want)
		}
	}
}

func TestWriteApplied(t *testing.T) {
	d := openTemp(t)
	for _, name := range []string{"a", "b"} {
		if err := d.WriteApplied(manifest.Module{Name: name}); err != nil {
			t.Fatal(err)
		}
		got, err := ReadApplied(d.Path())
		if err != nil || got.Name != name {
			t.Errorf("ReadApplied = %+v, %v; want the module %s", got, err, name)
		}
	}
	if _, err := os.Lstat(filepath.Join(d.Path(), "module.json.new")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("module.json.new left behind: %v", err)
	}
	d.Close()
	if err := d.WriteApplied(manifest.Module{Name: "c"}); !errors.Is(err, os.ErrClosed) {
		t.Errorf("WriteApplied after Close = %v, want os.ErrClosed", err)
	}
}

// A module.json that is not JSON is an error naming the file, and a missing one
// an error that says so.
func TestReadAppliedBroken(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadApplied(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadApplied of no file = %v, want not exist", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "module.json"), []byte(`{"Name":`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadApplied(dir); err == nil || !strings.Contains(err.Error(), "module.json") {
		t.Errorf("ReadApplied of a cut file = %v, want an error naming module.json", err)
	}
	if HoldsApplied(dir, manifest.Module{}) {
		t.Error("HoldsApplied of a cut file is true")
	}
}
