package engine

import (
	"strings"
	"testing"

	"svman/manifest"
)

// module.json keeps a hash of every env value and of the webhook: the same
// value hashes the same (a reload with the block unchanged keeps its state),
// another value differently (svman diff sees the change), and the value itself
// is nowhere in the file.
func TestRecordedHidesSecrets(t *testing.T) {
	mod := manifest.Module{Name: "api", Env: map[string]string{"DB_PASSWORD": "hunter2", "B": "hunter2"}}
	mod.Alarm.Webhook = "https://hooks.example.com/T0/secret-token"
	b, err := recordedJSON(mod)
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
	again, _ := recordedJSON(mod)
	if string(again) != string(b) {
		t.Error("the same module is recorded differently")
	}
	changed := mod
	changed.Env = map[string]string{"DB_PASSWORD": "hunter3", "B": "hunter2"}
	if got := Changes(Recorded(mod), Recorded(changed)); len(got) != 1 || got[0] != "env" {
		t.Errorf("Changes after a new password = %v, want [env]", got)
	}
}
