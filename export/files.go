package export

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// File is one file of an export: its name, without a directory, and its
// bytes.
type File struct {
	Name string
	Data []byte
}

// Header is the first line of every file an export writes: it names the
// manifest, so a later export of the same manifest knows its own files from
// the ones people wrote (see WriteDir). comment is the target's comment
// mark ("#").
func Header(comment, manifestPath string) string {
	return comment + " Made by svman export from " + manifestPath + ": edit the manifest and export again.\n"
}

// WriteDir writes files into dir (made if missing), each as a whole: a
// reader never sees half a file. A file in dir whose first line is header,
// so made by an earlier export of the same manifest, and not among files
// (the unit of a module since removed) is deleted; removed names those.
// Files people wrote, or exports of other manifests, are left alone.
func WriteDir(dir, header string, files []File) (removed []string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := writeWhole(filepath.Join(dir, f.Name), f.Data); err != nil {
			return nil, err
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || slices.ContainsFunc(files, func(f File) bool { return f.Name == name }) {
			continue
		}
		path := filepath.Join(dir, name)
		if !startsWith(path, header) {
			continue
		}
		if err := os.Remove(path); err != nil {
			return removed, err
		}
		removed = append(removed, name)
	}
	return removed, nil
}

// WriteFile writes data to path as a whole.
func WriteFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return writeWhole(path, data)
}

// Print writes files to w for a reader: each after a line naming it, in the
// target's comment mark.
func Print(w io.Writer, comment string, files []File) error {
	var b bytes.Buffer
	for i, f := range files {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s %s\n", comment, f.Name)
		b.Write(f.Data)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeWhole writes data to a temporary file beside path and renames it
// over path, so path holds either its old bytes or the new ones.
func writeWhole(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// startsWith reports whether the file at path begins with prefix.
func startsWith(path, prefix string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, len(prefix))
	n, _ := io.ReadFull(f, buf)
	return n == len(prefix) && string(buf) == prefix
}
