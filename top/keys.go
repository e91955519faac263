package top

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
)

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

// keyActions are the keys of the actions, and the API's word for each.
var keyActions = map[string]string{
	"u": "up", "d": "down", "r": "restart", "K": "kill",
	"p": "pause", "c": "cont", "s": "silence", "n": "notify",
}

// destructive are the actions that stop or disturb a module: on several at
// once, they are asked for first.
var destructive = map[string]bool{"down": true, "restart": true, "kill": true, "pause": true}

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
