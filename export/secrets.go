package export

import "svman/manifest"

// SecretsCopied notes each of mod's fields paths that holds a value read
// with file() or env() (see Secret) and that the export copies into its
// output, which others may read: what is the output ("unit", "job") and
// instead says where such a value belongs there. The note names the field,
// never the value. The files are then written for their owner alone.
func (n *Notes) SecretsCopied(mod manifest.Module, what, instead string, paths ...string) {
	for _, p := range paths {
		if n.Secret(mod, p) {
			n.KeepPrivate()
			n.Lost(mod, p, "Secret written into the "+what,
				"A value of "+p+" is read with file() or env(), so it may be a secret: the "+what+" holds it in clear. "+instead)
		}
	}
}
