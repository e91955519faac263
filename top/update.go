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
		m.setModules(msg.rows, msg.full)
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

// key acts on a key: an input or a prompt takes it first.
func (m *Model) key(k tea.KeyMsg) tea.Cmd {
	if k.Type == tea.KeyCtrlC {
		m.quit = true
		return tea.Quit
	}
	if m.prompt != nil {
		p := m.prompt
		m.prompt = nil
		if k.String() == "y" {
			return p.yes
		}
		m.message = "cancelled"
		return nil
	}
	if m.input != nil {
		m.typed(k)
		return nil
	}
	switch k.String() {
	case "q":
		m.quit = true
		return tea.Quit
	case "?":
		if m.mode == modeHelp {
			m.mode = modeTable
		} else {
			m.mode = modeHelp
		}
		return nil
	}
	switch m.mode {
	case modeHelp:
		m.mode = modeTable // any key leaves the help
	case modeLog:
		m.logKey(k)
	default:
		return m.tableKey(k)
	}
	return nil
}

// tableKey is a key on the table.
func (m *Model) tableKey(k tea.KeyMsg) tea.Cmd {
	page := m.tableHeight()
	switch k.String() {
	case "up", "k":
		m.move(-1)
	case "down", "j":
		m.move(1)
	case "pgup":
		m.move(-page)
	case "pgdown":
		m.move(page)
	case "home", "g":
		m.move(-len(m.view))
	case "end", "G":
		m.move(len(m.view))
	case " ":
		if r := m.selected(); r != nil {
			if m.marked[r.st.Module] {
				delete(m.marked, r.st.Module)
			} else {
				m.marked[r.st.Module] = true
			}
			m.move(1)
		}
	case "esc":
		clear(m.marked)
		if m.filter != "" {
			m.filter = ""
			m.arrange()
		}
	case "/":
		m.input = &input{label: "filter", text: m.filter}
	case "o":
		m.sortBy = (m.sortBy + 1) % sortKeys
		m.desc = false
		m.arrange()
		m.message = "sorted by " + sortNames[m.sortBy]
	case "O":
		m.desc = !m.desc
		m.arrange()
	case "enter":
		m.mode = modeLog
	case "a":
		m.toggleAll()
	case "R":
		return m.askDiff()
	default:
		if a, ok := keyActions[k.String()]; ok {
			return m.act(a)
		}
	}
	return nil
}

// logKey is a key on the full-screen log.
func (m *Model) logKey(k tea.KeyMsg) {
	page := max(1, m.height-2)
	switch k.String() {
	case "up", "k":
		m.log.scroll(1, page)
	case "down", "j":
		m.log.scroll(-1, page)
	case "pgup":
		m.log.scroll(page, page)
	case "pgdown":
		m.log.scroll(-page, page)
	case "home", "g":
		m.log.scroll(len(m.log.lines), page)
	case "end", "G":
		m.log.back = 0
	case "/":
		m.input = &input{label: "search", text: m.log.search}
	case "n", "N":
		dir := 1
		if k.String() == "N" {
			dir = -1
		}
		if !m.log.find(dir) {
			m.message = fmt.Sprintf("%q: no more", m.log.search)
		}
	case "a":
		m.toggleAll()
	case "esc", "enter":
		m.mode = modeTable
	}
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

// keyActions are the keys of the actions, and the API's word for each.
var keyActions = map[string]string{
	"u": "up", "d": "down", "r": "restart", "K": "kill",
	"p": "pause", "c": "cont", "s": "silence", "n": "notify",
}

// destructive are the actions that stop or disturb a module: on several at
// once, they are asked for first.
var destructive = map[string]bool{"down": true, "restart": true, "kill": true, "pause": true}

// act does action on the targets, asking first when it is destructive and
// they are several.
func (m *Model) act(action string) tea.Cmd {
	names := m.targets()
	if len(names) == 0 {
		return nil
	}
	run := func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		rows, err := m.b.Act(ctx, names, action)
		return actedMsg{action: action, names: names, rows: rows, err: err}
	}
	if len(names) > 1 && destructive[action] {
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
	clear(m.marked)
	m.setModules(msg.rows, false)
}

// askDiff fetches what a reload would do, to ask before doing it.
func (m *Model) askDiff() tea.Cmd {
	m.message = "reading the manifest..."
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		p, err := m.b.Diff(ctx)
		return diffMsg{plan: p, err: err}
	}
}

// diffed shows what a reload would do and asks whether to do it.
func (m *Model) diffed(msg diffMsg) {
	if msg.err != nil {
		m.message = "reload: " + msg.err.Error()
		return
	}
	m.prompt = &prompt{question: "reload: " + msg.plan.Text + "; apply? y/n", yes: func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		p, err := m.b.Reload(ctx)
		return reloadedMsg{plan: p, err: err}
	}}
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

// typed takes a key into the input being typed.
func (m *Model) typed(k tea.KeyMsg) {
	in := m.input
	switch k.Type {
	case tea.KeyEnter:
		m.input = nil
	case tea.KeyEsc:
		m.input = nil
		in.text = ""
	case tea.KeyBackspace:
		if r := []rune(in.text); len(r) > 0 {
			in.text = string(r[:len(r)-1])
		}
	case tea.KeyRunes, tea.KeySpace:
		in.text += string(k.Runes)
	default:
		return
	}
	switch in.label {
	case "filter":
		m.filter = in.text
		m.arrange()
		m.followSelected()
	case "search":
		m.log.search = in.text
		if k.Type == tea.KeyEnter && in.text != "" && !m.log.find(1) {
			m.message = fmt.Sprintf("%q: not found", in.text)
		}
	}
}

// input is a line being typed at the bottom: the filter (applied at each
// key) or the log's search (looked for at Enter).
type input struct {
	label string
	text  string
}

// prompt is a question at the bottom: y does yes.
type prompt struct {
	question string
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
