package main

import (
	"bytes"
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
	setTCP(srv, manifest.API{}, m.API, console)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), apiShutdown)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			console.Systemf("control API: %v", err)
		}
	}
}

// setTCP applies the api block a (in force before: was) to the control API's
// TCP listener, and says on the console where it listens when that changed,
// that a new token is in force (never the token), or why a is not applied.
func setTCP(srv *api.Server, was, a manifest.API, console *logmux.Console) {
	if err := srv.SetTCP(a); err != nil {
		where := "no TCP listener"
		if addr := srv.TCPAddr(); addr != "" {
			where = "TCP stays on " + addr
		}
		console.Systemf("%v: the control socket serves, %s", err, where)
		return
	}
	switch {
	case a.Listen != was.Listen || (a.TLSCert != "") != (was.TLSCert != ""):
		if addr := srv.TCPAddr(); addr != "" {
			console.Systemf("control API on %s (%s) too", addr, scheme(a))
		} else if was.Listen != "" {
			console.Systemf("control API: no TCP listener any more")
		}
	case !bytes.Equal(a.Token, was.Token):
		console.Systemf("control API: the new token of %s is in force", srv.TCPAddr())
	}
}

// scheme is how the TCP listener of a speaks.
func scheme(a manifest.API) string {
	if a.TLSCert != "" {
		return "HTTPS"
	}
	return "HTTP"
}
