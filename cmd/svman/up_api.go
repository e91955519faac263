package main

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"time"

	"svman/api"
	"svman/logmux"
	"svman/manifest"
)

// apiShutdown bounds how long svman waits at exit for the API's requests in
// progress (an action waiting to see itself applied, a log being read).
const apiShutdown = 5 * time.Second

// startAPI serves the control API for sv on status_dir/.svman.sock, with
// inForce the manifest in force (the reload actor keeps it). svman up calls
// it while it holds status_dir's lock; POST /v1/reload goes to the reload
// actor through reloads, so a socket found there is a dead
// svman's and may be replaced. The API answers from before the first start
// until every module is down at exit: its stop is the returned function,
// which waits apiShutdown at most. Without it (the socket cannot be made)
// svman goes on: ctl, status, reload and logs need no API.
func startAPI(sv *supervision, m *manifest.Manifest, inForce *atomic.Pointer[manifest.Manifest], reloads chan<- chan<- reloaded, console *logmux.Console) (stop func()) {
	srv, err := api.Start(api.Config{
		Socket:   filepath.Join(m.StatusDir, api.SocketName),
		Manifest: inForce.Load,
		Engine:   sv.engine,
		Reload:   askReload(reloads),
		Metrics:  sv.metrics.Handler(),
		Logf:     console.Systemf,
	})
	if err != nil {
		console.Systemf("%v: svman ctl, status, reload and logs work without it", err)
		return func() {}
	}
	sv.api.Store(srv)
	_ = srv.SetTCP(m.API) // it says on the console where it listens, or why it cannot
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), apiShutdown)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			console.Systemf("control API: %v", err)
		}
	}
}
