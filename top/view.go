package top

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"svman/internal/modview"
	"svman/logmux"
)

// styles are the view's colors, made by one renderer: with NO_COLOR (or a
// terminal without colors) they are plain.
type styles struct {
	r        *lipgloss.Renderer
	title    lipgloss.Style
	header   lipgloss.Style
	selected lipgloss.Style
	dim      lipgloss.Style
	good     lipgloss.Style
	warn     lipgloss.Style
	bad      lipgloss.Style
	names    [10]lipgloss.Style // the module colors of svman up, in manifest order
}

func newStyles(r *lipgloss.Renderer) styles {
	s := styles{
		r:        r,
		title:    r.NewStyle().Bold(true),
		header:   r.NewStyle().Bold(true).Underline(true),
		selected: r.NewStyle().Reverse(true),
		dim:      r.NewStyle().Faint(true),
		good:     r.NewStyle().Foreground(lipgloss.Color("2")),
		warn:     r.NewStyle().Foreground(lipgloss.Color("3")),
		bad:      r.NewStyle().Foreground(lipgloss.Color("1")).Bold(true),
	}
	for i := range s.names {
		s.names[i] = r.NewStyle().Foreground(lipgloss.Color(strconv.Itoa(logmux.PaletteANSI(i))))
	}
	return s
}

// column is one column of the table: its heading, width, and what it shows
// of a row.
type column struct {
	title string
	width int
	right bool
	key   sortKey // the sort it stands for; -1: none
	cell  func(m *Model, r *row) string
}

// columns are the table's, the module's name first (its width is what is left).
var columns = []column{
	{"MODULE", 0, false, byName, func(m *Model, r *row) string {
		return m.st.names[r.color%len(m.st.names)].Render(clean(r.st.Module, m.utf))
	}},
	{"STATE", 14, false, byState, func(m *Model, r *row) string { return m.state(r) }},
	{"PID", 7, true, -1, func(_ *Model, r *row) string { return dash(r.st.PID) }},
	{"UPTIME", 6, true, byUptime, func(m *Model, r *row) string {
		if r.st.PID == 0 || r.st.Since.IsZero() {
			return "-"
		}
		return short(m.now.Sub(r.st.Since))
	}},
	{"RST", 4, true, byRestarts, func(_ *Model, r *row) string { return strconv.Itoa(r.st.Restarts) }},
	{"LAST EXIT", 9, false, -1, func(_ *Model, r *row) string { return lastExit(r.st) }},
	{"CPU%", 5, true, byCPU, func(_ *Model, r *row) string {
		if r.cpu < 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f", r.cpu)
	}},
	{"RSS", 6, true, byRSS, func(_ *Model, r *row) string {
		if r.rss == 0 {
			return "-"
		}
		return size(r.rss)
	}},
	{"ALARMS", 6, false, -1, func(m *Model, r *row) string {
		if r.st.Alarms == "off" {
			return m.st.warn.Render("off")
		}
		return cmpOr(r.st.Alarms, "-")
	}},
}

func cmpOr(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

func dash(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

// lastExit is the LAST EXIT cell: the code or the signal.
func lastExit(st modview.Status) string {
	e := st.LastExit
	switch {
	case e.At.IsZero():
		return "-"
	case e.Signal != "":
		s := strings.TrimPrefix(e.Signal, "SIG")
		if e.CoreDumped {
			s += " core"
		}
		return s
	}
	return "exit " + strconv.Itoa(e.Code)
}

// state is the STATE cell: the words of svman status, shortened to fit, a
// backoff with its countdown, in the color of its health.
func (m *Model) state(r *row) string {
	st := r.st
	switch st.State {
	case modview.Up:
		switch {
		case !st.Ready:
			return m.st.warn.Render("starting")
		case st.Unhealthy > 0:
			return m.st.bad.Render(fmt.Sprintf("unhealthy (%d)", st.Unhealthy))
		}
		return m.st.good.Render("up")
	case modview.Backoff:
		return m.st.bad.Render("backoff " + short(st.NextStart.Sub(m.now)))
	case modview.Failed, modview.Unknown:
		return m.st.bad.Render(string(st.State))
	case modview.Waiting:
		return m.st.warn.Render("waiting")
	case modview.Paused, modview.Restarting:
		return m.st.warn.Render(string(st.State))
	case modview.Down:
		if st.Completed {
			return m.st.dim.Render("completed")
		}
	}
	return m.st.dim.Render(string(st.State))
}

// View draws the screen.
func (m *Model) View() string {
	if m.quit {
		return ""
	}
	var lines []string
	switch m.mode {
	case modeHelp:
		lines = m.helpLines()
	case modeLog:
		lines = append(lines, m.titleLine())
		lines = append(lines, m.logLines(m.height-2)...)
	default:
		lines = append(lines, m.titleLine(), m.headerLine())
		lines = append(lines, m.tableLines()...)
		if room := m.height - len(lines) - 1; room > 1 {
			lines = append(lines, m.logLines(room)...)
		}
	}
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:min(len(lines), m.height-1)], m.bottomLine())
	for i, l := range lines {
		lines[i] = fit(l, m.width)
	}
	return strings.Join(lines, "\n")
}

// titleLine says which svman, how many modules in which states, and when.
func (m *Model) titleLine() string {
	counts := map[string]int{}
	for _, r := range m.rows {
		counts[string(r.st.State)]++
	}
	var parts []string
	for _, s := range []modview.State{modview.Up, modview.Paused, modview.Backoff, modview.Failed, modview.Waiting, modview.Down} {
		if n := counts[string(s)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	title := fmt.Sprintf("svman top: %d modules", len(m.rows))
	if len(parts) > 0 {
		title += " (" + strings.Join(parts, ", ") + ")"
	}
	if m.filter != "" {
		title += fmt.Sprintf(", %d shown", len(m.view))
	}
	right := m.now.Format("15:04:05")
	if m.lastErr != "" {
		right = m.st.bad.Render("no answer: " + m.lastErr)
	}
	return m.st.title.Render(title) + "  " + m.st.dim.Render(m.where) + "  " + right
}

// nameWidth is the MODULE column's width: what the others leave, within
// the longest name and 10 to 40 cells.
func (m *Model) nameWidth() int {
	longest := 6
	for _, r := range m.view {
		longest = max(longest, len(r.st.Module))
	}
	rest := 2 // the mark and its space
	for _, c := range columns[1:] {
		rest += c.width + 1
	}
	return max(10, min(longest, 40, m.width-rest))
}

// headerLine is the columns' headings, the sort column marked.
func (m *Model) headerLine() string {
	var b strings.Builder
	b.WriteString("  ")
	for i, c := range columns {
		w := c.width
		if i == 0 {
			w = m.nameWidth()
		}
		t := c.title
		if c.key == m.sortBy {
			t += map[bool]string{false: "^", true: "v"}[m.desc]
		}
		if c.right {
			b.WriteString(fitRight(t, w))
		} else {
			b.WriteString(fit(t, w))
		}
		b.WriteByte(' ')
	}
	return m.st.header.Render(b.String())
}

// tableLines are the rows on screen.
func (m *Model) tableLines() []string {
	if len(m.view) == 0 {
		if len(m.rows) == 0 {
			return []string{"  (no module yet)"}
		}
		return []string{fmt.Sprintf("  (no module matches %q)", m.filter)}
	}
	h := m.tableHeight()
	nw := m.nameWidth()
	var out []string
	for i := m.top; i < min(len(m.view), m.top+h); i++ {
		r := m.view[i]
		var b strings.Builder
		if m.marked[r.st.Module] {
			b.WriteString("* ")
		} else {
			b.WriteString("  ")
		}
		for j, c := range columns {
			w := c.width
			if j == 0 {
				w = nw
			}
			cell := c.cell(m, r)
			if c.right {
				b.WriteString(fitRight(cell, w))
			} else {
				b.WriteString(fit(cell, w))
			}
			b.WriteByte(' ')
		}
		line := b.String()
		if i == m.cursor {
			line = m.st.selected.Render(fit(ansi.Strip(line), m.width))
		}
		out = append(out, line)
	}
	return out
}

// logLines are a log of height lines: a heading, then the lines.
func (m *Model) logLines(height int) []string {
	what := m.log.target
	switch what {
	case "":
		what = "no module"
	case allModules:
		what = "all modules"
	}
	state := "following"
	if m.log.back > 0 {
		state = fmt.Sprintf("%d lines back (End: follow)", m.log.back)
	}
	if m.log.err != "" {
		state = m.st.bad.Render(m.log.err)
	}
	head := m.st.header.Render(fit("-- log of "+what+", "+state+" ", m.width))
	out := []string{head}
	win := m.log.window(height - 1)
	for len(out)+len(win) < height {
		out = append(out, "")
	}
	for _, l := range win {
		text := clean(l.text, m.utf)
		if m.log.search != "" && strings.Contains(l.text, m.log.search) {
			text = m.st.selected.Render(text)
		}
		prefix := l.at.Local().Format("15:04:05") + " "
		if m.log.target == allModules {
			prefix += fit(clean(l.module, m.utf), 12) + " "
		}
		if l.stream == logmux.Stderr {
			prefix += "! "
		} else {
			prefix += "| "
		}
		out = append(out, m.st.dim.Render(prefix)+text)
	}
	return out
}

// bottomLine is what is being typed, the question asked, or the last message.
func (m *Model) bottomLine() string {
	switch {
	case m.input != nil:
		return m.input.label + ": " + clean(m.input.text, m.utf) + "_"
	case m.prompt != nil:
		return m.st.warn.Render(clean(m.prompt.question, m.utf))
	}
	hint := "? help  q quit"
	msg := clean(m.message, m.utf)
	return fit(msg, max(0, m.width-len(hint)-1)) + " " + m.st.dim.Render(hint)
}

// helpLines is the help screen.
func (m *Model) helpLines() []string {
	return []string{
		m.st.title.Render("svman top: keys"),
		"",
		"  up/down, j/k, PgUp/PgDn, Home/End   move the selection",
		"  space        mark the module (actions apply to the marked ones)",
		"  u  d  r      up, down, restart",
		"  K            kill (SIGKILL)",
		"  p  c         pause, continue",
		"  s  n         silence alarms, alarms on (notify)",
		"  R            reload the manifest: shows what it would do, then asks",
		"  /            filter the modules by name or state; Esc clears",
		"  o  O         sort by the next column; reverse the order",
		"  Enter        the log full screen (/ search, n N next, End follow; Esc back)",
		"  a            the log of all modules, merged; again: the selected one",
		"  ?            this help",
		"  q, Ctrl-C    quit",
		"",
		"Down, restart, kill and pause on several marked modules ask first.",
		"Press any key to go back.",
	}
}
