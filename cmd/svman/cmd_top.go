package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"svman/api"
	"svman/apiclient"
	"svman/top"
)

var topCommand = &command{
	name:    "top",
	summary: "a live view of every module: states, usage, logs and controls",
	help: `Shows every module of the running svman in a table that changes as they do (state,
pid, uptime, restarts, last exit, CPU and memory, alarms), and below it the log of the
selected module, following. Keys act on the selected module, or on the modules
marked with space: u up, d down, r restart, K kill, p pause, c continue, s silence,
n alarms on; R reloads the manifest after showing what it would change. Enter shows
the log full screen (/ searches it), a the log of all modules, / filters the table, o
changes the sort, ? lists every key, q quits.

It is a client of the control API: the socket status_dir/.svman.sock (it needs a
running svman up, and a user that may use the socket: svman's user, or root), or,
with --api, the TCP listener of an api block, on this machine or another, with its
token. The states change with svman's events; the CPU and memory are read once a
second. NO_COLOR turns the colors off; a terminal whose locale is not UTF-8 gets
ASCII only.`,
	flags: func(fs *flag.FlagSet) { topFlags(fs) },
	run:   runTop,
}

// topFlags declares svman top's flags on fs and returns their values.
func topFlags(fs *flag.FlagSet) (tf targetFlags, apiURL, tokenFile, caFile *string) {
	tf = addTargetFlags(fs)
	apiURL = fs.String("api", "", "use the control API's TCP listener at `URL` (http://127.0.0.1:7070, https://host:7070) instead of the status directory's socket")
	tokenFile = fs.String("token-file", "", "with --api: the `FILE` holding the bearer token (the api block's token_file)")
	caFile = fs.String("ca-file", "", "with an https --api: a PEM certificate `FILE` to trust besides the system's (a self-signed one)")
	return tf, apiURL, tokenFile, caFile
}

func runTop(ctx context.Context, c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	tf, apiURL, tokenFile, caFile := topFlags(fs)
	if ok, code := parseNoArgs(fs, args); !ok {
		return code
	}
	switch {
	case *apiURL == "" && (*tokenFile != "" || *caFile != ""):
		fmt.Fprintln(stderr, "svman top: --token-file and --ca-file go with --api URL")
		return exitUsage
	case *apiURL != "" && *tf.statusDir != "":
		fmt.Fprintln(stderr, "svman top: give --api URL or --status-dir DIR, not both")
		return exitUsage
	}
	out, ok := stdout.(*os.File)
	if !ok || !isTerminal(out) || !isTerminal(os.Stdin) {
		fmt.Fprintln(stderr, "svman top: it needs a terminal; for a program, use svman status --json, or the control API (status_dir/.svman.sock)")
		return exitUsage
	}
	var client *apiclient.Client
	var where string
	if *apiURL != "" {
		var code int
		if client, code = tcpClient(*apiURL, *tokenFile, *caFile, stderr); client == nil {
			return code
		}
		where = *apiURL
	} else {
		root, ok := tf.root(stderr)
		if !ok {
			return exitFailure
		}
		where = filepath.Join(root, api.SocketName)
		client = apiclient.Unix(where)
	}
	if _, err := client.Modules(ctx); err != nil {
		var e *apiclient.Error
		if errors.As(err, &e) {
			fmt.Fprintf(stderr, "svman top: %s: %v\n", where, err)
		} else {
			fmt.Fprintf(stderr, "svman top: no svman answers on %s (%v): is svman up running, and may this user use its socket?\n", where, err)
		}
		return exitFailure
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM) // they end it as q does
	defer stop()
	if err := top.Run(ctx, client, where, os.Stdin, out); err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	return exitOK
}

// tcpClient is a client of the TCP listener at base, with the token in
// tokenFile and, for https, the certificate in caFile trusted too; nil and
// the exit code after saying why not.
func tcpClient(base, tokenFile, caFile string, stderr io.Writer) (*apiclient.Client, int) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		fmt.Fprintln(stderr, "svman top: --api: want http://HOST:PORT or https://HOST:PORT, with no path, user or query (the token goes in --token-file)")
		return nil, exitUsage
	}
	if caFile != "" && u.Scheme != "https" {
		fmt.Fprintln(stderr, "svman top: --ca-file is for an https --api")
		return nil, exitUsage
	}
	var token string
	if tokenFile != "" {
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			fmt.Fprintf(stderr, "svman top: %v\n", err)
			return nil, exitFailure
		}
		token = string(bytes.TrimSpace(b))
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			fmt.Fprintf(stderr, "svman top: %v\n", err)
			return nil, exitFailure
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			fmt.Fprintf(stderr, "svman top: %s holds no PEM certificate\n", caFile)
			return nil, exitFailure
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return apiclient.TCP(u.Scheme+"://"+u.Host, token, tr), exitOK
}
