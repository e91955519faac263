package manifest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// maxFileSize caps both the manifest and what file() may read, so that a mistaken
// path such as a huge log fails cleanly instead of eating all memory. The README
// states it (Durations, signals, functions).
const maxFileSize = 8 << 20

// errTooLarge is returned by readLimited and readRegular for a file over its limit.
var errTooLarge = errors.New("file too large")

// notRegularError is returned by readRegular for a path that is not a regular file.
type notRegularError struct {
	Kind string // "a FIFO (named pipe)", "a directory", ...
}

func (e *notRegularError) Error() string { return "it is " + e.Kind + ", not a regular file" }

// readRegular reads the whole regular file at path, of at most limit bytes. It
// opens the path with O_NONBLOCK, so that a FIFO cannot block the open (which
// waits for a writer otherwise), and refuses anything but a regular file before
// reading a byte: FIFOs, devices such as /dev/zero, directories. A manifest
// load never waits on another process this way. This is what file(), the .env
// of a Procfile and the user and group databases are read with.
func readRegular(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &notRegularError{Kind: fileKind(fi.Mode())}
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%w: %d bytes, more than %d MiB", errTooLarge, fi.Size(), limit>>20)
	}
	return readUpTo(f, limit) // it may have grown since the Stat
}

// fileKind names the type of a file that is not a regular one, for messages.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// readLimited reads the whole file at path, failing with errTooLarge rather than
// reading more than limit bytes (files such as /dev/zero never end). It reads
// what readRegular refuses (a pipe such as /dev/stdin), and so may wait for a
// writer: only the manifest itself is read this way, and never where waiting
// would block svman (see cmd/svman's reload).
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readUpTo(f, limit)
}

// readUpTo reads r to its end, failing with errTooLarge past limit bytes.
func readUpTo(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: more than %d MiB", errTooLarge, limit>>20)
	}
	return data, nil
}
