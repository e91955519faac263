package top

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Run shows svman top on the terminal (in and out) until the user quits,
// ctx is done, or SIGINT or SIGTERM comes; the terminal is given back as it
// was in every case, a panic included.
func Run(ctx context.Context, b Backend, where string, in io.Reader, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := lipgloss.NewRenderer(out)
	if os.Getenv("NO_COLOR") != "" {
		r.SetColorProfile(termenv.Ascii)
	}
	f := newFeeds(nil, nil)
	m := New(b, Options{Where: where, Follow: f.follow, Renderer: r, UTF8: utf8Locale()})
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out))
	f.b, f.send = b, p.Send
	ran := make(chan struct{})
	feedsDone := make(chan struct{})
	go func() {
		defer close(feedsDone)
		// A feed that panics gives the terminal back before the panic ends svman top.
		f.run(ctx, func(feed func()) {
			defer func() {
				if v := recover(); v != nil {
					p.Kill()
					<-ran
					panic(v)
				}
			}()
			feed()
		})
	}()
	_, err := p.Run()
	close(ran)
	cancel()
	<-feedsDone
	if err == tea.ErrProgramKilled && ctx.Err() != nil {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("svman top: %w", err)
	}
	return nil
}

// utf8Locale reports whether the locale's character set is UTF-8, as
// setlocale would find it: LC_ALL, then LC_CTYPE, then LANG.
func utf8Locale() bool {
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if s := os.Getenv(v); s != "" {
			s = strings.ToLower(s)
			return strings.Contains(s, "utf-8") || strings.Contains(s, "utf8")
		}
	}
	return false
}
