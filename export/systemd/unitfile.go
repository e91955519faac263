package systemd

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"svman/export"
)

// unit is a unit file being written: its sections' lines in the order they
// were set, so that the same manifest always gives the same bytes.
type unit struct {
	name                   string
	unitSec, service, inst section
}

// section is the lines of one section of a unit.
type section []string

// set adds key=value; value is already quoted for key.
func (s *section) set(key, value string) { *s = append(*s, key+"="+value) }

// comment adds a comment line, for a value whose reason is not plain from
// the manifest.
func (s *section) comment(text string) { *s = append(*s, "# "+text) }

// file renders u, after the export's header line.
func (u *unit) file(header string) export.File {
	var b bytes.Buffer
	b.WriteString(header)
	for _, s := range []struct {
		name  string
		lines section
	}{{"Unit", u.unitSec}, {"Service", u.service}, {"Install", u.inst}} {
		if len(s.lines) == 0 {
			continue
		}
		b.WriteString("\n[" + s.name + "]\n")
		for _, l := range s.lines {
			b.WriteString(l + "\n")
		}
	}
	return export.File{Name: u.name, Data: b.Bytes()}
}

// timespan is d as a systemd time span ("1min 30s", "500ms"), exact to the
// microsecond, systemd's resolution: a part of a microsecond counts as one,
// so that no positive duration becomes 0, which many keys read as
// "infinity".
func timespan(d time.Duration) string {
	if d <= 0 {
		return "0"
	}
	us := (d + time.Microsecond - 1) / time.Microsecond
	var parts []string
	for _, u := range []struct {
		n    time.Duration // in microseconds
		name string
	}{{3600e6, "h"}, {60e6, "min"}, {1e6, "s"}, {1e3, "ms"}, {1, "us"}} {
		if us >= u.n {
			parts = append(parts, strconv.FormatInt(int64(us/u.n), 10)+u.name)
			us %= u.n
		}
	}
	return strings.Join(parts, " ")
}
