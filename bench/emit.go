package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
)

// The log figure's modules are this binary, run as `bench emit MARKER LINES DIR`:
// it says it is ready by creating DIR/ready.MARKER, waits for SIGUSR1 (so that all
// emitters start together), writes LINES numbered lines through a 64 KiB buffer
// (so that lines cross write boundaries, as a real program's do) and then waits to
// be stopped, so that no tool restarts it.
const (
	lineWidth = 100 // bytes per line, newline included
	emitFill  = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// emitLine formats line seq of module m.
func emitLine(b []byte, m, seq int) []byte {
	b = fmt.Appendf(b, "L m=%07d seq=%07d ", m, seq)
	for len(b) < lineWidth-1 {
		b = append(b, emitFill[len(b)%len(emitFill)])
	}
	return append(b, '\n')
}

func emitMain(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("usage: bench emit MARKER LINES DIR")
	}
	marker, err := strconv.Atoi(args[0])
	if err != nil {
		return err
	}
	lines, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	goSig := make(chan os.Signal, 1)
	signal.Notify(goSig, syscall.SIGUSR1)
	if err := os.WriteFile(filepath.Join(args[2], "ready."+args[0]), nil, 0o644); err != nil {
		return err
	}
	<-goSig
	w := bufio.NewWriterSize(os.Stdout, 64<<10)
	// The emitter shares the 2 cores with the tool it feeds: it formats one line
	// and then only counts up the sequence number's digits in place, so that it
	// takes as little of the machine as it can (formatting every line took about
	// 0.4 CPU-seconds per million lines).
	line := emitLine(nil, marker, 0)
	digits := bytes.Index(line, []byte(" seq=")) + len(" seq=")
	for range lines {
		if _, err := w.Write(line); err != nil {
			return err
		}
		for i := digits + 6; i >= digits; i-- {
			if line[i]++; line[i] <= '9' {
				break
			}
			line[i] = '0'
		}
	}
	return w.Flush()
}
