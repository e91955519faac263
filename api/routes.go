package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// route is one endpoint: every one the server serves is in routes, and the
// OpenAPI document (openapi.json) describes each (openapi_test.go).
type route struct {
	method, path string // path as OpenAPI writes it: /v1/modules/{name}
	handler      func(*Server, http.ResponseWriter, *http.Request)
	stream       bool // no write timeout: the handler sets a deadline per write
}

var routes = []route{
	{"GET", "/v1/modules", (*Server).listModules, false},
	{"GET", "/v1/modules/{name}", (*Server).getModule, false},
	{"POST", "/v1/modules/{name}/{action}", (*Server).act, false},
	{"GET", "/v1/modules/{name}/logs", (*Server).logs, true},
	{"GET", "/v1/events", (*Server).streamEvents, true},
	{"GET", "/v1/usage", (*Server).usage, false},
	{"POST", "/v1/reload", (*Server).reload, false},
	{"GET", "/v1/diff", (*Server).diff, false},
	{"GET", "/v1/openapi.json", (*Server).openAPI, false},
}

//go:embed openapi.json
var openAPIDoc []byte

// routes is the handler of every route, behind the peer check and the limits;
// /metrics is there when Config.Metrics is set.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range routes {
		h := func(w http.ResponseWriter, r *http.Request) { rt.handler(s, w, r) }
		mux.Handle(rt.method+" "+rt.path, limits(http.HandlerFunc(h), rt.stream))
	}
	if s.cfg.Metrics != nil {
		mux.Handle("GET /metrics", limits(s.cfg.Metrics, false))
	}
	return authorize(jsonErrors(mux), s.tokens)
}

// jsonErrors is mux, with its own answers to a request it has no route for
// (404, or 405 with Allow) in JSON like every other error.
func jsonErrors(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &codeOnly{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if allow := rec.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		writeError(w, rec.code, fmt.Errorf("%s %s: %s (GET /v1/openapi.json lists the endpoints)", r.Method, r.URL.Path, strings.ToLower(http.StatusText(rec.code))))
	})
}

// codeOnly is a ResponseWriter that keeps the header and code, not the body.
type codeOnly struct {
	header http.Header
	code   int
}

func (c *codeOnly) Header() http.Header         { return c.header }
func (c *codeOnly) Write(p []byte) (int, error) { return len(p), nil }
func (c *codeOnly) WriteHeader(code int)        { c.code = code }

// limits bounds a request's body and, unless it streams, the time its
// response may take to write.
func limits(h http.Handler, stream bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if !stream {
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(writeTimeout))
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDoc)
}

// writeJSON writes v with code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v) // compact, for programs; jq indents it for people
}

// writeError writes {"error": "..."} with code.
func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}
