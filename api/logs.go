package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"svman/logfiles"
	"svman/logmux"
)

// LogLine is one line of GET /v1/modules/{name}/logs: one JSON object a line.
type LogLine struct {
	Time   time.Time `json:"time"`
	Module string    `json:"module"`
	Stream string    `json:"stream"` // stdout or stderr
	// Line is the line's text; a line that is not valid UTF-8 is in LineB64
	// instead, exactly, so that no byte is lost.
	Line    string `json:"line,omitempty"`
	LineB64 []byte `json:"line_b64,omitempty"`
}

// defaultLogLines is how many lines GET .../logs gives without n.
const defaultLogLines = 100

// maxFollows bounds the log requests with follow at once: each holds an
// inotify instance (128 by default for all of a user's programs) and a
// descriptor per file. One more is a 503.
const maxFollows = 16

// logs is GET /v1/modules/{name}/logs?n=100&follow=1&stream=stdout|stderr:
// the last n lines of the modules' log files (__stdout, __stderr), merged in
// time order, as NDJSON; with follow, then the new lines as they come, until
// the client leaves or svman stops. n=0 gives none of the lines already
// written. With stream, n counts that stream's lines; with stream and follow,
// the last n lines of both streams are read, and that stream's given.
func (s *Server) logs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n := defaultLogLines
	if v := q.Get("n"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, fmt.Errorf("n=%q: want a number of lines, 0 or more", v))
			return
		}
	}
	follow := q.Get("follow") == "1" || q.Get("follow") == "true"
	var only logmux.Stream
	filter := false
	switch v := q.Get("stream"); v {
	case "":
	case "stdout":
		only, filter = logmux.Stdout, true
	case "stderr":
		only, filter = logmux.Stderr, true
	default:
		writeError(w, http.StatusBadRequest, fmt.Errorf("stream=%q: want stdout or stderr", v))
		return
	}
	picked, ok := s.pick(w, r)
	if !ok {
		return
	}
	if follow { // each follower holds an inotify instance and descriptors of svman's
		select {
		case s.follows <- struct{}{}:
			defer func() { <-s.follows }()
		default:
			writeError(w, http.StatusServiceUnavailable, fmt.Errorf("%d logs are followed already", maxFollows))
			return
		}
	}
	srcs := make([]logfiles.Source, len(picked))
	for i, t := range picked {
		srcs[i] = logfiles.Source{Module: t.Name, Dir: t.Dir}
	}
	o := logfiles.Options{Tail: n, Follow: follow}
	if n == 0 {
		o.Tail = -1
	}
	// With a stream (and no follow), the last n are counted among its lines:
	// all are read, and the last n kept here.
	var ring []LogLine
	keep := filter && n > 0 && !follow
	if keep {
		o.Tail = 0
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	if follow { // the client sees the answer begin before the first new line
		_ = rc.SetReadDeadline(time.Time{}) // following outlives ReadTimeout
		w.WriteHeader(http.StatusOK)
		_ = rc.Flush()
	}
	write := func(l LogLine) {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		if enc.Encode(l) != nil {
			cancel() // the client is gone: Read returns
		}
	}
	err := logfiles.Read(ctx, srcs, o, func(l logfiles.Line) {
		if filter && l.Stream != only {
			return
		}
		line := LogLine{Time: l.Time, Module: l.Module, Stream: "stdout"}
		if l.Stream == logmux.Stderr {
			line.Stream = "stderr"
		}
		if utf8.Valid(l.Text) {
			line.Line = string(l.Text)
		} else {
			line.LineB64 = append([]byte(nil), l.Text...)
		}
		if keep {
			ring = append(ring, line)
			if len(ring) > n {
				ring = ring[1:]
			}
			return
		}
		write(line)
		if follow {
			_ = rc.Flush()
		}
	})
	for _, l := range ring {
		write(l)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		writeError(w, http.StatusInternalServerError, err)
	}
}
