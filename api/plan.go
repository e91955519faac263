package api

import (
	"context"
	"errors"
	"net/http"

	"svman/engine"
	"svman/internal/modview"
	"svman/manifest"
)

// Plan is a reload's plan as JSON: what `svman reload` has svman print, and
// what `svman diff` prints.
type Plan struct {
	Changes bool     `json:"changes"`
	Add     []string `json:"add"`
	Remove  []string `json:"remove"`
	Restart []Change `json:"restart"`
	Update  []Change `json:"update"`
	Keep    []string `json:"keep"`
	// Pending: removals an edit held back; Cancelled: pending removals whose
	// blocks are back; Kept: modules added again that keep what their status
	// directory records ("down by d", "failed", "released").
	Pending   []string          `json:"pending,omitempty"`
	Cancelled []string          `json:"cancelled,omitempty"`
	Kept      map[string]string `json:"kept,omitempty"`
	// Released (diff): modules released with x that a reload leaves so.
	Released []string `json:"released,omitempty"`
	Text     string   `json:"text"` // the plan in the words of svman's console
}

// Change is a module a plan restarts or updates, with the settings that
// differ (an env's variables by name, never their values).
type Change struct {
	Module  string   `json:"module"`
	Changed []string `json:"changed"`
}

func planJSON(p engine.Plan) Plan {
	changes := func(names []string) []Change {
		out := make([]Change, len(names))
		for i, n := range names {
			out[i] = Change{Module: n, Changed: p.Detail(n)}
		}
		return out
	}
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return Plan{
		Changes: p.Changes(), Add: nonNil(p.Add), Remove: nonNil(p.Remove),
		Restart: changes(p.Restart), Update: changes(p.Update), Keep: nonNil(p.Keep),
		Pending: p.Pending, Cancelled: p.Cancelled, Kept: p.Kept, Text: p.String(),
	}
}

// ErrReloadRefused is what Config.Reload returns when the manifest read is
// not valid (wrapped with its diagnostics): nothing was changed.
var ErrReloadRefused = errors.New("the manifest is not valid; the running configuration is kept")

// reload is POST /v1/reload: svman reads its manifest again and applies it, as
// at `svman reload`, removals included; the answer is the plan it applied.
func (s *Server) reload(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Reload == nil {
		writeError(w, http.StatusNotImplemented, errors.New("this svman does not reload"))
		return
	}
	plan, err := s.cfg.Reload(r.Context())
	switch {
	case errors.Is(err, ErrReloadRefused):
		writeError(w, http.StatusUnprocessableEntity, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, errors.New("svman is stopping"))
	case err != nil && !plan.Changes():
		writeError(w, http.StatusConflict, err)
	default:
		out := planJSON(plan)
		if err != nil { // applied in part: what failed is in the error
			writeJSON(w, http.StatusMultiStatus, map[string]any{"plan": out, "error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// diff is GET /v1/diff: what a reload would change, as `svman diff` says,
// comparing the manifest on disk with what runs.
func (s *Server) diff(w http.ResponseWriter, _ *http.Request) {
	m, err := manifest.Load(s.cfg.Manifest().Path)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, err)
		return
	}
	plan, left, _, _ := modview.ReloadPlan(m)
	out := planJSON(plan)
	out.Released = left
	writeJSON(w, http.StatusOK, out)
}
