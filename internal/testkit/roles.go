package testkit

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// RoleEnv names the role the test binary plays when it runs as a child process.
// A package's TestMain calls RunRole (or Main) first, so that a child started with
// RoleEnv set runs its role instead of the tests.
const RoleEnv = "SVMAN_TEST_ROLE"

// PrintEnv lists, comma-separated, the variables the "showenv" role prints.
const PrintEnv = "SVMAN_TEST_PRINT"

// CountEnv is how many lines the "count-lines" role prints.
const CountEnv = "SVMAN_TEST_COUNT"

// ChildRoleEnv names the role of the child the "group-leader" role starts.
const ChildRoleEnv = "SVMAN_TEST_CHILD_ROLE"

// PausedPieces are what the "pauses" role writes, one after the other, waiting
// for a SIGUSR1 after each but the last: a line written in three pieces; a line of
// 10 MB whose newline comes alone, after a pause; a last line the process exits
// without ending.
var PausedPieces = []string{
	"progress: ",
	".",
	". done\n" + strings.Repeat("x", 10_000_000) + "END",
	"\nlast words",
}

// HostileOutput is the line the "escapes" role prints: a window title (OSC 0), a
// clear screen (CSI 2J), a clipboard write (OSC 52) and a color (SGR), as a
// module might print them.
const HostileOutput = "\x1b]0;pwned-title\x07\x1b[2J\x1b]52;c;cHduZWQ=\x07\x1b[31mred\x1b[0m end-of-escapes"

// roles are the programs of svman's tests, by name. Each runs until it is killed
// or exits by itself; none reads its arguments unless it says so.
var roles = map[string]func(){
	// sleeper says it is ready, then waits to be killed.
	"sleeper": func() {
		fmt.Printf("ready pid=%d\n", os.Getpid())
		select {}
	},
	// stubborn ignores SIGTERM and starts a grandchild in the same process group
	// that ignores it too: only SIGKILL to the group ends them.
	"stubborn": func() {
		signal.Ignore(syscall.SIGTERM)
		cmd := Command("stubborn-grandchild")
		cmd.Stdout = os.Stdout
		if err := cmd.Start(); err != nil {
			fmt.Println("grandchild failed:", err)
			os.Exit(1)
		}
		fmt.Printf("ready pid=%d grandchild=%d\n", os.Getpid(), cmd.Process.Pid)
		select {}
	},
	"stubborn-grandchild": func() {
		signal.Ignore(syscall.SIGTERM)
		// Until now its runtime's handler made SIGTERM fatal: say when it is not.
		fmt.Printf("grandchild ignores TERM, pid=%d\n", os.Getpid())
		select {}
	},
	// daemon double-forks a daemon that detaches into its own session, as
	// classic daemons do, then stays up itself.
	"daemon": func() {
		startDaemon()
		fmt.Printf("ready pid=%d\n", os.Getpid())
		select {}
	},
	// stubborn-daemon is daemon whose main process ignores SIGTERM, once its
	// daemon (which does not) has started.
	"stubborn-daemon": func() {
		startDaemon()
		signal.Ignore(syscall.SIGTERM)
		fmt.Printf("ready pid=%d\n", os.Getpid())
		select {}
	},
	"daemon-middle": func() {
		cmd := Command("sleeper")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := cmd.Start(); err != nil {
			fmt.Println("daemon failed:", err)
			os.Exit(1)
		}
		fmt.Printf("daemon pid=%d\n", cmd.Process.Pid)
		os.Exit(0) // the daemon is orphaned: its subreaper inherits it
	},
	// showenv prints the variables named in PrintEnv, then waits.
	"showenv": func() {
		for k := range strings.SplitSeq(os.Getenv(PrintEnv), ",") {
			fmt.Printf("%s=%s\n", k, os.Getenv(k))
		}
		select {}
	},
	// envfile writes its whole environment to the file its first argument
	// names, one NAME=VALUE a line, and exits.
	"envfile": func() {
		if len(os.Args) < 2 {
			fmt.Fprintln(os.Stderr, "usage: envfile FILE")
			os.Exit(2)
		}
		if err := os.WriteFile(os.Args[1], []byte(strings.Join(os.Environ(), "\n")+"\n"), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	},
	// escapes prints HostileOutput, then waits to be stopped.
	"escapes": func() {
		os.Stdout.WriteString(HostileOutput + "\n")
		select {}
	},
	// crash says so on stderr and exits 3 at once.
	"crash": func() {
		fmt.Fprintln(os.Stderr, "crashing")
		os.Exit(3)
	},
	// pauses writes PausedPieces, waiting for a SIGUSR1 after each but the last,
	// then exits: lines whose writer pauses as long as the test likes.
	"pauses": func() {
		next := make(chan os.Signal, 1)
		signal.Notify(next, syscall.SIGUSR1)
		for i, piece := range PausedPieces {
			os.Stdout.WriteString(piece)
			if i < len(PausedPieces)-1 {
				<-next
			}
		}
	},
	// partial writes a line in pieces and a last line without newline, then exits.
	"partial": func() {
		for _, s := range []string{"hel", "lo wor", "ld\nsecond line\nno newline at the end"} {
			os.Stdout.WriteString(s)
		}
	},
	// notify sends its arguments, one a line, as one datagram to the socket
	// NOTIFY_SOCKET names ("@name" or a path), as systemd-notify does, and exits.
	"notify": func() {
		addr := &net.UnixAddr{Name: os.Getenv("NOTIFY_SOCKET"), Net: "unixgram"}
		conn, err := net.DialUnix("unixgram", nil, addr)
		if err == nil {
			_, err = conn.Write([]byte(strings.Join(os.Args[1:], "\n")))
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "notify:", err)
			os.Exit(1)
		}
	},
	// exit-clean exits 0 at once, saying nothing.
	"exit-clean": func() {},
	// count-lines prints the lines "0" to "N-1", N being CountEnv, as fast as it can,
	// then exits.
	"count-lines": func() {
		n, _ := strconv.Atoi(os.Getenv(CountEnv))
		w := bufio.NewWriterSize(os.Stdout, 64<<10)
		for i := range n {
			w.WriteString(strconv.Itoa(i))
			w.WriteByte('\n')
		}
		w.Flush()
	},
	// hello-bye prints "hello PID" and "bye PID", then exits.
	"hello-bye": func() {
		fmt.Printf("hello %d\n", os.Getpid())
		fmt.Printf("bye %d\n", os.Getpid())
	},
	// signal-trap prints "on a terminal" when its stdin and stdout are one,
	// then "ready pid=PID"; at SIGTERM or SIGINT it prints "caught TERM" (or
	// INT) and exits 7.
	"signal-trap": func() {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
		if isTerminal(0) && isTerminal(1) {
			fmt.Println("on a terminal")
		}
		fmt.Printf("ready pid=%d\n", os.Getpid())
		name := map[os.Signal]string{syscall.SIGTERM: "TERM", syscall.SIGINT: "INT"}[<-sigs]
		fmt.Printf("caught %s\n", name)
		os.Exit(7)
	},
	// group-leader starts a child in its own process group, of the role
	// ChildRoleEnv names and with its output, and exits 0 at SIGUSR1 without
	// waiting for the child: a main process that leaves a process behind.
	"group-leader": func() {
		usr1 := make(chan os.Signal, 1)
		signal.Notify(usr1, syscall.SIGUSR1)
		cmd := Command(os.Getenv(ChildRoleEnv))
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		<-usr1
	},
	// group-child prints "child PID ready" and runs until a signal kills it
	// (SIGTERM does).
	"group-child": groupChildReady,
	// group-child-ignore-term is group-child ignoring SIGTERM.
	"group-child-ignore-term": func() {
		signal.Ignore(syscall.SIGTERM)
		groupChildReady()
	},
	// group-child-slow-term is group-child that, at SIGTERM, prints
	// "child PID got TERM" and exits only at SIGUSR2.
	"group-child-slow-term": func() {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGTERM, syscall.SIGUSR2)
		fmt.Printf("child %d ready\n", os.Getpid())
		<-sigs
		fmt.Printf("child %d got TERM\n", os.Getpid())
		for sig := range sigs {
			if sig == syscall.SIGUSR2 {
				return
			}
		}
	},
}

// startDaemon starts a sleeper in a session of its own through a middle
// process that exits at once, printing "daemon pid=PID": the daemon is orphaned,
// and its subreaper inherits it.
func startDaemon() {
	cmd := Command("daemon-middle")
	cmd.Stdout = os.Stdout
	if err := cmd.Run(); err != nil {
		fmt.Println("middle failed:", err)
		os.Exit(1)
	}
}

// isTerminal reports whether descriptor fd is a terminal.
func isTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}

// groupChildReady prints "child PID ready" and waits to be killed.
func groupChildReady() {
	fmt.Printf("child %d ready\n", os.Getpid())
	select {}
}

// RoleNames lists the roles, sorted.
func RoleNames() []string {
	var names []string
	for name := range roles {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Role is the program of the named role; it panics on a name that is none.
// A role returns when its program ends well; the caller then exits 0.
func Role(name string) func() {
	f, ok := roles[name]
	if !ok {
		panic("testkit: no role " + name)
	}
	return f
}

// RunRole runs the role RoleEnv names and exits, if it names one; it returns
// at once when RoleEnv is unset. An unknown role exits 2.
func RunRole() {
	name := os.Getenv(RoleEnv)
	if name == "" {
		return
	}
	f, ok := roles[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown role %q (roles: %s)\n", name, strings.Join(RoleNames(), ", "))
		os.Exit(2)
	}
	f()
	os.Exit(0)
}

// Main is a TestMain that runs the roles: the test binary is the role RoleEnv
// names, or runs the tests.
func Main(m *testing.M) {
	RunRole()
	os.Exit(m.Run())
}

// Executable is the test binary, the program of every role.
func Executable() string {
	exe, err := os.Executable()
	if err != nil {
		panic("testkit: cannot find the test binary: " + err.Error())
	}
	return exe
}

// Command is the test binary as the named role with args; its environment is
// the caller's with RoleEnv set.
func Command(role string, args ...string) *exec.Cmd {
	cmd := exec.Command(Executable(), args...)
	cmd.Env = append(os.Environ(), RoleEnv+"="+role)
	return cmd
}
