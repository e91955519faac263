package top

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"svman/internal/modview"
)

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
	{"UPTIME", 7, true, byUptime, func(m *Model, r *row) string {
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
		return cmp.Or(r.st.Alarms, "-")
	}},
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
