package nomad

import (
	"testing"

	"svman/manifest"
)

func TestTargetOf(t *testing.T) {
	tests := []struct {
		probe manifest.Probe
		want  target
		ok    bool
	}{
		{manifest.Probe{HTTP: "http://127.0.0.1:8080/healthz?deep=1"}, target{host: "127.0.0.1", port: 8080, http: true, path: "/healthz?deep=1"}, true},
		{manifest.Probe{HTTP: "https://localhost/"}, target{host: "localhost", port: 443, http: true, https: true, path: "/"}, true},
		{manifest.Probe{HTTP: "http://example.com"}, target{host: "example.com", port: 80, http: true, path: "/"}, true},
		{manifest.Probe{TCP: "[::1]:5432"}, target{host: "::1", port: 5432}, true},
		{manifest.Probe{TCP: "0.0.0.0:6379"}, target{port: 6379}, true}, // unspecified: the client's address
		{manifest.Probe{Exec: []string{"/bin/true"}}, target{}, false},
		{manifest.Probe{Log: "ready"}, target{}, false},
	}
	for _, tt := range tests {
		got, ok := targetOf(tt.probe)
		if got != tt.want || ok != tt.ok {
			t.Errorf("targetOf(%+v) = %+v, %v; want %+v, %v", tt.probe, got, ok, tt.want, tt.ok)
		}
	}
}

func TestServiceName(t *testing.T) {
	tests := map[string]string{
		"app-web":    "app-web",
		"my_app-w.1": "my-app-w-1",
		"-x-":        "x",
		"___":        "svman",
		"a23456789-123456789-123456789-123456789-123456789-123456789-12-x": "a23456789-123456789-123456789-123456789-123456789-123456789-12",
	}
	for in, want := range tests {
		if got := serviceName(in); got != want {
			t.Errorf("serviceName(%q) = %q, want %q", in, got, want)
		}
	}
}

// Ready and health on the same address share a service; on two, each has
// its own.
func TestServicesOf(t *testing.T) {
	m := manifest.Module{
		Ready:  &manifest.Ready{Probe: manifest.Probe{TCP: "127.0.0.1:9000"}, Interval: manifest.DefaultReadyInterval, Timeout: manifest.DefaultReadyTimeout},
		Health: &manifest.Health{Probe: manifest.Probe{HTTP: "http://10.0.0.1:9001/h"}, Interval: manifest.DefaultHealthInterval, Timeout: manifest.DefaultHealthTimeout, Failures: 3},
	}
	got := servicesOf(m, portPlan{}, "p-m")
	if len(got) != 2 || got[0].Name != "p-m" || got[0].Address != "127.0.0.1" || got[1].Name != "p-m-health" || got[1].Address != "10.0.0.1" {
		t.Fatalf("services %+v, want p-m at 127.0.0.1 and p-m-health at 10.0.0.1", got)
	}
	m.Health.Probe = manifest.Probe{TCP: "127.0.0.1:9000"}
	if got := servicesOf(m, portPlan{}, "p-m"); len(got) != 1 || len(got[0].Checks) != 2 {
		t.Errorf("services %+v, want one with both checks", got)
	}
}
