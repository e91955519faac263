package top

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

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
	names    [logmux.PaletteLen]lipgloss.Style // the module colors of svman up, in manifest order
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

// View draws the screen.
func (m *Model) View() string {
	if m.quit {
		return ""
	}
	var lines []string
	nw := m.nameWidth()
	switch {
	case m.prompt != nil && len(m.prompt.detail) > 0:
		lines = append(lines, m.titleLine())
		for _, d := range m.prompt.detail {
			lines = append(lines, "  "+clean(d, m.utf))
		}
	case m.mode == modeHelp:
		lines = m.helpLines()
	case m.mode == modeLog:
		lines = append(lines, m.titleLine())
		lines = append(lines, m.logLines(m.height-2)...)
	default:
		lines = append(lines, m.titleLine(), m.headerLine(nw))
		lines = append(lines, m.tableLines(nw)...)
		if room := m.height - len(lines) - 1; room > 1 {
			lines = append(lines, m.logLines(room)...)
		}
	}
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:max(0, min(len(lines), m.height-1))], m.bottomLine())
	for i, l := range lines {
		lines[i] = fit(l, m.width)
	}
	return strings.Join(lines, "\n")
}

// titleLine says which svman, how many modules in which states, and when;
// first of all, that svman does not answer, when it does not.
func (m *Model) titleLine() string {
	if m.lastErr != "" {
		return m.st.bad.Render("svman top: NO ANSWER, the states shown may be old: " + clean(m.lastErr, m.utf))
	}
	title := fmt.Sprintf("svman top: %d modules", len(m.rows))
	if m.counts != "" {
		title += " (" + m.counts + ")"
	}
	if m.filter != "" {
		title += fmt.Sprintf(", %d shown", len(m.view))
	}
	if n := len(m.marked); n > 0 {
		title += fmt.Sprintf(", %d marked", n)
	}
	return m.st.title.Render(title) + "  " + m.st.dim.Render(clean(m.where, m.utf)) + "  " + m.now.Format("15:04:05")
}

// nameWidth is the MODULE column's width: what the others leave, within
// the longest name (arrange measures it) and 10 to 40 cells.
func (m *Model) nameWidth() int {
	rest := 3 // the cursor and mark, and the column's own space
	for _, c := range columns[1:] {
		rest += c.width + 1
	}
	return max(10, min(m.longest, 40, m.width-rest))
}

// headerLine is the columns' headings, the sort column marked, for a name
// column nw wide.
func (m *Model) headerLine(nw int) string {
	var b strings.Builder
	b.WriteString("  ")
	for i, c := range columns {
		w := c.width
		if i == 0 {
			w = nw
		}
		t := c.title
		switch {
		case c.key == m.sortBy && m.desc:
			t += "v"
		case c.key == m.sortBy:
			t += "^"
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
func (m *Model) tableLines(nw int) []string {
	if len(m.view) == 0 {
		if len(m.rows) == 0 {
			return []string{"  (no module yet)"}
		}
		return []string{fmt.Sprintf("  (no module matches %q)", m.filter)}
	}
	h := m.tableHeight()
	var out []string
	for i := m.top; i < min(len(m.view), m.top+h); i++ {
		r := m.view[i]
		var b strings.Builder
		// The cursor shows without colors too (NO_COLOR): '>'.
		b.WriteByte(" >"[b2i(i == m.cursor)])
		b.WriteByte(" *"[b2i(m.marked[r.st.Module])])
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

// logLines are a log of height lines: a heading, then the lines, the
// newest at the bottom; a line the search finds is marked '>' (and in
// reverse video, with colors).
func (m *Model) logLines(height int) []string {
	if height < 1 {
		return nil
	}
	what := clean(m.log.target, m.utf)
	switch m.log.target {
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
		state = m.st.bad.Render(clean(m.log.err, m.utf))
	}
	head := m.st.header.Render(fit("-- log of "+what+", "+state+" ", m.width))
	out := []string{head}
	win := m.log.window(height - 1)
	for len(out)+len(win) < height {
		out = append(out, "")
	}
	for _, l := range win {
		text := clean(l.text, m.utf)
		found := m.log.search != "" && strings.Contains(l.text, m.log.search)
		if found {
			text = m.st.selected.Render(text)
		}
		prefix := l.at.Local().Format("15:04:05") + " "
		if m.log.target == allModules {
			prefix += fit(clean(l.module, m.utf), 12) + " "
		}
		if l.stream == logmux.Stderr {
			prefix += "!"
		} else {
			prefix += "|"
		}
		prefix += string(" >"[b2i(found)])
		out = append(out, m.st.dim.Render(prefix)+text)
	}
	return out
}

// b2i is 1 for true.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
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
