package alarm

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// DefaultTimeout bounds one delivery when Config.Timeout is 0.
const DefaultTimeout = 10 * time.Second

// Channels are where one module's alarms go. A channel left empty is not used.
type Channels struct {
	Mail    []string // recipients
	Webhook string   // http(s) URL
	Exec    []string // argv of the hook, run without a shell
	Dir     string   // working directory of the hook; "" means svman's own
}

// The channels by name, as Config.Failed and Channels.Names give them.
const (
	ChannelMail    = "mail"
	ChannelWebhook = "webhook"
	ChannelExec    = "exec"
)

// Names are the channels c uses, in the order Send starts their deliveries;
// none when c is empty.
func (c Channels) Names() []string {
	var names []string
	if len(c.Mail) > 0 {
		names = append(names, ChannelMail)
	}
	if c.Webhook != "" {
		names = append(names, ChannelWebhook)
	}
	if len(c.Exec) > 0 {
		names = append(names, ChannelExec)
	}
	return names
}

// Describe says, for a person, where the channel of c called name goes: "mail
// to ops@example.com, dev@example.com", "webhook" (never its URL, which often
// holds a token), "exec ./notify-sms".
func (c Channels) Describe(name string) string {
	switch name {
	case ChannelMail:
		return "mail to " + strings.Join(c.Mail, ", ")
	case ChannelExec:
		if len(c.Exec) > 0 {
			return "exec " + c.Exec[0]
		}
	}
	return name
}

// Config sets up a Sender.
type Config struct {
	SMTP    SMTP
	Timeout time.Duration // per delivery; 0 means DefaultTimeout
	Run     Runner        // for Exec; nil means ExecRunner
	// Failed is called, from the delivery's own goroutine, when a delivery fails;
	// channel is ChannelMail, ChannelWebhook or ChannelExec. It may be nil. It must not call Close.
	Failed func(module, channel string, err error)
	Client *http.Client // for the webhook; nil means a client with Timeout
}

// Sender delivers alarms in the background. Its methods are safe for concurrent use.
type Sender struct {
	timeout time.Duration
	run     Runner
	failed  func(module, channel string, err error)
	client  *http.Client

	mu     sync.Mutex
	smtp   SMTP
	closed bool
	// wg counts the deliveries under way. Add happens under mu while !closed, so
	// Close (which sets closed under mu before it waits) never races an Add.
	wg sync.WaitGroup
	// lanes hold the deliveries waiting, per module and channel: a module's alarms
	// reach each channel one at a time and in the order they were raised (an
	// "exited" never arrives after the "gave_up" that followed it). A lane exists
	// only while it has deliveries, each drained by one goroutine.
	lanes map[string][]func()
}

// NewSender returns a Sender configured by c.
func NewSender(c Config) *Sender {
	s := &Sender{timeout: c.Timeout, run: c.Run, failed: c.Failed, client: c.Client, smtp: c.SMTP}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.run == nil {
		s.run = ExecRunner
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: s.timeout}
	}
	return s
}

// SetSMTP replaces the mail settings for later alarms (a manifest reload may change
// them). Deliveries already under way keep the settings they started with.
func (s *Sender) SetSMTP(c SMTP) {
	s.mu.Lock()
	s.smtp = c
	s.mu.Unlock()
}

// Send starts one delivery per configured channel and returns at once; it never
// blocks on the network or on the hook. Empty fields of f are filled in first:
// Hostname from os.Hostname, Time with the current time, Message with Message(f).
// After Close, Send does nothing.
func (s *Sender) Send(ch Channels, f Facts) {
	if f.Hostname == "" {
		f.Hostname, _ = os.Hostname()
	}
	if f.Time.IsZero() {
		f.Time = time.Now()
	}
	if f.Message == "" {
		f.Message = Message(f)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	for _, name := range ch.Names() {
		var deliver func(ctx context.Context) error
		switch name {
		case ChannelMail:
			conf, to := s.smtp, append([]string(nil), ch.Mail...)
			deliver = func(ctx context.Context) error { return sendMail(ctx, conf, to, f) }
		case ChannelWebhook:
			url := ch.Webhook
			deliver = func(ctx context.Context) error { return postWebhook(ctx, s.client, url, f) }
		case ChannelExec:
			argv, dir := append([]string(nil), ch.Exec...), ch.Dir
			deliver = func(ctx context.Context) error { return runHook(ctx, s.run, argv, dir, f) }
		}
		s.start(f.Module, name, deliver)
	}
}

// start queues one delivery, with the timeout, on its module's lane for the
// channel, and starts the lane's goroutine if it has none. s.mu must be held.
func (s *Sender) start(module, channel string, deliver func(context.Context) error) {
	s.wg.Add(1)
	job := func() {
		defer s.wg.Done()
		deadline := time.Now().Add(s.timeout)
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		err := deliver(ctx)
		if err == nil || s.failed == nil {
			return
		}
		// Compare with the clock, not ctx.Err(): mail's connection deadline is the
		// same instant and may fire before the context's timer does.
		if !time.Now().Before(deadline) {
			// The low-level error ("i/o timeout", "signal: killed") does not say why.
			err = fmt.Errorf("no success within %v: %w", s.timeout, err)
		}
		s.failed(module, channel, err)
	}
	if s.lanes == nil {
		s.lanes = make(map[string][]func())
	}
	lane := module + "\x00" + channel
	queued, busy := s.lanes[lane]
	s.lanes[lane] = append(queued, job)
	if !busy {
		go s.drain(lane)
	}
}

// drain runs the deliveries of one lane in order until it is empty.
func (s *Sender) drain(lane string) {
	for {
		s.mu.Lock()
		jobs := s.lanes[lane]
		if len(jobs) == 0 {
			delete(s.lanes, lane)
			s.mu.Unlock()
			return
		}
		job := jobs[0]
		s.lanes[lane] = jobs[1:]
		s.mu.Unlock()
		job()
	}
}

// Close waits for the deliveries under way, each bounded by the timeout, and makes
// later Sends no-ops. It may be called more than once.
func (s *Sender) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.wg.Wait()
}
