package top

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"svman/api"
	"svman/apiclient"
	"svman/internal/modview"
)

// The messages the model takes: from the feeds (feed.go), the commands it
// gave, and the clock.
type (
	modulesMsg struct {
		rows []modview.Status
		full bool // every module: those not in it are gone
	}
	usageMsg struct {
		rows []api.Usage
		at   time.Time
	}
	eventMsg struct{ text string } // the last event's line, for the bottom line
	connMsg  struct{ err error }   // the API answers again (nil), or not
	tickMsg  time.Time
	actedMsg struct {
		action string
		names  []string
		rows   []modview.Status
		err    error
	}
	diffMsg struct {
		plan api.Plan
		err  error
	}
	reloadedMsg struct {
		plan api.Plan
		err  error
	}
	logMsg struct {
		target string // the lines are of this target: older ones are dropped
		lines  []logLine
		reset  bool  // a new stream: its lines replace the pane's
		err    error // the lines stopped: why
	}
)

// actionTimeout bounds an action's request: the API answers within 5 s.
const actionTimeout = 15 * time.Second

// request is a command that asks the API (f), within actionTimeout.
func request(f func(ctx context.Context) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		return f(ctx)
	}
}

// tick is the clock of the uptimes and countdowns: once a second.
func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Init starts the clock; the feeds bring everything else.
func (m *Model) Init() tea.Cmd { return tick() }

// Update takes one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.keepCursorShown()
	case tea.KeyMsg:
		return m, m.key(msg)
	case modulesMsg:
		if m.setModules(msg.rows, msg.full) && m.log.target == allModules {
			m.log.reset(allModules) // the merged log of the modules there are now
			m.follow(allModules)
		}
		m.followSelected()
	case usageMsg:
		m.setUsage(msg.rows, msg.at)
	case eventMsg:
		m.message = msg.text
	case connMsg:
		m.lastErr = ""
		if msg.err != nil {
			m.lastErr = msg.err.Error()
		}
	case tickMsg:
		m.now = time.Time(msg)
		return m, tick()
	case actedMsg:
		m.acted(msg)
	case diffMsg:
		m.diffed(msg)
	case reloadedMsg:
		m.reloaded(msg)
	case logMsg:
		if msg.target == m.log.target {
			if msg.reset {
				m.log.reset(msg.target)
			}
			m.log.add(msg.lines)
			if msg.err != nil {
				m.log.err = msg.err.Error()
			}
		}
	}
	return m, nil
}

// move moves the cursor by n rows, and follows the log of the row it lands on.
func (m *Model) move(n int) {
	m.cursor += n
	m.keepCursorShown()
	m.followSelected()
}

// followSelected has the log pane follow the selected module, unless it
// shows every module's lines.
func (m *Model) followSelected() {
	if m.log.target == allModules {
		return
	}
	r := m.selected()
	if r == nil || r.st.Module == m.log.target {
		return
	}
	m.log.reset(r.st.Module)
	m.follow(r.st.Module)
}

// toggleAll switches the log between the selected module and all of them.
func (m *Model) toggleAll() {
	if m.log.target == allModules {
		m.log.target = ""
		m.followSelected()
		return
	}
	m.log.reset(allModules)
	m.follow(allModules)
}

// act does action on the targets, asking first when it is destructive and
// they are several.
func (m *Model) act(action string) tea.Cmd {
	names := m.targets()
	if len(names) == 0 {
		return nil
	}
	run := request(func(ctx context.Context) tea.Msg {
		rows, err := m.b.Act(ctx, names, action)
		return actedMsg{action: action, names: names, rows: rows, err: err}
	})
	// Asked once for several, or for one that is not the row in view (a
	// mark the filter hides).
	if sel := m.selected(); destructive[action] && (len(names) > 1 || sel == nil || sel.st.Module != names[0]) {
		m.prompt = &prompt{question: fmt.Sprintf("%s %d modules (%s)? y/n", action, len(names), list(names, 5)), yes: run}
		return nil
	}
	m.message = action + " " + strings.Join(names, ",") + "..."
	return run
}

// acted takes an action's outcome.
func (m *Model) acted(msg actedMsg) {
	if msg.err != nil {
		m.message = fmt.Sprintf("%s %s: %v", msg.action, list(msg.names, 3), msg.err)
		return
	}
	m.message = fmt.Sprintf("%s: %s", msg.action, list(msg.names, 5))
	for _, n := range msg.names { // marks made meanwhile stay
		delete(m.marked, n)
	}
	m.setModules(msg.rows, false)
}

// askDiff fetches what a reload would do, to ask before doing it.
func (m *Model) askDiff() tea.Cmd {
	m.message = "reading the manifest..."
	return request(func(ctx context.Context) tea.Msg {
		p, err := m.b.Diff(ctx)
		return diffMsg{plan: p, err: err}
	})
}

// diffed shows what a reload would do and asks whether to do it.
func (m *Model) diffed(msg diffMsg) {
	if msg.err != nil {
		m.message = "reload: " + msg.err.Error()
		return
	}
	m.prompt = &prompt{question: "reload the manifest, as above? y/n", detail: planLines(msg.plan), yes: request(func(ctx context.Context) tea.Msg {
		p, err := m.b.Reload(ctx)
		return reloadedMsg{plan: p, err: err}
	})}
}

// planLines is a reload's plan as the lines shown before it is applied.
func planLines(p api.Plan) []string {
	lines := []string{"A reload would:", ""}
	add := func(what string, names []string) {
		if len(names) > 0 {
			lines = append(lines, fmt.Sprintf("%-9s %s", what, strings.Join(names, ", ")))
		}
	}
	changed := func(cs []api.Change) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Module+" ("+strings.Join(c.Changed, ", ")+")")
		}
		return out
	}
	add("add", p.Add)
	add("remove", p.Remove)
	add("restart", changed(p.Restart))
	add("update", changed(p.Update))
	if len(p.Keep) > 0 {
		lines = append(lines, fmt.Sprintf("%-9s %d modules as they are", "keep", len(p.Keep)))
	}
	if !p.Changes {
		lines = append(lines, "change nothing: the manifest is what runs")
	}
	return lines
}

// reloaded says what a reload did.
func (m *Model) reloaded(msg reloadedMsg) {
	var e *apiclient.Error
	switch {
	case errors.As(msg.err, &e) && e.Code == 422:
		m.message = "reload refused, the manifest is not valid: " + firstLine(e.Msg)
	case msg.err != nil:
		m.message = "reload: " + msg.err.Error()
	default:
		m.message = "reloaded: " + msg.plan.Text
	}
}

// input is a line being typed at the bottom: the filter (applied at each
// key) or the log's search (looked for at Enter).
type input struct {
	label string
	text  string
}

// prompt is a question at the bottom: y does yes. detail, when set, is
// shown above it, in place of the table (a reload's plan).
type prompt struct {
	question string
	detail   []string
	yes      tea.Cmd
}

// list is names for a message: the first n, and how many more.
func list(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}

// firstLine is s up to its first newline.
func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
