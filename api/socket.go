package api

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// unixSocket is the API's listener and the file it made.
type unixSocket struct {
	l    *net.UnixListener
	path string
	made os.FileInfo // the socket as created: removed only while it is still this one
}

// listenUnix listens on a unix socket at path with mode 0600. The socket is
// bound in a private directory (0700) next to path, made 0600 there, then
// renamed into place: no moment exists in which it is open to others, and the
// process umask is never changed. What is at path already is replaced only if
// it is a socket (left by an svman that died: the status_dir lock says no
// other runs); a link or any other file is an error.
func listenUnix(path string) (*unixSocket, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode().Type() != fs.ModeSocket {
		return nil, fmt.Errorf("%s exists and is not a socket: remove it", path)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(path), ".svman.sock.")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	bound := filepath.Join(tmp, "s")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: bound, Net: "unix"})
	if err != nil {
		return nil, err
	}
	l.SetUnlinkOnClose(false)
	fail := func(err error) (*unixSocket, error) { l.Close(); return nil, err }
	if err := os.Chmod(bound, 0o600); err != nil {
		return fail(err)
	}
	if err := os.Rename(bound, path); err != nil {
		return fail(err)
	}
	made, err := os.Lstat(path)
	if err != nil {
		return fail(err)
	}
	return &unixSocket{l: l, path: path, made: made}, nil
}

// remove removes the socket file if it is still the one listenUnix made.
func (u *unixSocket) remove() {
	if fi, err := os.Lstat(u.path); err == nil && os.SameFile(fi, u.made) {
		_ = os.Remove(u.path)
	}
}

// authorize refuses a request on the unix socket from a user other than
// svman's own or root (403): the socket's mode is the first guard, the
// peer's credentials (SO_PEERCRED) the second; and one on TCP without the
// bearer token (401, tokens).
func authorize(next http.Handler, tokens *tokenCheck) http.Handler {
	euid := os.Geteuid()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Context().Value(connKey{}).(*net.UnixConn)
		if c == nil {
			if tokens.allowed(w, r) {
				next.ServeHTTP(w, r)
			}
			return
		}
		uid, err := peerUID(c)
		if err != nil || (uid != euid && uid != 0) {
			writeError(w, http.StatusForbidden, errors.New("only svman's user and root may use this socket"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// peerUID is the uid of the process at the other end of c.
func peerUID(c *net.UnixConn) (int, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var cred *unix.Ucred
	var gerr error
	if err := raw.Control(func(fd uintptr) { cred, gerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED) }); err != nil {
		return 0, err
	}
	if gerr != nil {
		return 0, gerr
	}
	return int(cred.Uid), nil
}
