package logfiles

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"svman/logmux"
)

// Files returns the log files of one stream of the module whose status directory is
// dir, in the order they were written: the rotated ones, oldest first, then the
// current one if it exists. A directory that does not exist has no files.
func Files(dir string, s logmux.Stream) ([]string, error) {
	path := filepath.Join(dir, FileName(s))
	names, err := rotatedFiles(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err == nil {
		names = append(names, path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return names, nil
}

// rotatedFiles is RotatedFiles, but a directory that does not exist has none.
func rotatedFiles(path string) ([]string, error) {
	names, err := RotatedFiles(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return names, err
}

// lastLines returns the offset in f, of the given size, where its last n lines
// start, and how many lines it holds from there (n, or fewer when the whole file has
// fewer). A last line without its newline counts.
func lastLines(f *os.File, size int64, n int) (off int64, found int, err error) {
	if size == 0 || n <= 0 {
		return size, 0, nil
	}
	buf := make([]byte, 64<<10)
	end := size
	if _, err := f.ReadAt(buf[:1], size-1); err != nil {
		return 0, 0, err
	}
	if buf[0] == '\n' {
		end-- // the newline that ends the last line
	}
	found = 1
	for end > 0 {
		start := max(end-int64(len(buf)), 0)
		chunk := buf[:end-start]
		if _, err := f.ReadAt(chunk, start); err != nil && err != io.EOF {
			return 0, 0, err
		}
		for i := len(chunk) - 1; i >= 0; i-- {
			if chunk[i] != '\n' {
				continue
			}
			if found == n {
				return start + int64(i) + 1, n, nil
			}
			found++
		}
		end = start
	}
	return 0, found, nil
}
