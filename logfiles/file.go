package logfiles

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"svman/logmux"
)

const (
	// fileBufSize is the write buffer of a File: a pump's read chunk of lines fits many
	// times over, so a busy module costs one write per Flush, not one per line.
	fileBufSize = 64 << 10
	// rotateRetry is how long a File waits after a failed rotation before it tries again,
	// so that a broken directory costs a few syscalls a second, not a few per line.
	rotateRetry = time.Second
)

// FileOptions configures a module's log file.
type FileOptions struct {
	Timestamps bool             // prefix each line with TimestampLayout + " " (default in the manifest: true)
	MaxSize    int64            // rotate when the file would pass this many bytes; 0: never
	Keep       int              // rotated files to keep (older ones deleted); 0: keep none
	Now        func() time.Time // nil: time.Now (tests pass a clock)
	// Mode is the permission of the file (and of its rotations); 0 means 0600. An
	// existing regular file is set to it when opened, and at once by SetOptions.
	Mode os.FileMode
	// Format is how lines are written: Text (the default) or JSON. Module,
	// Stream and ParseJSON are what JSON records say (see FormatJSON); a
	// change of Format ends the line under way.
	Format    Format
	Module    string
	Stream    logmux.Stream
	ParseJSON bool
}

// mode is the file's permission.
func (o FileOptions) mode() os.FileMode {
	if o.Mode == 0 {
		return 0o600
	}
	return o.Mode.Perm()
}

// File is one module stream's log file (e.g. status/web/__stdout), appended to,
// rotated when it passes MaxSize. Safe for concurrent use (after a restart, the old
// child's pump may still be writing while the new child's pump starts).
//
// Every line is written as TimestampLayout + " " + line + "\n" (or line + "\n"
// without timestamps). The bytes of a line are written as they came: "\r", NUL and
// invalid UTF-8 included. A line is written whole, however it came: in
// logmux.MaxLine pieces, or in pieces between which the child paused, until its
// newline (or the end of its stream), up to MaxFileLine. The pieces of a line are
// written as they come, so a paused line is on disk, without its newline, while it
// waits for the rest. Lines are whole as long as the pieces of a line come from one
// writer at a time: File cannot tell writers apart, so a line from another writer
// arriving between two pieces of a line lands inside it.
//
// When writing a line would make the file pass MaxSize, and the file is not empty,
// and no line is half written, the file is renamed to [RotatedName] and a new one
// is started: no byte is lost or written twice. Rotated files beyond Keep, oldest
// first, are then deleted in the background (Close waits for that).
//
// Write and rotation errors never stop or block the writer: the bytes that could
// not be written are dropped and the error is kept for [File.Err].
type File struct {
	mu   sync.Mutex
	dir  Dir
	name string      // in dir
	opts FileOptions // opts.Now is never nil

	f        *os.File
	buf      []byte  // bytes not yet written to f; cap fileBufSize; nil between reads
	bufp     *[]byte // where buf came from in fileBufs
	size     int64   // size of the file with buf written out
	midLine  bool    // a line is under way: written in part, its newline still to come
	lineLen  int64   // bytes of the line under way, its timestamp not counted
	detached string  // the name f was renamed to, while no new file could be opened yet
	parked   bool    // f was closed to give its slot back (SetMaxOpen): reopened as it is
	retryAt  time.Time
	closed   bool
	err      error // the last error since Err

	// The formatted TimestampLayout of millisecond tsMilli: formatted once per
	// millisecond, not once per line.
	tsMilli int64
	ts      []byte

	json *jsonLine // Format JSON: the line under way, and its record (filejson.go); made at its first line

	// Pruning of old rotated files runs in one goroutine at a time, off the writer's path.
	pruning    bool // a pruner goroutine runs
	pruneAgain bool // a rotation happened since the pruner listed the directory
	pruneWG    sync.WaitGroup

	used atomic.Int64 // when the file was last used, on openFiles' clock
}

// OpenFile opens path for appending (O_APPEND|O_CREATE, mode o.Mode, never through a link) and picks up the
// existing file's size. If the existing file ends in the middle of a line (a writer died
// half way through a long line), a newline is added first, so the next line starts a line.
func OpenFile(path string, o FileOptions) (*File, error) {
	lf := NewFile(path, o)
	lf.mu.Lock()
	err := lf.open()
	lf.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return lf, nil
}

// NewFile returns the File of path, opened as OpenFile opens it only when the first line
// comes: a module that never writes costs no descriptor. svman holds a module's log files
// for the life of its supervision, open while the bound of SetMaxOpen allows, and every
// descriptor svman holds is one more that each fork copies and each exec closes. A failed open is kept for Err, and tried again at the
// next line; the line is dropped.
func NewFile(path string, o FileOptions) *File {
	return NewFileIn(pathDir(filepath.Dir(path)), filepath.Base(path), o)
}

// NewFileIn is NewFile for the file name in dir: svman passes the module's status
// directory, so that the file and its rotations are reached through its descriptor.
func NewFileIn(dir Dir, name string, o FileOptions) *File {
	lf := &File{dir: dir, name: name}
	lf.setOptions(o)
	return lf
}

// pathName is the file's path, for messages: made when one is, rather than
// kept by every module's files.
func (f *File) pathName() string { return filepath.Join(f.dir.Path(), f.name) }

// open opens the file, or the one it was renamed to while rotation could not
// open a new one. A file given back by park is reopened as it was: its line
// under way goes on. The caller holds f.mu.
func (f *File) open() error {
	name := f.name
	if f.detached != "" {
		name = f.detached
	}
	fh, err := f.openFile(name)
	if err != nil {
		return err
	}
	fi, err := fh.Stat()
	if err != nil {
		fh.Close()
		return err
	}
	f.f, f.size = fh, fi.Size()
	if f.parked {
		f.parked = false
		return nil
	}
	if !endsLine(fh, f.size) {
		f.takeBuf()
		f.buf = append(f.buf, '\n')
		f.size++
	}
	return nil
}

// openFile opens the file name for appending (read too, for endsInNewline) and gives an
// existing regular file the mode of the options. The caller holds f.mu.
func (f *File) openFile(name string) (*os.File, error) {
	fh, err := f.dir.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_RDWR, f.opts.mode())
	if err != nil {
		return nil, err
	}
	f.setMode(fh)
	return fh, nil
}

// setMode gives fh, if it is a regular file, the mode of the options.
func (f *File) setMode(fh *os.File) {
	if fi, err := fh.Stat(); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm() != f.opts.mode() {
		_ = fh.Chmod(f.opts.mode())
	}
}

// SetOptions changes the options (a manifest reload may change them); they apply from the next
// line. A smaller Keep takes effect at the next rotation.
func (f *File) SetOptions(o FileOptions) {
	f.mu.Lock()
	if o.Format != f.opts.Format && f.midLine && !f.closed {
		// A parked file is opened again to end its line; openLocked may let
		// other writers in meanwhile.
		err := f.openLocked()
		switch {
		case err != nil && !f.closed:
			// The line is dropped, or (Text) ended by the repair of the next open.
			f.err, f.parked, f.midLine, f.lineLen = err, false, false, 0
			if f.json != nil { // made at a JSON file's first line only
				f.json.line = f.json.line[:0]
			}
		case err == nil && o.Format != f.opts.Format && f.midLine:
			f.endFormat()
		}
	}
	f.setOptions(o)
	if f.f != nil {
		f.setMode(f.f)
	}
	f.mu.Unlock()
}

func (f *File) setOptions(o FileOptions) {
	if o.Now == nil {
		o.Now = time.Now
	}
	f.opts = o
	if f.json != nil {
		f.json.head = nil // Module or Stream may have changed
	}
}

// MaxFileLine is the longest line a log file holds. A line that goes on past it (a
// child writing for ever without a newline) is cut there: the piece ends in
// logmux.CutMarker (as a cut piece does on the console) and the line goes on as the
// file's next line, with its own timestamp. So `svman logs` never holds more of a
// line than this, and a file whose line never ends still rotates.
const MaxFileLine = 16 << 20

// Line writes one piece of a line as logmux's line splitting (logmux.Lines) emits
// it: the pieces of a line (Cut and Pause ones, then the Newline or PauseEnd one)
// join back into the line, written with one timestamp (the first piece's) and one
// newline, up to MaxFileLine. The write is buffered; errors are kept for Err. The
// slice is not retained. Its signature matches the splitter's emit.
func (f *File) Line(line []byte, end logmux.End) {
	f.LineAt(time.Time{}, 0, line, end)
}

// LineAt is Line for a piece that arrived at t, written by the child pid (0:
// not known; only JSON records say it): the lines of one read share one time,
// read once. A zero t means now.
func (f *File) LineAt(t time.Time, pid int, line []byte, end logmux.End) {
	f.mu.Lock()
	if err := f.openLocked(); err != nil {
		f.err = err
		f.mu.Unlock()
		return
	}
	if f.buf == nil {
		f.takeBuf()
	}
	if f.opts.Format == JSON {
		f.jsonPiece(t, pid, line, end)
		f.mu.Unlock()
		return
	}
	for room := MaxFileLine - f.lineLen; int64(len(line)) > room; room = MaxFileLine {
		f.piece(&t, line[:room], false)
		f.put([]byte(logmux.CutMarker))
		f.endLine()
		line = line[room:]
	}
	switch end {
	case logmux.Newline:
		f.piece(&t, line, true)
		f.endLine()
	case logmux.PauseEnd:
		if f.midLine {
			f.endLine()
		}
	default:
		f.piece(&t, line, false)
	}
	f.mu.Unlock()
}

// piece writes b as part of the line under way, after the timestamp when it starts
// the line (and after a rotation, if the line would take the file past MaxSize).
// last: the line ends with b. A zero *t is set from the clock when a time is needed.
// The caller holds f.mu.
func (f *File) piece(t *time.Time, b []byte, last bool) {
	if !f.midLine {
		n := int64(len(b))
		if last {
			n++ // the newline
		}
		if f.opts.Timestamps {
			if t.IsZero() {
				*t = f.opts.Now()
			}
			f.stamp(*t)
			n += int64(len(f.ts))
		}
		if f.opts.MaxSize > 0 && f.size > 0 && f.size+n > f.opts.MaxSize {
			if t.IsZero() {
				*t = f.opts.Now()
			}
			f.rotate(*t)
		}
		if f.opts.Timestamps {
			f.put(f.ts)
		}
		f.midLine = true
	}
	f.put(b)
	f.lineLen += int64(len(b))
}

// endLine ends the line under way with its newline. The caller holds f.mu.
func (f *File) endLine() {
	if len(f.buf) == cap(f.buf) {
		f.flushLocked()
	}
	f.buf = append(f.buf, '\n')
	f.size++
	f.midLine, f.lineLen = false, 0
}

// stamp sets f.ts to t formatted with TimestampLayout, plus the space that follows it.
func (f *File) stamp(t time.Time) {
	if ms := t.UnixMilli(); ms != f.tsMilli || len(f.ts) == 0 {
		f.tsMilli = ms
		f.ts = append(t.AppendFormat(f.ts[:0], TimestampLayout), ' ')
	}
}

// put buffers p, writing the buffer out first when p does not fit; a p as large as the
// buffer is written straight to the file. The caller holds f.mu.
func (f *File) put(p []byte) {
	f.size += int64(len(p))
	if len(f.buf)+len(p) <= cap(f.buf) {
		f.buf = append(f.buf, p...)
		return
	}
	f.flushLocked()
	if len(p) < cap(f.buf) {
		f.buf = append(f.buf, p...)
		return
	}
	f.write(p)
}

// Flush writes the buffer out. The error is also kept for Err.
//
// Flush also gives the buffer back to a pool shared by all files: a module that
// is quiet between two reads holds no buffer, so a thousand idle modules cost no
// 64 KiB each.
func (f *File) Flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return fmt.Errorf("log file %s: %w", f.pathName(), os.ErrClosed)
	}
	openFiles.touch(f)
	err := f.flushLocked()
	f.releaseBuf()
	return err
}

// flushLocked writes the buffer out and empties it, even when the write fails: the bytes
// that could not be written are dropped rather than kept growing. The caller holds f.mu.
func (f *File) flushLocked() error {
	if len(f.buf) == 0 {
		return nil
	}
	err := f.write(f.buf)
	f.buf = f.buf[:0]
	return err
}

// write writes p to the file, keeping a failure for Err and taking what was not
// written off the size. The caller holds f.mu.
func (f *File) write(p []byte) error {
	if f.f == nil {
		// A rotation could open neither the new file nor the renamed one (the
		// directory is gone): these bytes are lost, and f.err says why; the
		// next line opens the file again.
		f.size -= int64(len(p))
		return f.err
	}
	n, err := f.f.Write(p)
	if err != nil {
		f.size -= int64(len(p) - n)
		f.err = err
	}
	return err
}

// Err returns the last write or rotation error since the previous call, and clears it.
func (f *File) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	err := f.err
	f.err = nil
	return err
}

// Close flushes and closes the file, after waiting for the pruning of rotated files.
// Lines written after Close are dropped (Err reports it). Closing twice returns an error
// wrapping os.ErrClosed.
func (f *File) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return fmt.Errorf("log file %s: %w", f.pathName(), os.ErrClosed)
	}
	f.closed = true
	err := f.flushLocked()
	if f.f != nil {
		err = errors.Join(err, f.f.Close())
		f.f = nil
	}
	f.buf = nil
	openFiles.release(f)
	f.mu.Unlock()
	f.pruneWG.Wait()
	return err
}
