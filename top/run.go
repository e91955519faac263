package top

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// frameRate is how often at most the screen is redrawn: the renderer wakes
// this often even when nothing changes (60, bubbletea's default, cost most
// of svman top's idle CPU), and a key shows within a frame.
const frameRate = 25

// Run shows svman top on the terminal (in and out) until the user quits or
// ctx is done (the caller ends it on SIGINT and SIGTERM); the terminal is
// given back as it was in every case, a panic included.
func Run(ctx context.Context, b Backend, where string, in io.Reader, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := lipgloss.NewRenderer(out)
	if os.Getenv("NO_COLOR") != "" {
		r.SetColorProfile(termenv.Ascii)
	}
	var p *tea.Program // set before any feed runs
	ran := make(chan struct{})
	var feedPanicked atomic.Bool
	// A feed that panics gives the terminal back before the panic ends svman top.
	guard := func(fn func()) {
		defer func() {
			if v := recover(); v != nil {
				feedPanicked.Store(true)
				p.Kill()
				<-ran
				panic(v)
			}
		}()
		fn()
	}
	f := newFeeds(b, func(msg tea.Msg) { p.Send(msg) }, guard)
	m := New(b, Options{Where: where, Follow: f.follow, Renderer: r, UTF8: utf8Locale()})
	// ctx (which the caller ends on SIGINT and SIGTERM) ends the program
	// as q does: bubbletea's own handling of those signals kills it instead,
	// whose shutdown closes the input while its reader may still use it (a
	// data race in bubbletea v1).
	p = tea.NewProgram(m, tea.WithAltScreen(), tea.WithoutSignalHandler(), tea.WithInput(in), tea.WithOutput(out),
		tea.WithFPS(frameRate))
	feedsDone := make(chan struct{})
	go func() {
		defer close(feedsDone)
		f.run(ctx)
	}()
	quitDone := make(chan struct{})
	go func() {
		defer close(quitDone)
		select {
		case <-ctx.Done():
			p.Quit()
		case <-ran:
		}
	}()
	_, err := p.Run()
	close(ran)
	cancel()
	<-quitDone
	<-feedsDone
	switch {
	case feedPanicked.Load(): // the feed goes on panicking, the terminal given back
		return nil
	case err != nil: // a panic in the view (bubbletea recovered it), or the input failed
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
