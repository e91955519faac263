package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// processComposePeer is process-compose without its TUI, its API on a unix
// socket (for `project update`), output on stdout.
type processComposePeer struct{}

func (processComposePeer) name() string { return "process-compose" }

func (processComposePeer) setup(env *benchEnv) (string, error) {
	return goToolVersion(env, "process-compose")
}

func (processComposePeer) configure(env *benchEnv, dir string, mods []module) (*launch, error) {
	conf := filepath.Join(dir, "process-compose.yaml")
	if err := writeComposeFile(conf, mods); err != nil {
		return nil, err
	}
	bin := env.bin("bin/process-compose")
	sock := filepath.Join(dir, "pc.sock")
	common := []string{"-U", "-u", sock, "-L", filepath.Join(dir, "process-compose.log")}
	cmd := exec.Command(bin, append([]string{"up", "-t=false", "-f", conf, "--disable-dotenv"}, common...)...)
	return &launch{cmd: cmd, update: func(mods []module) error {
		next := filepath.Join(dir, "process-compose.next.yaml")
		if err := writeComposeFile(next, mods); err != nil {
			return err
		}
		out, err := exec.Command(bin, append([]string{"project", "update", "-f", next}, common...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("project update: %v: %s", err, out)
		}
		return nil
	}}, nil
}

func writeComposeFile(path string, mods []module) error {
	text, err := composeText(mods)
	if err != nil {
		return err
	}
	return writeFile(path, text, 0o644)
}

// composeText is process-compose's configuration for mods. It has no TCP probe:
// a module's readiness and health are HTTP GETs of its port (the harness's
// listeners answer those too), with the shortest period it accepts (1 s: it
// takes a period below 1 for its default, 10) and no initial delay; a dependency
// waits for process_healthy, which is its readiness probe passing.
func composeText(mods []module) (string, error) {
	var b strings.Builder
	b.WriteString("version: \"0.5\"\nprocesses:\n")
	for _, m := range mods {
		fmt.Fprintf(&b, "  %s:\n    command: %q\n    availability:\n      restart: always\n", m.name, strings.Join(m.argv, " "))
		if m.after != "" {
			fmt.Fprintf(&b, "    depends_on:\n      %s:\n        condition: process_healthy\n", m.after)
		}
		if m.readyTCP != "" {
			if err := composeProbe(&b, "readiness_probe", m.readyTCP, time.Second); err != nil {
				return "", fmt.Errorf("%s: %w", m.name, err)
			}
		}
		if m.healthTCP != "" {
			if err := composeProbe(&b, "liveness_probe", m.healthTCP, m.healthEvery); err != nil {
				return "", fmt.Errorf("%s: %w", m.name, err)
			}
		}
	}
	return b.String(), nil
}

// composeProbe writes a probe of process-compose (kind: readiness_probe or
// liveness_probe) that GETs http://addr/ every period, whole seconds.
func composeProbe(b *strings.Builder, kind, addr string, period time.Duration) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if period < time.Second || period%time.Second != 0 {
		return fmt.Errorf("process-compose probes run every whole number of seconds, not every %v", period)
	}
	fmt.Fprintf(b, "    %s:\n      http_get:\n        host: %q\n        port: %q\n        path: \"/\"\n", kind, host, port)
	fmt.Fprintf(b, "      initial_delay_seconds: 0\n      period_seconds: %d\n      timeout_seconds: 1\n", int(period/time.Second))
	return nil
}

// readyState asks process-compose's API, on its unix socket, for the module's
// state: ready when its readiness probe has passed.
func (processComposePeer) readyState(_ *benchEnv, dir, name string) (bool, error) {
	sock := filepath.Join(dir, "pc.sock")
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
	defer c.CloseIdleConnections()
	resp, err := c.Get("http://pc/process/" + name)
	if err != nil {
		return false, nil // the API is not up yet
	}
	defer resp.Body.Close()
	var st struct {
		Ready string `json:"is_ready"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return false, fmt.Errorf("GET /process/%s: %w", name, err)
	}
	return st.Ready == "Ready", nil
}

func (processComposePeer) probeNote() string {
	return "process-compose: `depends_on: {PREVIOUS: {condition: process_healthy}}`, and, having no TCP probe, `readiness_probe`/`liveness_probe` `http_get` of the same port with `initial_delay_seconds: 0`, `period_seconds: 1` for readiness (its shortest: a period below 1 s is taken as its default of 10 s), `timeout_seconds: 1`"
}
