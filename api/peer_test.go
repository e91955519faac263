package api

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// clientEnv names the socket a run of the test binary as a client GETs.
const clientEnv = "SVMAN_API_TEST_CLIENT"

func TestMain(m *testing.M) {
	if sock := os.Getenv(clientEnv); sock != "" {
		resp, err := unixClient(sock).Get("http://svman/v1/modules")
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(0)
		}
		b, _ := io.ReadAll(resp.Body)
		fmt.Printf("%d %s", resp.StatusCode, b)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Another user cannot use the socket: its mode keeps them from connecting,
// and were it opened to them, their requests would be refused (403).
func TestOtherUserRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a client as nobody")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody")
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	// The test binary, where nobody can run it.
	bin := filepath.Join(t.TempDir(), "client")
	exe, _ := os.Executable()
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Dir(bin), 0o755)
	os.Chmod(filepath.Dir(filepath.Dir(bin)), 0o755) // the test's temporary root
	s, _ := testServer(t, Config{}, "web")
	sock := s.unix.path
	os.Chmod(filepath.Dir(sock), 0o755) // nobody may reach the socket, not use it
	asNobody := func() string {
		cmd := exec.Command(bin)
		cmd.Env = []string{clientEnv + "=" + sock}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("client: %v: %s", err, out)
		}
		return string(out)
	}
	if out := asNobody(); !strings.Contains(out, "permission denied") {
		t.Errorf("nobody on the 0600 socket: %q, want permission denied", out)
	}
	if err := os.Chmod(sock, 0o666); err != nil {
		t.Fatal(err)
	}
	if out := asNobody(); !strings.HasPrefix(out, "403 ") || !strings.Contains(out, `"error"`) {
		t.Errorf("nobody on a socket opened to all: %q, want 403", out)
	}
	if code, body := call(t, unixClient(sock), "GET", "/v1/modules"); code != 200 {
		t.Errorf("root: %d %s", code, body)
	}
	_ = s.Close(context.Background())
}
