package nomad

import (
	"cmp"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"svman/manifest"
)

// Nomad's own service provider ("nomad", no Consul needed) runs http and
// tcp checks, at least a second apart and each given at least a second;
// script checks are Consul's alone. A check needs a service, and a service
// a port label of the group's network: the probe's port becomes one, static
// (the port the manifest names) or, for the PORT of an instances block,
// dynamic. The service is registered at the probe's host, so that Nomad
// checks what svman checks: a module that listens on 127.0.0.1 answers
// there, not on the client's address.

const (
	providerNomad = "nomad"
	minCheck      = time.Second // least check interval and timeout
	ownPort       = "port"      // the label of the module's PORT (port_base)
)

// portPlan says which of a module's ports is its PORT, and how Nomad gives
// it.
type portPlan struct {
	own     int  // the module's PORT (port_base + instance); 0 without port_base
	dynamic bool // each allocation gets its own port from Nomad (an instances block)
}

// of is the plan of instance mod of the block planned: its own PORT.
func (pp portPlan) of(mod manifest.Module) portPlan {
	if p, err := strconv.Atoi(mod.Env["PORT"]); err == nil && pp.own != 0 {
		pp.own = p
	}
	return pp
}

// label is the port label of port p: ownPort for the module's PORT, else
// one named after the number.
func (pp portPlan) label(p int) string {
	if pp.own != 0 && p == pp.own {
		return ownPort
	}
	return "port_" + strconv.Itoa(p)
}

// target is where an http or tcp probe connects.
type target struct {
	host  string // "" for an unspecified address (0.0.0.0, ::): the client's own
	port  int
	http  bool
	https bool
	path  string // the request URI of an http probe
}

// targetOf parses an http or tcp probe; false for one of another kind (exec,
// log), or one the manifest would not have accepted.
func targetOf(p manifest.Probe) (target, bool) {
	var t target
	var port string
	switch {
	case p.HTTP != "":
		u, err := url.Parse(p.HTTP)
		if err != nil {
			return t, false
		}
		t.http, t.https = true, u.Scheme == "https"
		t.host, port, t.path = u.Hostname(), u.Port(), u.RequestURI()
		if port == "" {
			port = map[bool]string{false: "80", true: "443"}[t.https]
		}
	case p.TCP != "":
		var err error
		if t.host, port, err = net.SplitHostPort(p.TCP); err != nil {
			return t, false
		}
	default:
		return t, false
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return t, false
	}
	t.port = n
	if ip := net.ParseIP(t.host); ip != nil && ip.IsUnspecified() {
		t.host = ""
	}
	return t, true
}

// probeCheck is one check of a module, with the address its service has.
type probeCheck struct {
	address string
	check   ServiceCheck
}

// checksOf are the Nomad checks of module m's ready and health blocks
// that Nomad can run (http, tcp), ready's first. The health check restarts
// the task after failures checks in a row, once the ready timeout (the
// time svman gives a module to become ready before checking its health)
// has passed.
func checksOf(m manifest.Module, pp portPlan) []probeCheck {
	var out []probeCheck
	if r := m.Ready; r != nil {
		if t, ok := targetOf(r.Probe); ok {
			every := max(r.Interval, minCheck) // each attempt may take the interval, and at least 1s
			out = append(out, probeCheck{t.host, checkOf("ready", t, pp, every, every)})
		}
	}
	if h := m.Health; h != nil {
		if t, ok := targetOf(h.Probe); ok {
			c := checkOf("health", t, pp, max(h.Interval, minCheck), max(h.Timeout, minCheck))
			c.CheckRestart = &CheckRestart{Limit: h.Failures}
			if m.Ready != nil {
				c.CheckRestart.Grace = new(int64(m.Ready.Timeout))
			}
			out = append(out, probeCheck{t.host, c})
		}
	}
	return out
}

func checkOf(name string, t target, pp portPlan, interval, timeout time.Duration) ServiceCheck {
	c := ServiceCheck{Name: name, Type: "tcp", PortLabel: pp.label(t.port), Interval: int64(interval), Timeout: int64(timeout)}
	if t.http {
		c.Type, c.Path = "http", t.path
		if t.https {
			c.Protocol = "https"
		}
	}
	return c
}

// servicesOf are module m's services, named name: one per address its
// checks connect to, and one for its PORT when it has a port_base and no
// check names it.
func servicesOf(m manifest.Module, pp portPlan, name string) []*Service {
	var out []*Service
	for _, pc := range checksOf(m, pp) {
		i := slices.IndexFunc(out, func(s *Service) bool { return s.Address == pc.address })
		if i < 0 {
			s := &Service{Name: name, Provider: providerNomad, PortLabel: pc.check.PortLabel, Address: pc.address}
			if len(out) > 0 {
				s.Name = serviceName(name + "-" + pc.check.Name)
			}
			out, i = append(out, s), len(out)
		}
		out[i].Checks = append(out[i].Checks, pc.check)
	}
	names := func(s *Service) bool {
		return s.PortLabel == ownPort || slices.ContainsFunc(s.Checks, func(c ServiceCheck) bool { return c.PortLabel == ownPort })
	}
	if pp.own != 0 && !slices.ContainsFunc(out, names) {
		out = append(out, &Service{Name: name, Provider: providerNomad, PortLabel: ownPort})
		if len(out) > 1 {
			out[len(out)-1].Name = serviceName(name + "-" + ownPort)
		}
	}
	return out
}

// networkOf is the group's network: the module's PORT (dynamic for an
// instances block) and the static ports its checks name, or nil when it
// needs none.
func networkOf(services []*Service, pp portPlan) []*NetworkResource {
	var n NetworkResource
	seen := map[string]bool{}
	for _, s := range services {
		for _, c := range s.Checks {
			seen[c.PortLabel] = true
		}
		seen[s.PortLabel] = true
	}
	for label := range seen {
		switch {
		case label == ownPort && pp.dynamic:
			n.DynamicPorts = append(n.DynamicPorts, Port{Label: label})
		case label == ownPort:
			n.ReservedPorts = append(n.ReservedPorts, Port{Label: label, Value: pp.own})
		case label != "":
			p, _ := strconv.Atoi(strings.TrimPrefix(label, "port_"))
			n.ReservedPorts = append(n.ReservedPorts, Port{Label: label, Value: p})
		}
	}
	if len(n.ReservedPorts)+len(n.DynamicPorts) == 0 {
		return nil
	}
	slices.SortFunc(n.ReservedPorts, func(a, b Port) int { return cmp.Compare(a.Value, b.Value) })
	return []*NetworkResource{&n}
}

// serviceName is s as Nomad takes a service name: letters, digits and
// dashes (RFC 1123), at most 63 of them, not starting or ending with a
// dash.
func serviceName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, s)
	s = strings.Trim(s, "-")
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	if s == "" {
		return "svman"
	}
	return s
}
