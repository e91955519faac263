package manifest

import (
	"path/filepath"
	"reflect"
	"testing"
)

// DefaultModule and DefaultSMTP are what Load makes of a manifest that sets
// nothing but a module's command.
func TestDefaultsAreLoads(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"m.hcl": "module \"web\" {\n  command = [\"./web\", \"-v\"]\n}\n"})
	m, err := Load(filepath.Join(dir, "m.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultModule("web", []string{"./web", "-v"}, dir)
	if !reflect.DeepEqual(m.Modules[0], want) {
		t.Errorf("Load made\n%+v\nDefaultModule is\n%+v", m.Modules[0], want)
	}
	if !reflect.DeepEqual(m.SMTP, DefaultSMTP()) {
		t.Errorf("Load made smtp %+v, DefaultSMTP is %+v", m.SMTP, DefaultSMTP())
	}
}
