package export

import (
	"path/filepath"
	"strings"

	"svman/manifest"
)

// Project is the name an export gives the manifest's modules as a whole (the
// systemd target svman-PROJECT.target, the Nomad job): name when given
// (svman export --project), else the base name of the manifest's directory,
// as docker compose names a project. Characters a unit name or a job ID
// cannot hold become "-"; an empty result is "svman".
func Project(m *manifest.Manifest, name string) string {
	if name == "" {
		name = filepath.Base(filepath.Dir(m.Path))
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			return r
		}
		return '-'
	}, name)
	if strings.Trim(name, ".-") == "" {
		return "svman"
	}
	return name
}
