package main

import (
	"bufio"
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
	var line []byte
	for seq := range lines {
		line = emitLine(line[:0], marker, seq)
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return w.Flush()
}
