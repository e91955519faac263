package export

import (
	"testing"

	"svman/manifest"
)

func TestProject(t *testing.T) {
	tests := []struct{ path, name, want string }{
		{"/srv/shop/supervise.hcl", "", "shop"},
		{"/srv/my shop/supervise.hcl", "", "my-shop"},
		{"/srv/shop/supervise.hcl", "payments", "payments"},
		{"/srv/shop/supervise.hcl", "pay/ments@2", "pay-ments-2"},
		{"/supervise.hcl", "", "svman"},
		{"/srv/shop/supervise.hcl", "..", "svman"},
	}
	for _, tt := range tests {
		if got := Project(&manifest.Manifest{Path: tt.path}, tt.name); got != tt.want {
			t.Errorf("Project(%s, %q) = %q, want %q", tt.path, tt.name, got, tt.want)
		}
	}
}
