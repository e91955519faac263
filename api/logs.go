package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"svman/logfiles"
	"svman/logmux"
)

// defaultLogLines is how many lines GET .../logs gives without n.
const defaultLogLines = 100

// maxFollows bounds the log requests with follow at once: each holds an
// inotify instance (128 by default for all of a user's programs) and a
// descriptor per file. One more is a 503.
const maxFollows = 16

// logs is GET /v1/modules/{name}/logs?n=100&follow=1&stream=stdout|stderr:
// the last n lines of the modules' log files (__stdout, __stderr), merged in
// time order, as NDJSON: the records of `svman logs --json`
// (logfiles.Line.AppendRecord); with follow, then the new lines as they come, until
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
	var ring [][]byte // the last n records of the stream, oldest at next once full
	next := 0
	keep := filter && n > 0 && !follow
	if keep {
		o.Tail = 0
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "application/x-ndjson")
	// The answer begins (200) with its first line, or, following, once the
	// lines the files held are given (the client then sees it before the
	// first new line): a file that cannot be read before that is an error
	// with its own code.
	begun := false
	if follow {
		_ = rc.SetReadDeadline(time.Time{}) // following outlives ReadTimeout
		o.Following = func() { begun = true; _ = rc.Flush() }
	}
	write := func(rec []byte) {
		begun = true
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		if _, err := w.Write(rec); err != nil {
			cancel() // the client is gone: Read returns
		}
	}
	var rec []byte
	err := logfiles.Read(ctx, srcs, o, func(l logfiles.Line) {
		if filter && l.Stream != only {
			return
		}
		rec = l.AppendRecord(rec[:0])
		if keep {
			if len(ring) < n {
				ring = append(ring, slices.Clone(rec))
			} else { // full: the oldest's buffer takes the new one
				ring[next] = append(ring[next][:0], rec...)
				next = (next + 1) % n
			}
			return
		}
		write(rec)
		if follow {
			_ = rc.Flush()
		}
	})
	for i := range ring {
		write(ring[(next+i)%len(ring)])
	}
	switch {
	case err == nil || errors.Is(err, context.Canceled):
	case !begun:
		writeError(w, http.StatusInternalServerError, err)
	default: // the lines so far are sent: the error ends them, as a last line
		write(logmux.AppendEvent(nil, time.Now(), logmux.SystemName, "error", err.Error(), nil))
	}
}
