package engine

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// groupHelper plays the roles of a module whose main process leaves a process
// behind in its group:
//   - leader starts a child in its own group with role CHILD_ROLE, its output the
//     module's, and exits 0 at SIGUSR1 without waiting for the child;
//   - child prints "child PID ready" and runs until a signal kills it (TERM does);
//   - child-ignore-term is child that ignores TERM;
//   - child-slow-term is child that, at TERM, prints "child PID got TERM" and
//     exits only at SIGUSR2.
func groupHelper(role string) int {
	switch role {
	case "leader":
		usr1 := make(chan os.Signal, 1)
		signal.Notify(usr1, syscall.SIGUSR1)
		exe, _ := os.Executable()
		c := exec.Command(exe)
		c.Env = append(os.Environ(), helperEnv+"="+os.Getenv("CHILD_ROLE"))
		c.Stdout, c.Stderr = os.Stdout, os.Stderr
		if err := c.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		<-usr1
		return 0
	case "child-ignore-term":
		signal.Ignore(syscall.SIGTERM)
	case "child-slow-term":
		term := make(chan os.Signal, 1)
		signal.Notify(term, syscall.SIGTERM, syscall.SIGUSR2)
		fmt.Printf("child %d ready\n", os.Getpid())
		<-term
		fmt.Printf("child %d got TERM\n", os.Getpid())
		for sig := range term {
			if sig == syscall.SIGUSR2 {
				return 0
			}
		}
	}
	fmt.Printf("child %d ready\n", os.Getpid())
	select {}
}
