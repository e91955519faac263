package main

import (
	"fmt"
	"strings"
)

// section is one figure's table in results.md.
type section struct {
	order  []string // the tools, in the order the table lists them
	title  string
	intro  string
	header []string
	rows   [][]string
	notes  []string
}

// listFor orders the rows as the tools are listed.
func (s *section) listFor(peers []peerInfo) *section {
	for _, pi := range peers {
		s.order = append(s.order, pi.p.name())
	}
	return s
}

func (s *section) add(cells ...string) { s.rows = append(s.rows, cells) }

// skip adds a row for a tool that could not be measured, saying why.
func (s *section) skip(tool string, why error) {
	cells := make([]string, len(s.header))
	cells[0] = tool
	cells[1] = "not measured: " + strings.ReplaceAll(why.Error(), "|", "/")
	for i := 2; i < len(cells); i++ {
		cells[i] = "–"
	}
	s.rows = append(s.rows, cells)
}

func (s *section) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n", s.title)
	if s.intro != "" {
		fmt.Fprintf(&b, "%s\n\n", s.intro)
	}
	fmt.Fprintf(&b, "| %s |\n|", strings.Join(s.header, " | "))
	for range s.header {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	printed := map[int]bool{}
	for _, tool := range s.order {
		for i, r := range s.rows {
			if r[0] == tool && !printed[i] {
				printed[i] = true
				fmt.Fprintf(&b, "| %s |\n", strings.Join(r, " | "))
			}
		}
	}
	for i, r := range s.rows {
		if !printed[i] {
			fmt.Fprintf(&b, "| %s |\n", strings.Join(r, " | "))
		}
	}
	for _, n := range s.notes {
		fmt.Fprintf(&b, "\n%s\n", n)
	}
	b.WriteString("\n")
	return b.String()
}
