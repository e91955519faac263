package manifest

import (
	"errors"
	"fmt"
	"math/big"
	"os/user"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// This file evaluates user, group and umask. Users and groups are looked up when
// the manifest is loaded, so that a misspelt name is reported by svman check and
// not when the module starts. Whether svman may switch to them (it must be root)
// is left to the engine: svman check may run as another user than svman up.

const (
	howToWriteUser  = `Give the name of an existing user, or a numeric id such as "1000", or leave user out to run the module as svman's own user.`
	howToWriteGroup = `Give the name of an existing group, or a numeric id such as "1000", or leave group out to use the user's primary group.`
	howToWriteUmask = `A umask is a string of 1 to 4 octal digits (0 to 7), at most "0777", such as "022" (the group and others cannot write) or "0027" (the group cannot write, others can do nothing).`
)

// maxID is the largest user or group id: setuid and setgid read the next one,
// (uint32)-1, as "leave unchanged".
const maxID = 1<<32 - 2

// Where the names for did-you-mean hints come from (see namesIn).
const (
	passwdFile = "/etc/passwd"
	groupFile  = "/etc/group"
)

// user evaluates a module's user: a name or a numeric id.
func (ev *evaluator) user(expr hcl.Expression) *Credential {
	return ev.userOrGroup("user", expr, howToWriteUser, passwdFile, lookupUser)
}

// group evaluates a module's group: a name or a numeric id.
func (ev *evaluator) group(expr hcl.Expression) *Credential {
	return ev.userOrGroup("group", expr, howToWriteGroup, groupFile, lookupGroup)
}

// lookupFunc resolves a user or group written as name; numeric says that name is
// all digits, with the value id. An unknown name gives nil and no error; an
// unknown id is used as it is.
type lookupFunc func(name string, numeric bool, id uint32) (*Credential, error)

// userOrGroup evaluates user or group (kind): a string that is either all digits
// (an id) or a name, looked up with lookup. db is the file listing the names,
// read only for did-you-mean hints.
func (ev *evaluator) userOrGroup(kind string, expr hcl.Expression, how, db string, lookup lookupFunc) *Credential {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	rng := expr.Range()
	if !v.Type().IsPrimitiveType() {
		ev.errorf(rng, "Invalid "+kind, "%s must be a string, not %s. %s", kind, describe(v), how)
		return nil
	}
	name, ok := ev.toString(v, rng, kind)
	if !ok {
		return nil
	}
	if name == "" {
		ev.errorf(rng, "Empty "+kind, "%s cannot be empty. %s", kind, how)
		return nil
	}
	var id uint32
	numeric := strings.Trim(name, "0123456789") == ""
	if numeric {
		n, err := strconv.ParseUint(name, 10, 64)
		if err != nil || n > maxID {
			ev.errorf(rng, "Invalid "+kind, "%s = %s is out of range: ids go from 0 to %d. %s", kind, ev.quote(rng, name), uint64(maxID), how)
			return nil
		}
		id = uint32(n)
	}
	c, err := lookup(name, numeric, id)
	switch {
	case err != nil:
		ev.errorf(rng, "Cannot look up "+kind, "Looking up %s %s failed%s. Check the system's %s database (%s, or the NSS service it uses) and try again.", kind, ev.quote(rng, name), ev.because(rng, err.Error()), kind, db)
	case c == nil:
		hint := how
		if m := Suggest(name, namesIn(db)); m != "" && !ev.isSensitive(rng) {
			hint = fmt.Sprintf("Did you mean %q?", m)
		}
		ev.errorf(rng, "Unknown "+kind, "%s %s does not exist on this machine. %s", kind, ev.quote(rng, name), hint)
	}
	return c
}

// lookupUser is the lookupFunc of users. A user found has its primary group,
// supplementary groups and home directory filled in; an unknown id gets its own
// number as its group, no supplementary groups and "/" as its home.
func lookupUser(name string, numeric bool, id uint32) (*Credential, error) {
	var u *user.User
	var err error
	if numeric {
		// Looked up in canonical form: "0033" is user 33, and the lookup
		// without cgo compares the text of /etc/passwd's field.
		u, err = user.LookupId(strconv.FormatUint(uint64(id), 10))
		if errors.As(err, new(user.UnknownUserIdError)) {
			return &Credential{Name: name, ID: id, GID: id, Home: "/"}, nil
		}
	} else {
		u, err = user.Lookup(name)
		if errors.As(err, new(user.UnknownUserError)) {
			return nil, nil
		}
	}
	if err != nil {
		return nil, err
	}
	c := &Credential{Name: name, Home: u.HomeDir}
	if c.Home == "" {
		c.Home = "/" // as login(1) does
	}
	if c.ID, err = parseID("user id", u.Uid); err != nil {
		return nil, err
	}
	if c.GID, err = parseID("group id", u.Gid); err != nil {
		return nil, err
	}
	gids, err := u.GroupIds()
	if err != nil {
		return nil, fmt.Errorf("cannot list its groups: %w", err)
	}
	for _, g := range gids {
		gid, err := parseID("group id", g)
		if err != nil {
			return nil, err
		}
		if gid != c.GID {
			c.Groups = append(c.Groups, gid)
		}
	}
	slices.Sort(c.Groups)
	c.Groups = slices.Compact(c.Groups)
	return c, nil
}

// lookupGroup is the lookupFunc of groups.
func lookupGroup(name string, numeric bool, id uint32) (*Credential, error) {
	var g *user.Group
	var err error
	if numeric {
		g, err = user.LookupGroupId(strconv.FormatUint(uint64(id), 10))
		if errors.As(err, new(user.UnknownGroupIdError)) {
			return &Credential{Name: name, ID: id}, nil
		}
	} else {
		g, err = user.LookupGroup(name)
		if errors.As(err, new(user.UnknownGroupError)) {
			return nil, nil
		}
	}
	if err != nil {
		return nil, err
	}
	gid, err := parseID("group id", g.Gid)
	if err != nil {
		return nil, err
	}
	return &Credential{Name: name, ID: gid}, nil
}

// parseID parses an id given by the system's user database.
func parseID(what, s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n > maxID {
		return 0, fmt.Errorf("the system gave %q as a %s", s, what)
	}
	return uint32(n), nil
}

// namesIn lists the names in a passwd or group file, for did-you-mean hints
// only: os/user cannot list users or groups. The lookups themselves go through
// os/user, which also knows NSS's users, so a file that cannot be read just
// gives no hint.
func namesIn(path string) []string {
	data, err := readRegular(path, maxFileSize)
	if err != nil {
		return nil
	}
	return namesFrom(string(data))
}

// namesFrom lists the first field of each "name:..." line of a passwd or group
// file, skipping comments and NIS's "+" and "-" entries.
func namesFrom(text string) []string {
	var names []string
	for line := range strings.Lines(text) {
		name, _, ok := strings.Cut(line, ":")
		if ok && name != "" && !strings.ContainsAny(name[:1], "#+-") {
			names = append(names, name)
		}
	}
	return names
}

// umask evaluates a module's umask: a string of octal digits. Numbers are
// refused, since HCL reads 022 as twenty-two and 0027 as twenty-seven.
func (ev *evaluator) umask(expr hcl.Expression) *uint32 {
	v, ok := ev.eval(expr)
	if !ok {
		return nil
	}
	rng := expr.Range()
	switch v.Type() {
	case cty.String:
	case cty.Number:
		fix := "022"
		if n, acc := v.AsBigFloat().Int64(); acc == big.Exact && n >= 0 && n <= 777 && strings.Trim(strconv.FormatInt(n, 10), "01234567") == "" && !ev.isSensitive(rng) {
			fix = fmt.Sprintf("%03d", n)
		}
		ev.errorf(rng, "Invalid umask", "umask must be a string, not a number: HCL reads 022 as twenty-two, not as octal. Write it in quotes, such as umask = %q.", fix)
		return nil
	default:
		ev.errorf(rng, "Invalid umask", "umask must be a string, not %s. %s", describe(v), howToWriteUmask)
		return nil
	}
	s := v.AsString()
	n, ok := parseUmask(s)
	if !ok {
		ev.errorf(rng, "Invalid umask", "%s is not a umask. %s", ev.quote(rng, s), howToWriteUmask)
		return nil
	}
	return &n
}

// parseUmask parses 1 to 4 octal digits up to 0777, around which spaces are
// allowed.
func parseUmask(s string) (uint32, bool) {
	t := strings.TrimSpace(s)
	if t == "" || len(t) > 4 || strings.Trim(t, "01234567") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(t, 8, 32)
	if err != nil || n > 0o777 {
		return 0, false
	}
	return uint32(n), true
}

// clone copies c, so that modules given the same user by the defaults share no
// memory. A nil c stays nil.
func (c *Credential) clone() *Credential {
	if c == nil {
		return nil
	}
	d := *c
	d.Groups = slices.Clone(c.Groups)
	return &d
}
