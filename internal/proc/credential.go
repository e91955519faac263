package proc

import (
	"fmt"
	"os"
	"strings"
	"syscall"

	"svman/manifest"
)

// credential is the user and groups a module's child runs as, or nil for svman's
// own. Switching to another user or group needs svman to run as root: a module
// that asks for it otherwise cannot start, and says why.
func credential(user *manifest.Credential, group *manifest.Credential) (*syscall.Credential, error) {
	if user == nil && group == nil {
		return nil, nil
	}
	uid, gid := uint32(os.Geteuid()), uint32(os.Getegid())
	c := &syscall.Credential{Uid: uid, Gid: gid, NoSetGroups: true}
	if u := user; u != nil {
		c.Uid, c.Gid, c.Groups, c.NoSetGroups = u.ID, u.GID, u.Groups, false
	}
	if g := group; g != nil {
		c.Gid = g.ID
	}
	if os.Geteuid() != 0 && (c.Uid != uid || c.Gid != gid) {
		return nil, fmt.Errorf("running as %s needs svman to run as root (it runs as uid %d): start svman as root, or remove user and group", describe(user, group), uid)
	}
	if os.Geteuid() != 0 {
		return nil, nil // already that user and group: nothing to switch
	}
	return c, nil
}

func describe(user *manifest.Credential, group *manifest.Credential) string {
	var parts []string
	if user != nil {
		parts = append(parts, fmt.Sprintf("user %q", user.Name))
	}
	if group != nil {
		parts = append(parts, fmt.Sprintf("group %q", group.Name))
	}
	return strings.Join(parts, " and ")
}
