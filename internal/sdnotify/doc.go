// Package sdnotify speaks systemd's sd_notify protocol both ways: Listen gives a
// module a notify socket and hands each datagram it receives, parsed, with its
// sender's credentials; Notify tells the service manager that started svman how
// svman itself is doing.
//
// The protocol: a datagram on a unix socket, newline-separated KEY=VALUE
// assignments (READY=1, STATUS=..., MAINPID=...), named by the NOTIFY_SOCKET
// variable, "@name" for a socket in the abstract namespace or an absolute path.
package sdnotify
