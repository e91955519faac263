package statusfs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"

	"svman/manifest"
)

// module.json records the settings a supervisor applies now: the module as
// Recorded gives it, as JSON with manifest.Module's field names. `svman diff`
// compares it with the manifest on disk from any terminal, and a module added
// again keeps its recorded state only with an unchanged block (HoldsApplied
// compares the bytes). The legacy tools ignore it.
//
// It keeps every setting, but not the values of the environment (passwords,
// tokens) nor the alarm webhook (whose URL often holds a key), of which it
// keeps a hash: enough to tell that one changed, nothing to read. The hash is
// SHA-256 over a fixed label, the variable's name and its value, with no
// secret salt: module.json is itself 0600 in a 0700 directory, so whoever
// could try to guess a value from it can read the manifest it came from
// anyway; a salt would only make module.json depend on more than the
// manifest, and the byte comparison with it harder to keep right.

// Recorded returns mod as module.json records it: env values, the webhook and
// the URLs of http probes replaced by "sha256:HEX". Compare a manifest's module with one read back from
// module.json (ReadApplied) in this form.
func Recorded(mod manifest.Module) manifest.Module {
	if mod.Env != nil {
		env := maps.Clone(mod.Env)
		for k, v := range env {
			env[k] = secretHash("env", k, v)
		}
		mod.Env = env
	}
	if mod.Alarm.Webhook != "" {
		mod.Alarm.Webhook = secretHash("alarm", "webhook", mod.Alarm.Webhook)
	}
	// A probe's URL may carry a token too. The blocks are shared: copy them.
	if r := mod.Ready; r != nil && r.HTTP != "" {
		c := *r
		c.HTTP = secretHash("ready", "http", r.HTTP)
		mod.Ready = &c
	}
	if h := mod.Health; h != nil && h.HTTP != "" {
		c := *h
		c.HTTP = secretHash("health", "http", h.HTTP)
		mod.Health = &c
	}
	return mod
}

// appliedJSON is the content of module.json for mod.
func appliedJSON(mod manifest.Module) ([]byte, error) {
	return json.Marshal(Recorded(mod))
}

// secretHash is "sha256:" and the hex SHA-256 of label, name and value, each
// ended by a NUL so that no two triples hash the same text.
func secretHash(label, name, value string) string {
	h := sha256.New()
	for _, s := range []string{label, name, value} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// WriteApplied records mod, in the form Recorded gives it, in module.json,
// written aside and renamed, as state.json is, and not fsync'd, so that no
// module's first start waits for the disk: a reader never sees part of a
// version, but after a crash of the machine (not of svman) the file may be
// lost or empty. svman diff and a reload then say the settings cannot be read
// (a reload restarts the module), and svman writes the file again when it next
// supervises the module. When the new version cannot be written, the old one
// is removed (see replaceOrRemove).
func (d *Dir) WriteApplied(mod manifest.Module) error {
	b, err := appliedJSON(mod)
	if err != nil {
		return fmt.Errorf("write %s in %s: %w", appliedName, d.path, err)
	}
	return d.replaceOrRemove(appliedName, appliedNewName, b)
}

// ReadApplied returns the settings WriteApplied last recorded in dir, in the
// form Recorded gives them (secrets hashed). A missing file is an error
// wrapping fs.ErrNotExist.
func ReadApplied(dir string) (manifest.Module, error) {
	var m manifest.Module
	p := filepath.Join(dir, appliedName)
	b, err := readRegular(p)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return manifest.Module{}, fmt.Errorf("%s: %w", p, err)
	}
	return m, nil
}

// HoldsApplied reports whether dir's module.json is, byte for byte, what
// WriteApplied(mod) writes: the block it recorded is mod's. Reading it is
// cheaper than replacing it, for a start that finds it already right.
func HoldsApplied(dir string, mod manifest.Module) bool {
	want, err := appliedJSON(mod)
	if err != nil {
		return false
	}
	old, err := readRegular(filepath.Join(dir, appliedName))
	return err == nil && bytes.Equal(old, want)
}
