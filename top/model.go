package top

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"svman/api"
	"svman/internal/modview"
)

// row is one module of the table: what the API last said of it, and its
// usage.
type row struct {
	st    modview.Status
	color int // its place in the manifest: its color in svman up

	cpu      float64 // percent of one core over the last sample; -1: not known yet
	rss      int64
	cpuTotal float64   // the last sample's CPU seconds, of pid
	cpuPID   int       // the process cpuTotal is of
	cpuAt    time.Time // when it was taken
}

// sortKey is a column the table may be sorted by.
type sortKey int

const (
	byName sortKey = iota
	byState
	byCPU
	byRSS
	byRestarts
	byUptime
	sortKeys
)

var sortNames = [sortKeys]string{"name", "state", "cpu", "rss", "restarts", "uptime"}

// mode is what the screen shows.
type mode int

const (
	modeTable mode = iota // the table, and the selected module's log below it
	modeLog               // the log, full screen
	modeHelp
)

// Model is svman top's state, its Update and its View (bubbletea's Elm
// architecture): everything it shows comes in as a message, everything it
// does goes out as a command, so that tests drive it without a terminal.
type Model struct {
	b      Backend
	follow func(target string) // asks the log feed for a module's lines (feed.go)
	where  string              // the socket or address, for the title
	st     styles
	utf    bool // the terminal takes UTF-8

	width, height int
	now           time.Time

	rows    map[string]*row
	view    []*row // the rows shown: filtered, sorted
	counts  string // "4 up, 1 down": the modules by state, for the title
	longest int    // the widest name in view, in cells
	cursor  int    // in view
	top     int    // the first row of view on screen
	marked  map[string]bool
	sortBy  sortKey
	desc    bool
	filter  string

	mode   mode
	input  *input  // a filter or search being typed
	prompt *prompt // a question awaiting y or n
	log    logPane

	message string // the last thing said on the bottom line
	lastErr string // the API cannot be reached: why
	quit    bool
}

// Options are what New needs beside the backend.
type Options struct {
	Where    string              // shown in the title: the socket or the address
	Follow   func(target string) // the log feed's (nil: no log lines)
	Renderer *lipgloss.Renderer  // its color profile decides the colors (NO_COLOR)
	UTF8     bool                // the terminal's locale is UTF-8
}

// New is a Model of no module yet: the feed's first list fills it.
func New(b Backend, o Options) *Model {
	if o.Follow == nil {
		o.Follow = func(string) {}
	}
	if o.Renderer == nil {
		o.Renderer = lipgloss.DefaultRenderer()
	}
	return &Model{
		b: b, follow: o.Follow, where: o.Where, st: newStyles(o.Renderer), utf: o.UTF8,
		width: 80, height: 24, now: time.Now(),
		rows: map[string]*row{}, marked: map[string]bool{},
	}
}

// setModules takes a list of modules: all of them (full: those not in it are
// gone), or some that changed. It reports whether modules came or went.
func (m *Model) setModules(list []modview.Status, full bool) (changed bool) {
	keep := make(map[string]bool, len(list))
	for i, st := range list {
		keep[st.Module] = true
		r := m.rows[st.Module]
		if r == nil {
			r = &row{cpu: -1, color: len(m.rows)}
			m.rows[st.Module] = r
			changed = true
		}
		r.st = st
		if full {
			r.color = i // its place in the manifest, as svman up colors it
		}
	}
	for name := range m.rows {
		if full && !keep[name] {
			delete(m.rows, name)
			delete(m.marked, name)
			changed = true
		}
	}
	m.arrange()
	return changed
}

// setUsage takes a sample of /v1/usage taken at at: CPU percent is the
// time used since the last sample of the same process.
func (m *Model) setUsage(list []api.Usage, at time.Time) {
	seen := make(map[string]bool, len(list))
	for _, u := range list {
		r := m.rows[u.Module]
		if r == nil {
			continue
		}
		seen[u.Module] = true
		r.rss = u.RSSBytes
		if r.cpuPID == u.PID && at.After(r.cpuAt) {
			r.cpu = max(0, 100*(u.CPUSeconds-r.cpuTotal)/at.Sub(r.cpuAt).Seconds())
		} else {
			r.cpu = -1
		}
		r.cpuTotal, r.cpuPID, r.cpuAt = u.CPUSeconds, u.PID, at
	}
	for name, r := range m.rows {
		if !seen[name] {
			r.cpu, r.rss, r.cpuPID = -1, 0, 0
		}
	}
	if m.sortBy == byCPU || m.sortBy == byRSS {
		m.arrange()
	}
}

// arrange makes view from rows: those the filter matches, sorted; the cursor
// stays on the module it was on.
func (m *Model) arrange() {
	var at string
	if r := m.selected(); r != nil {
		at = r.st.Module
	}
	m.view = m.view[:0]
	for _, r := range m.rows {
		if m.filter == "" || strings.Contains(r.st.Module, m.filter) || strings.Contains(string(r.st.State), m.filter) {
			m.view = append(m.view, r)
		}
	}
	slices.SortFunc(m.view, func(a, b *row) int {
		c := m.compare(a, b)
		if m.desc {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a.st.Module, b.st.Module))
	})
	m.cursor = 0
	m.longest = 6
	for i, r := range m.view {
		if r.st.Module == at {
			m.cursor = i
		}
		m.longest = max(m.longest, ansi.StringWidth(r.st.Module))
	}
	m.keepCursorShown()
	m.counts = countStates(m.rows)
}

// countStates is "4 up, 1 backoff, 2 down": the modules by state, in the
// order of svman status' words, those with none left out.
func countStates(rows map[string]*row) string {
	n := map[modview.State]int{}
	for _, r := range rows {
		n[r.st.State]++
	}
	var parts []string
	for _, s := range []modview.State{modview.Up, modview.Paused, modview.Restarting, modview.Backoff, modview.Failed,
		modview.Waiting, modview.Down, modview.Released, modview.NotSupervised, modview.Unknown} {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
		}
	}
	return strings.Join(parts, ", ")
}

// compare orders two rows by the sort column.
func (m *Model) compare(a, b *row) int {
	switch m.sortBy {
	case byState:
		return cmp.Compare(a.st.State, b.st.State)
	case byCPU:
		return -cmp.Compare(a.cpu, b.cpu) // the busiest first
	case byRSS:
		return -cmp.Compare(a.rss, b.rss)
	case byRestarts:
		return -cmp.Compare(a.st.Restarts, b.st.Restarts)
	case byUptime: // the longest running first, those not running last
		if (a.st.PID == 0) != (b.st.PID == 0) {
			return cmp.Compare(b2i(a.st.PID == 0), b2i(b.st.PID == 0))
		}
		return a.st.Since.Compare(b.st.Since)
	}
	return cmp.Compare(a.st.Module, b.st.Module)
}

// selected is the row under the cursor; nil with none.
func (m *Model) selected() *row {
	if m.cursor < 0 || m.cursor >= len(m.view) {
		return nil
	}
	return m.view[m.cursor]
}

// targets is what an action applies to: the marked modules, those a filter
// hides included (the title counts them), or the one under the cursor.
func (m *Model) targets() []string {
	names := slices.Sorted(maps.Keys(m.marked))
	if len(names) == 0 {
		if r := m.selected(); r != nil {
			names = []string{r.st.Module}
		}
	}
	return names
}

// tableHeight is how many rows of the table fit: half the screen below the
// title and the header when the log shows below it, fewer when there are
// fewer modules.
func (m *Model) tableHeight() int {
	room := m.height - 3 // title, header, bottom line
	return max(1, min(len(m.view), room/2, room-4))
}

// keepCursorShown scrolls the table so that the cursor's row is on screen.
func (m *Model) keepCursorShown() {
	h := m.tableHeight()
	m.cursor = max(0, min(m.cursor, len(m.view)-1))
	switch {
	case m.cursor < m.top:
		m.top = m.cursor
	case m.cursor >= m.top+h:
		m.top = m.cursor - h + 1
	}
	m.top = max(0, min(m.top, len(m.view)-h))
}
