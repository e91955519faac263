package top

import (
	"strings"
	"time"

	"svman/logmux"
)

// logLine is one line of the log pane: a module's, as its record says.
type logLine struct {
	at     time.Time
	module string
	stream logmux.Stream
	text   string // as written; cleaned when drawn
}

// logKeep is how many lines the pane keeps for scrolling back: the log files
// have them all (svman logs).
const logKeep = 5000

// logPane is the lines of the module followed (or of all, merged), the
// oldest first, and where the view stands in them.
type logPane struct {
	target string // the module followed; allModules: every one
	lines  []logLine
	back   int    // lines scrolled back from the end; 0: following
	search string // the text searched; "" none
	err    string // why the lines stopped, if they did
}

// allModules is the log pane's target when it shows every module's lines.
const allModules = "*"

// add appends lines, keeping the last logKeep; a view scrolled back stays on
// the same lines.
func (p *logPane) add(lines []logLine) {
	if p.back > 0 {
		p.back += len(lines)
	}
	p.lines = append(p.lines, lines...)
	if over := len(p.lines) - logKeep; over > 0 {
		p.lines = append(p.lines[:0:0], p.lines[over:]...)
	}
	p.back = min(p.back, max(len(p.lines)-1, 0))
}

// reset empties the pane for a new target.
func (p *logPane) reset(target string) {
	*p = logPane{target: target, search: p.search}
}

// scroll moves the view by n lines (n > 0: back in time), within the lines
// a window of height shows.
func (p *logPane) scroll(n, height int) {
	p.back = max(0, min(p.back+n, len(p.lines)-height))
}

// window is the lines a pane of height shows, the last one at the bottom.
func (p *logPane) window(height int) []logLine {
	height = max(height, 0)
	end := len(p.lines) - p.back
	return p.lines[max(0, end-height):max(end, 0)]
}

// find scrolls to the next line, older (dir > 0) or newer (dir < 0) than the
// one at the bottom of the view, that holds the search text, which it puts
// at the bottom; it reports whether there is one.
func (p *logPane) find(dir int) bool {
	if p.search == "" {
		return false
	}
	bottom := len(p.lines) - 1 - p.back
	for i := bottom - dir; i >= 0 && i < len(p.lines); i -= dir {
		if strings.Contains(p.lines[i].text, p.search) {
			p.back = len(p.lines) - 1 - i
			return true
		}
	}
	return false
}
