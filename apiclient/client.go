// Package apiclient is a client of svman's control API (package api): the
// modules, their usage, the actions, reload and diff, and the two streams
// (events, logs). svman top is built on it alone, so it works with any svman
// whose socket (or TCP listener) it can reach.
package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"svman/api"
	"svman/internal/modview"
)

// Client talks to one svman's control API.
type Client struct {
	base  string // "http://svman" on the socket, or the TCP listener's URL
	http  *http.Client
	token string // the bearer token, on TCP
}

// Unix is a client of the control socket at path (status_dir/.svman.sock).
func Unix(path string) *Client {
	return &Client{base: "http://svman", http: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		MaxIdleConnsPerHost: 4,
	}}}
}

// TCP is a client of the TCP listener at base ("https://host:7070"), with
// the bearer token; tr, if not nil, is its transport (a TLS configuration).
func TCP(base, token string, tr http.RoundTripper) *Client {
	return &Client{base: strings.TrimSuffix(base, "/"), http: &http.Client{Transport: tr}, token: token}
}

// Error is an answer of the API that is not a success: its status code and
// its {"error"}.
type Error struct {
	Code int
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// do sends a request and returns the response of a success; any other
// answer is an *Error.
func (c *Client) do(ctx context.Context, method, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	var e struct{ Error string }
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, &e) != nil || e.Error == "" {
		e.Error = strings.TrimSpace(string(b))
	}
	return nil, &Error{Code: resp.StatusCode, Msg: e.Error}
}

// callJSON sends a request whose answer decodes into v.
func (c *Client) callJSON(ctx context.Context, method, path string, v any) error {
	resp, err := c.do(ctx, method, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return nil
}

// names is the {name} of a path: modules as a comma list.
func names(modules []string) string {
	escaped := make([]string, len(modules))
	for i, m := range modules {
		escaped[i] = url.PathEscape(m)
	}
	return strings.Join(escaped, ",")
}

// Modules is GET /v1/modules: every module, as svman status --json.
func (c *Client) Modules(ctx context.Context) ([]modview.Status, error) {
	var rows []modview.Status
	return rows, c.callJSON(ctx, "GET", "/v1/modules", &rows)
}

// ModulesNamed is GET /v1/modules/a,b: those modules (a block: its
// instances). The API answers one module as an object, more as an array.
func (c *Client) ModulesNamed(ctx context.Context, modules []string) ([]modview.Status, error) {
	var raw json.RawMessage
	if err := c.callJSON(ctx, "GET", "/v1/modules/"+names(modules), &raw); err != nil {
		return nil, err
	}
	var rows []modview.Status
	if len(raw) > 0 && raw[0] == '{' {
		rows = make([]modview.Status, 1)
		return rows, json.Unmarshal(raw, &rows[0])
	}
	return rows, json.Unmarshal(raw, &rows)
}

// Usage is GET /v1/usage: CPU time and memory of the running modules.
func (c *Client) Usage(ctx context.Context) ([]api.Usage, error) {
	var rows []api.Usage
	return rows, c.callJSON(ctx, "GET", "/v1/usage", &rows)
}

// Act is POST /v1/modules/a,b/ACTION: the modules once it shows, or as
// they are when it did not within the API's wait (a 202, no error).
func (c *Client) Act(ctx context.Context, modules []string, action string) ([]modview.Status, error) {
	var rows []modview.Status
	return rows, c.callJSON(ctx, "POST", "/v1/modules/"+names(modules)+"/"+url.PathEscape(action), &rows)
}

// Diff is GET /v1/diff: what a reload would do.
func (c *Client) Diff(ctx context.Context) (api.Plan, error) {
	var p api.Plan
	return p, c.callJSON(ctx, "GET", "/v1/diff", &p)
}

// Reload is POST /v1/reload: the plan applied; an invalid manifest is an
// *Error with code 422 and its diagnostics.
func (c *Client) Reload(ctx context.Context) (api.Plan, error) {
	var p api.Plan
	return p, c.callJSON(ctx, "POST", "/v1/reload", &p)
}
