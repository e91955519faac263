package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"svman/engine"
	"svman/manifest"
)

const (
	// maxStreams bounds the event streams open at once; one more is a 503.
	maxStreams = 64
	// streamBuffer is how many events a stream may be behind before it is
	// dropped: a client that stops reading never slows supervision.
	streamBuffer = 256
	// streamWriteTimeout bounds each write of an event stream.
	streamWriteTimeout = 10 * time.Second
)

// Event is the data of one event of GET /v1/events: the module and the facts
// an alarm's webhook carries (alarm.Facts), those that apply.
type Event struct {
	Module     string    `json:"module"`
	Event      string    `json:"event"`                // the SSE event name: started, exited, state, alarm, reload
	Time       time.Time `json:"time"`                 // when it happened
	PID        int       `json:"pid,omitempty"`        // started, exited
	ExitCode   *int      `json:"exit_code,omitempty"`  // exited: -1 when killed by a signal
	Signal     string    `json:"signal,omitempty"`     // exited: "SIGSEGV", "" for a plain exit
	CoreDumped bool      `json:"coredumped,omitempty"` // exited
	Tries      int       `json:"tries,omitempty"`      // alarm: exits in the current alarm window
	Hostname   string    `json:"hostname,omitempty"`
	Message    string    `json:"message"` // the line svman's console shows for it
}

// eventName is the SSE event name of an engine event, "" for those the
// stream does not carry. A control command is a state event when it changes
// what the module wants, its alarms or its supervision (u, d, o, s, n, x);
// one that sends a signal is not (the exit that may follow is an event).
// Every other change of what `svman status` shows of a module is a state
// event too, so that a live view needs no polling.
func eventName(ev engine.Event) string {
	switch ev.Kind {
	case engine.Command:
		if strings.IndexByte("udosnx", ev.Command) >= 0 {
			return "state"
		}
		return ""
	case engine.Started:
		return "started"
	case engine.Exited:
		return "exited"
	case engine.Paused, engine.Continued, engine.Released, engine.Reclaimed:
		return "state" // want, pause and alarm flags, supervision
	case engine.Ready, engine.NotReady, engine.Unhealthy, engine.Waiting, engine.Restarting,
		engine.Stopped, engine.StartFailed, engine.Notified:
		return "state" // what svman status shows: ready, unhealthy, waiting, backoff, down, STATUS=
	case engine.Alarm, engine.GaveUp:
		return "alarm"
	} // engine.Reload is `r` asking: the reload's event is PublishReload's
	return ""
}

// Publish hands an engine event to the open event streams. It never blocks,
// and costs a load of a counter when no stream is open: it is called from
// engine.Config.Events.
func (s *Server) Publish(ev engine.Event) {
	if s == nil || s.events.count.Load() == 0 {
		return
	}
	name := eventName(ev)
	if name == "" {
		return
	}
	e := Event{Module: ev.Module, Event: name, Time: ev.Time, PID: ev.PID, Message: ev.String()}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	switch ev.Kind {
	case engine.Exited:
		code := ev.Exit.Code
		e.ExitCode, e.CoreDumped = &code, ev.Exit.CoreDumped
		if ev.Exit.Signal != 0 {
			e.Signal = manifest.SignalName(ev.Exit.Signal)
		}
	case engine.Alarm, engine.GaveUp:
		e.Tries = ev.Tries
	}
	s.events.publish(e)
}

// PublishReload tells the event streams that a reload applied plan, or
// could not (err). Like Publish, it never blocks.
func (s *Server) PublishReload(plan engine.Plan, err error) {
	if s == nil || s.events.count.Load() == 0 {
		return
	}
	msg := "reload: " + plan.String()
	if err != nil {
		msg = "reload: " + err.Error()
	}
	s.events.publish(Event{Event: "reload", Time: time.Now(), Message: msg})
}

// hub fans events out to the open streams.
type hub struct {
	max   int
	count atomic.Int32 // len(subs), read without mu by Publish
	mu    sync.Mutex   // guards subs and closed
	subs  map[*stream]struct{}
	shut  bool
}

// stream is one client's: events waiting to be written, and gone, closed
// once the hub dropped it (too far behind) or closed.
type stream struct {
	c    chan []byte
	gone chan struct{}
}

func newHub(max int) *hub { return &hub{max: max, subs: make(map[*stream]struct{})} }

// join opens a stream, or returns nil when max are open or the hub is closed.
func (h *hub) join() *stream {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.shut || len(h.subs) >= h.max {
		return nil
	}
	st := &stream{c: make(chan []byte, streamBuffer), gone: make(chan struct{})}
	h.subs[st] = struct{}{}
	h.count.Store(int32(len(h.subs)))
	return st
}

// leave closes st, unless it was dropped already.
func (h *hub) leave(st *stream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(st)
}

// drop forgets st and closes its gone; mu is held.
func (h *hub) drop(st *stream) {
	if _, ok := h.subs[st]; ok {
		delete(h.subs, st)
		close(st.gone)
		h.count.Store(int32(len(h.subs)))
	}
}

// publish queues e on every stream; one whose queue is full is dropped.
func (h *hub) publish(e Event) {
	data, err := json.Marshal(e)
	if err != nil {
		return
	}
	msg := fmt.Appendf(nil, "event: %s\ndata: %s\n\n", e.Event, data)
	h.mu.Lock()
	defer h.mu.Unlock()
	for st := range h.subs {
		select {
		case st.c <- msg:
		default:
			h.drop(st)
		}
	}
}

// close drops every stream and refuses new ones.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.shut = true
	for st := range h.subs {
		h.drop(st)
	}
}

// streamEvents is GET /v1/events: Server-Sent Events from now on (no
// snapshot: GET /v1/modules is that), until the client leaves, falls
// streamBuffer events behind, or svman stops.
func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request) {
	st := s.events.join()
	if st == nil {
		writeError(w, http.StatusServiceUnavailable, fmt.Errorf("%d event streams are open already", maxStreams))
		return
	}
	defer s.events.leave(st)
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{}) // the stream outlives ReadTimeout
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if rc.Flush() != nil {
		return
	}
	for {
		select {
		case msg := <-st.c:
			_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
			if _, err := w.Write(msg); err != nil || rc.Flush() != nil {
				return
			}
		case <-st.gone:
			return
		case <-r.Context().Done():
			return
		}
	}
}
