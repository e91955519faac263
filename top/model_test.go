package top

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"svman/api"
	"svman/apiclient"
	"svman/internal/modview"
	"svman/logfiles"
	"svman/logmux"
	"svman/statusfs"
)

// recorder is a Backend that answers from what the test put in it and
// records the actions and reloads asked of it.
type recorder struct {
	mu     sync.Mutex
	asked  []string
	plan   api.Plan
	status map[string]modview.Status
}

func (r *recorder) Modules(context.Context) ([]modview.Status, error) { return nil, nil }
func (r *recorder) ModulesNamed(context.Context, []string) ([]modview.Status, error) {
	return nil, nil
}
func (r *recorder) Usage(context.Context) ([]api.Usage, error) { return nil, nil }
func (r *recorder) Act(_ context.Context, names []string, action string) ([]modview.Status, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, action+" "+strings.Join(names, ","))
	var out []modview.Status
	for _, n := range names {
		st := r.status[n]
		st.Module, st.State, st.PID = n, modview.Down, 0
		out = append(out, st)
	}
	return out, nil
}
func (r *recorder) Diff(context.Context) (api.Plan, error) { return r.plan, nil }
func (r *recorder) Reload(context.Context) (api.Plan, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, "reload")
	return r.plan, nil
}
func (r *recorder) Events(context.Context, func(), func(api.Event)) error { return nil }
func (r *recorder) Logs(context.Context, apiclient.LogQuery, func(logfiles.Line)) error {
	return nil
}

func (r *recorder) calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.asked)
}

// testModel is a model of 80x24 with colors on (ANSI), following nothing,
// at a fixed time; followed records what the log was asked to follow.
func testModel(t *testing.T, color bool) (*Model, *recorder, *[]string) {
	t.Helper()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	if color {
		r.SetColorProfile(termenv.ANSI)
	}
	var followed []string
	rec := &recorder{status: map[string]modview.Status{}}
	m := New(rec, Options{Where: "status/.svman.sock", Renderer: r, UTF8: true, Follow: func(t string) { followed = append(followed, t) }})
	m.now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return m, rec, &followed
}

var now0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func up(name string, pid int) modview.Status {
	return modview.Status{Module: name, Supervised: true, State: modview.Up, Ready: true, PID: pid, Since: now0.Add(-90 * time.Second), Alarms: "on", Want: "up"}
}

// send is Update of msg, and the message of the command it gives back (run
// at once, as bubbletea would in a goroutine), fed back in.
func send(m *Model, msg tea.Msg) {
	_, cmd := m.Update(msg)
	if _, ok := msg.(tickMsg); ok {
		return // its command is the next tick, a second later
	}
	for cmd != nil {
		out := cmd()
		if _, ok := out.(tickMsg); ok || out == nil {
			return
		}
		_, cmd = m.Update(out)
	}
}

func key(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func typeText(m *Model, s string) {
	for _, r := range s {
		send(m, key(string(r)))
	}
}

// screen is the view as a terminal shows it, without its colors.
func screen(m *Model) string { return ansi.Strip(m.View()) }

// rowOf is the screen line of module name's row.
func rowOf(m *Model, name string) string {
	for _, l := range strings.Split(screen(m), "\n") {
		if f := strings.Fields(strings.TrimLeft(l, " >*")); len(f) > 0 && f[0] == name {
			return l
		}
	}
	return ""
}

// The table: a row per module sorted by name, the selection on the first,
// each cell as svman says it; every line fits 80 columns, the screen 24.
func TestTableShowsTheModules(t *testing.T) {
	m, _, followed := testModel(t, false)
	web := up("web", 4242)
	web.Restarts, web.LastExit = 3, statusExit(1, "")
	db := up("db", 4343)
	db.Ready = false
	cron := modview.Status{Module: "cron", Supervised: true, State: modview.Backoff, NextStart: now0.Add(7 * time.Second), Alarms: "off", Want: "up",
		LastExit: statusExit(0, "SIGSEGV")}
	send(m, modulesMsg{rows: []modview.Status{web, db, cron}, full: true})
	send(m, usageMsg{rows: []api.Usage{{Module: "web", PID: 4242, CPUSeconds: 10, RSSBytes: 12 << 20}}, at: now0})
	send(m, usageMsg{rows: []api.Usage{{Module: "web", PID: 4242, CPUSeconds: 10.5, RSSBytes: 12 << 20}}, at: now0.Add(time.Second)})

	lines := strings.Split(screen(m), "\n")
	if len(lines) != 24 {
		t.Errorf("%d lines, want 24", len(lines))
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("a line of %d columns: %q", w, l)
		}
	}
	for name, want := range map[string][]string{
		"web":  {"web", "up", "4242", "1m30s", "3", "exit", "1", "50.0", "12.0M", "on"},
		"db":   {"db", "starting", "4343"},
		"cron": {"cron", "backoff", "7s", "-", "-", "0", "SEGV", "-", "-", "off"},
	} {
		if got := strings.Fields(strings.TrimLeft(rowOf(m, name), " >*")); !slices.Equal(got[:min(len(got), len(want))], want) {
			t.Errorf("row of %s: %q, want it to start %q", name, got, want)
		}
	}
	s := screen(m)
	if !strings.Contains(s, "3 modules (2 up, 1 backoff)") {
		t.Errorf("the title:\n%s", s)
	}
	if m.selected().st.Module != "cron" || !slices.Equal(*followed, []string{"cron"}) {
		t.Errorf("selected %s, followed %v; want cron, the first by name", m.selected().st.Module, *followed)
	}
	// The countdown runs with the clock.
	send(m, tickMsg(now0.Add(3*time.Second)))
	if !strings.Contains(rowOf(m, "cron"), "backoff 4s") {
		t.Errorf("after 3s: %q", rowOf(m, "cron"))
	}
}

func statusExit(code int, sig string) statusfs.Exit {
	return statusfs.Exit{At: now0.Add(-time.Minute), Code: code, Signal: sig}
}

// Actions go to the API for the selected module; on several marked ones, a
// destructive one asks first, once.
func TestActions(t *testing.T) {
	m, rec, followed := testModel(t, false)
	send(m, modulesMsg{rows: []modview.Status{up("a", 1), up("b", 2), up("c", 3)}, full: true})
	send(m, key("j")) // b
	send(m, key("d"))
	if got := rec.calls(); !slices.Equal(got, []string{"down b"}) {
		t.Errorf("d on b: %v", got)
	}
	if !strings.Contains(rowOf(m, "b"), "down") || !strings.Contains(screen(m), "down: b") {
		t.Errorf("after d:\n%s", screen(m))
	}
	if !slices.Equal(*followed, []string{"a", "b"}) {
		t.Errorf("the log followed %v; want a, then b", *followed)
	}

	send(m, key("k"))
	send(m, key("space")) // marks a, moves to b
	send(m, key("j"))
	send(m, key("space")) // marks c
	send(m, key("r"))
	if got := rec.calls(); len(got) != 1 || !strings.Contains(screen(m), "restart 2 modules (a, c)? y/n") {
		t.Fatalf("r on two marked modules: %v\n%s", got, screen(m))
	}
	send(m, key("n"))
	if got := rec.calls(); len(got) != 1 || !strings.Contains(screen(m), "cancelled") {
		t.Errorf("n to the question: %v", got)
	}
	send(m, key("r"))
	send(m, key("y"))
	if got := rec.calls(); !slices.Equal(got, []string{"down b", "restart a,c"}) {
		t.Errorf("y to the question: %v", got)
	}
	// A harmless action on several does not ask.
	send(m, key("space"))
	send(m, key("k"))
	send(m, key("space"))
	send(m, key("s"))
	if got := rec.calls(); len(got) != 3 || got[2] != "silence b,c" {
		t.Errorf("s on two marked modules: %v", got)
	}
}

// R shows what a reload would change, and reloads on y.
func TestReloadAsksWithTheDiff(t *testing.T) {
	m, rec, _ := testModel(t, false)
	rec.plan = api.Plan{Changes: true, Add: []string{"api"}, Restart: []api.Change{{Module: "web", Changed: []string{"env A"}}}, Keep: []string{"db"}, Text: "+api ~web(env A)"}
	send(m, modulesMsg{rows: []modview.Status{up("web", 1), up("db", 2)}, full: true})
	send(m, key("R"))
	s := screen(m)
	for _, want := range []string{"add       api", "restart   web (env A)", "keep      1 modules as they are", "reload the manifest, as above? y/n"} {
		if !strings.Contains(s, want) {
			t.Errorf("R: the screen lacks %q:\n%s", want, s)
		}
	}
	if len(rec.calls()) != 0 {
		t.Fatalf("R reloaded before y: %v", rec.calls())
	}
	send(m, key("y"))
	if got := rec.calls(); !slices.Equal(got, []string{"reload"}) || !strings.Contains(screen(m), "reloaded: +api ~web(env A)") {
		t.Errorf("y: %v\n%s", got, screen(m))
	}
}

// / filters the table as it is typed; Esc clears it; o sorts by the next
// column, O reverses.
func TestFilterAndSort(t *testing.T) {
	m, _, _ := testModel(t, false)
	a, b, c := up("api", 1), up("web", 2), up("worker", 3)
	a.Restarts, b.Restarts, c.Restarts = 5, 1, 9
	send(m, modulesMsg{rows: []modview.Status{a, b, c}, full: true})
	send(m, key("/"))
	typeText(m, "w")
	if rowOf(m, "api") != "" || rowOf(m, "web") == "" || !strings.Contains(screen(m), "filter: w_") {
		t.Errorf("filter w:\n%s", screen(m))
	}
	send(m, key("enter"))
	send(m, key("esc"))
	if rowOf(m, "api") == "" {
		t.Errorf("Esc leaves the filter:\n%s", screen(m))
	}
	for m.sortBy != byRestarts {
		send(m, key("o"))
	}
	if got := m.names(); !slices.Equal(got, []string{"worker", "api", "web"}) {
		t.Errorf("by restarts: %v", got)
	}
	send(m, key("O"))
	if got := m.names(); !slices.Equal(got, []string{"web", "api", "worker"}) {
		t.Errorf("by restarts, reversed: %v", got)
	}
	for m.sortBy != byUptime {
		send(m, key("o"))
	}
	if !strings.Contains(screen(m), "UPTIME^") {
		t.Errorf("sorted by uptime, the heading does not say so:\n%s", screen(m))
	}
	// A module that does not run comes last, however long ago it stopped.
	stopped := modview.Status{Module: "aaa", Supervised: true, State: modview.Down, Since: now0.Add(-time.Hour)}
	older := up("zzz", 9)
	older.Since = now0.Add(-time.Minute * 30)
	send(m, modulesMsg{rows: []modview.Status{stopped, older}})
	if got := m.names(); got[0] != "zzz" || got[len(got)-1] != "aaa" {
		t.Errorf("by uptime: %v; want zzz (up 30m) first, aaa (down) last", got)
	}
}

func (m *Model) names() []string {
	var out []string
	for _, r := range m.view {
		out = append(out, r.st.Module)
	}
	return out
}

// The log shows the lines of what it follows, the newest at the bottom;
// full screen, it scrolls and searches; a, the lines of all modules.
func TestLog(t *testing.T) {
	m, _, followed := testModel(t, false)
	send(m, modulesMsg{rows: []modview.Status{up("web", 1), up("db", 2)}, full: true})
	var lines []logLine
	for i := range 100 {
		lines = append(lines, logLine{at: now0, module: "db", stream: logmux.Stdout, text: fmt.Sprintf("line %d", i)})
	}
	lines[50].stream = logmux.Stderr
	send(m, logMsg{target: "db", lines: lines, reset: true})
	send(m, logMsg{target: "web", lines: []logLine{{text: "not shown: web is not followed"}}})
	s := screen(m)
	if !strings.Contains(s, "line 99") || strings.Contains(s, "not shown") || !strings.HasSuffix(strings.TrimRight(strings.Split(s, "\n")[22], " "), "line 99") {
		t.Errorf("the log below the table:\n%s", s)
	}
	send(m, key("enter"))
	send(m, key("/"))
	typeText(m, "line 50")
	send(m, key("enter"))
	s = screen(m)
	if !strings.Contains(s, "!>line 50") || strings.Contains(s, "line 99") || !strings.Contains(s, "49 lines back") {
		t.Errorf("search for line 50:\n%s", s)
	}
	send(m, key("end"))
	if !strings.Contains(screen(m), "line 99") {
		t.Errorf("End follows again:\n%s", screen(m))
	}
	send(m, key("a"))
	if got := *followed; got[len(got)-1] != allModules || m.log.target != allModules || len(m.log.lines) != 0 {
		t.Errorf("a: followed %v", got)
	}
	send(m, key("esc"))
	if m.mode != modeTable {
		t.Errorf("Esc: mode %v", m.mode)
	}
}

// A module's output never reaches the terminal as control: its escape
// sequences are shown as '?', and on a terminal that is not UTF-8 so is
// every non-ASCII character.
func TestLogLinesAreCleaned(t *testing.T) {
	for _, c := range []struct {
		in   string
		utf  bool
		want string
	}{
		{"plain", true, "plain"},
		{"\x1b[2Jcleared\x07", true, "?[2Jcleared?"},
		{"tab\tand\rcr", true, "tab and?cr"},
		{"café \xff", true, "café ?"},
		{"café", false, "caf?"},
		{"a\u009b2Jb", true, "a?2Jb"}, // a C1 CSI, which xterm obeys
	} {
		if got := clean(c.in, c.utf); got != c.want {
			t.Errorf("clean(%q, utf8 %v) = %q, want %q", c.in, c.utf, got, c.want)
		}
	}
}

// With NO_COLOR (an Ascii renderer) the view has no escape sequence; with
// colors, the names are in svman up's colors.
func TestColors(t *testing.T) {
	plain, _, _ := testModel(t, false)
	colored, _, _ := testModel(t, true)
	for _, m := range []*Model{plain, colored} {
		send(m, modulesMsg{rows: []modview.Status{up("web", 1), up("db", 2)}, full: true})
	}
	if v := plain.View(); strings.Contains(v, "\x1b") {
		t.Errorf("NO_COLOR: %q", v)
	}
	// The selection shows without colors: '>'.
	if row := rowOf(plain, "db"); !strings.HasPrefix(row, "> db") {
		t.Errorf("NO_COLOR: the selected row (db, the first by name) is %q", row)
	}
	if v := colored.View(); !strings.Contains(v, "\x1b[36mweb") {
		t.Errorf("colors: web is not cyan, the first module's color: %q", v)
	}
}

// Tiny windows and long names: nothing breaks, and no line is wider than
// the window.
func TestSmallWindowsAndLongNames(t *testing.T) {
	m, _, _ := testModel(t, false)
	send(m, modulesMsg{rows: []modview.Status{up("a-very-long-module-name", 1), up("db", 2)}, full: true})
	for _, head := range []string{"", "enter"} {
		if head != "" {
			send(m, key(head))
		}
		for _, h := range []int{0, 1, 2, 3, 24} {
			m.Update(tea.WindowSizeMsg{Width: 80, Height: h})
			_ = m.View() // must not panic
		}
	}
	send(m, key("esc"))
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	for _, l := range strings.Split(screen(m), "\n") {
		if ansi.StringWidth(l) > 80 || strings.HasSuffix(strings.TrimRight(l, " "), "~") {
			t.Errorf("a line too wide, or cut: %q", l)
		}
	}
}

// Marks stay on modules a filter hides, the title counts them, and an
// action applies to all of them.
func TestMarksOutlastTheFilter(t *testing.T) {
	m, rec, _ := testModel(t, false)
	send(m, modulesMsg{rows: []modview.Status{up("a1", 1), up("a2", 2), up("c", 3)}, full: true})
	send(m, key("space"))
	send(m, key("space"))
	send(m, key("/"))
	typeText(m, "c")
	send(m, key("enter"))
	if !strings.Contains(screen(m), "1 shown, 2 marked") {
		t.Errorf("the title:\n%s", screen(m))
	}
	send(m, key("d"))
	send(m, key("y"))
	if got := rec.calls(); !slices.Equal(got, []string{"down a1,a2"}) {
		t.Errorf("d with a1 and a2 marked, c shown: %v", got)
	}
	// One mark the filter hides: asked too, since the row in view is another.
	send(m, key("esc")) // the filter, and the marks
	send(m, key("g"))   // a1
	send(m, key("space"))
	send(m, key("/"))
	typeText(m, "c")
	send(m, key("enter"))
	send(m, key("d"))
	if s := screen(m); !strings.Contains(s, "down 1 modules (a1)? y/n") {
		t.Errorf("d with a1 marked and hidden:\n%s", s)
	}
}

// When svman does not answer, the title says so first; once it answers, no
// longer.
func TestNoAnswer(t *testing.T) {
	m, _, _ := testModel(t, false)
	send(m, modulesMsg{rows: []modview.Status{up("web", 1)}, full: true})
	send(m, connMsg{err: errors.New("dial unix status/.svman.sock: connect: no such file or directory")})
	if title := strings.Split(screen(m), "\n")[0]; !strings.HasPrefix(title, "svman top: NO ANSWER") {
		t.Errorf("the title: %q", title)
	}
	send(m, connMsg{})
	if title := strings.Split(screen(m), "\n")[0]; !strings.HasPrefix(title, "svman top: 1 modules (1 up)") {
		t.Errorf("the title once svman answers: %q", title)
	}
}

// The merged log follows the modules there are: when one comes or goes, it
// is asked for again.
func TestMergedLogFollowsTheModuleSet(t *testing.T) {
	m, _, followed := testModel(t, false)
	send(m, modulesMsg{rows: []modview.Status{up("web", 1)}, full: true})
	send(m, key("a"))
	n := len(*followed)
	send(m, modulesMsg{rows: []modview.Status{up("web", 1)}, full: true})
	if len(*followed) != n {
		t.Errorf("asked again with no change: %v", *followed)
	}
	send(m, modulesMsg{rows: []modview.Status{up("web", 1), up("db", 2)}, full: true})
	if got := *followed; len(got) != n+1 || got[n] != allModules {
		t.Errorf("a module added: followed %v", got)
	}
}

// A thousand modules: the screen holds what fits, and the selection scrolls
// the table to stay on it.
func TestManyModules(t *testing.T) {
	m, _, _ := testModel(t, false)
	var rows []modview.Status
	for i := range 1000 {
		rows = append(rows, up(fmt.Sprintf("m%04d", i), i+1))
	}
	send(m, modulesMsg{rows: rows, full: true})
	if n := len(strings.Split(screen(m), "\n")); n != 24 {
		t.Errorf("%d lines", n)
	}
	send(m, key("end"))
	if rowOf(m, "m0999") == "" || rowOf(m, "m0000") != "" {
		t.Errorf("End: the last row is not on screen:\n%s", screen(m))
	}
	// A partial update keeps the others, and the selection where it was.
	changed := up("m0500", 77)
	changed.State, changed.PID = modview.Down, 0
	send(m, modulesMsg{rows: []modview.Status{changed}})
	if len(m.rows) != 1000 || m.selected().st.Module != "m0999" || m.rows["m0500"].st.State != modview.Down {
		t.Errorf("after one module changed: %d rows, selected %s", len(m.rows), m.selected().st.Module)
	}
	// A full list without some: they are gone.
	send(m, modulesMsg{rows: rows[:10], full: true})
	if len(m.rows) != 10 || m.selected() == nil {
		t.Errorf("after a list of 10: %d rows", len(m.rows))
	}
}
