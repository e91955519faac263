package nomad

import "testing"

func TestTemplate(t *testing.T) {
	ports := []int{5000, 5001, 5002}
	tests := []struct {
		vals  []string
		ports []int
		want  string
		ok    bool
	}{
		{[]string{"same", "same", "same"}, nil, "same", true},
		{[]string{"w.0", "w.1", "w.2"}, nil, "w.${NOMAD_ALLOC_INDEX}", true},
		{[]string{"5000", "5001", "5002"}, ports, "${NOMAD_PORT_port}", true},
		{[]string{"5000", "5001", "5002"}, nil, "", false}, // no port_base: not a PORT
		{[]string{"http://127.0.0.1:5000/i/0", "http://127.0.0.1:5001/i/1", "http://127.0.0.1:5002/i/2"}, ports,
			"http://127.0.0.1:${NOMAD_PORT_port}/i/${NOMAD_ALLOC_INDEX}", true},
		{[]string{"0", "10", "20"}, nil, "", false},             // instance × 10
		{[]string{"a", "b", "c"}, nil, "", false},               // not a number
		{[]string{"00", "01", "02"}, nil, "", false},            // format("%02d", instance)
		{[]string{"x0", "x1", "x2y"}, nil, "", false},           // a different shape
		{[]string{"50000", "50011", "50022"}, ports, "", false}, // port and instance run together
	}
	for _, tt := range tests {
		got, ok := template(tt.vals, tt.ports)
		if got != tt.want || ok != tt.ok {
			t.Errorf("template(%q, %v) = %q, %v; want %q, %v", tt.vals, tt.ports, got, ok, tt.want, tt.ok)
		}
	}
}
