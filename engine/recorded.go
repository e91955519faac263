package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"

	"svman/manifest"
)

// What module.json records of a module: every setting, for `svman diff` and for
// the rule that a module added again keeps its state only with an unchanged
// block (kept.go compares the bytes); but not the values of its environment
// (passwords, tokens) nor its alarm webhook (whose URL often holds a key), of
// which it keeps a hash: enough to tell that one changed, nothing to read.
//
// The hash is SHA-256 over a fixed label, the variable's name and its value,
// with no secret salt: module.json is itself 0600 in a 0700 directory, so whoever
// could try to guess a value from it can read the manifest it came from anyway;
// a salt would only make module.json depend on more than the manifest, and the
// byte comparison with it harder to keep right.

// Recorded returns mod as module.json records it: env values and the webhook
// replaced by "sha256:HEX". Compare a manifest's module with one read back from
// module.json in this form.
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
	return mod
}

// recordedJSON is the content of module.json for mod.
func recordedJSON(mod manifest.Module) ([]byte, error) {
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
