package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"svman/internal/modview"
	"svman/manifest"
	"svman/statusfs"
)

// targets is the modules the manifest in force has.
func (s *Server) targets() ([]modview.Target, map[string]manifest.InstanceCount) {
	m := s.cfg.Manifest()
	if m == nil {
		return nil, nil
	}
	return modview.ManifestTargets(m), m.Instances
}

// pick is the targets a request's {name} addresses: a module, a block with
// instances, or a comma list of them. An unknown name is a 404.
func (s *Server) pick(w http.ResponseWriter, r *http.Request) ([]modview.Target, bool) {
	all, blocks := s.targets()
	names := strings.Split(r.PathValue("name"), ",")
	picked, err := modview.Pick(all, names, blocks)
	var unknown *modview.UnknownError
	switch {
	case errors.As(err, &unknown):
		writeError(w, http.StatusNotFound, err)
		return nil, false
	case err != nil:
		writeError(w, http.StatusBadRequest, err)
		return nil, false
	}
	return picked, true
}

// describe is what `svman status --json` says of targets at now: the modules
// the engine supervises from what their supervisors last wrote, any other
// from its files.
func (s *Server) describe(targets []modview.Target, now time.Time) []modview.Status {
	var held map[string]*statusfs.Dir
	if s.cfg.Engine != nil {
		held = s.cfg.Engine.Held()
	}
	return modview.ReadAll(targets, now, held)
}

// listModules is GET /v1/modules: every module, as `svman status --json`.
func (s *Server) listModules(w http.ResponseWriter, _ *http.Request) {
	all, _ := s.targets()
	writeJSON(w, http.StatusOK, s.describe(all, time.Now()))
}

// getModule is GET /v1/modules/{name}: one module as an object; a block with
// instances or a comma list, as an array.
func (s *Server) getModule(w http.ResponseWriter, r *http.Request) {
	picked, ok := s.pick(w, r)
	if !ok {
		return
	}
	rows := s.describe(picked, time.Now())
	if len(rows) == 1 && picked[0].Name == r.PathValue("name") {
		writeJSON(w, http.StatusOK, rows[0])
		return
	}
	writeJSON(w, http.StatusOK, rows)
}
