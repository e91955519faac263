package export

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"svman/internal/atomicfile"
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
	return comment + headerStart + manifestPath + headerEnd
}

// The words of Header around the manifest's path.
const (
	headerStart = " Made by svman export from "
	headerEnd   = ": edit the manifest and export again.\n"
)

// headerManifest is the manifest a header line names, whatever its comment
// mark; ok is false for a line that is no header.
func headerManifest(line string) (path string, ok bool) {
	_, rest, ok := strings.Cut(line, headerStart)
	if !ok || !strings.HasSuffix(rest, headerEnd) {
		return "", false
	}
	return strings.TrimSuffix(rest, headerEnd), true
}

// WriteDir writes files into dir (made if missing), each as a whole: a
// reader never sees half a file. A file in dir whose first line is header,
// so made by an earlier export of the same manifest, and not among files
// (the unit of a module since removed) is deleted; removed names those.
// Files people wrote, or exports of other manifests, are left alone, and
// never overwritten: when one has the name of one of files, WriteDir writes
// nothing at all and returns a *ForeignFilesError naming each such file.
func WriteDir(dir, header string, files []File, perm os.FileMode) (removed []string, err error) {
	if err := checkOwn(dir, header, files); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := atomicfile.Write(filepath.Join(dir, f.Name), f.Data, perm); err != nil {
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
		if firstLine(path) != header {
			continue
		}
		if err := os.Remove(path); err != nil {
			return removed, err
		}
		removed = append(removed, name)
	}
	return removed, nil
}

// ForeignFilesError is WriteDir's refusal to overwrite files that an export
// of the manifest did not write: it wrote nothing.
type ForeignFilesError struct {
	Dir string
	// Manifest is the manifest being exported, as its header names it.
	Manifest string
	Files    []ForeignFile
}

// ForeignFile is a file in the way of an export.
type ForeignFile struct {
	Name string
	// From is the manifest whose export wrote the file; "" for a file no
	// export wrote (by hand, or by another tool), or that is not a regular
	// file (a symbolic link, a directory).
	From string
	// Regular is false for what is not a regular file.
	Regular bool
}

func (e *ForeignFilesError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "nothing written to %s: the export of %s would overwrite files it did not write:", e.Dir, e.Manifest)
	for _, f := range e.Files {
		b.WriteString("\n  " + filepath.Join(e.Dir, f.Name) + ": ")
		switch {
		case !f.Regular:
			b.WriteString("not a regular file")
		case f.From != "":
			b.WriteString("written by svman export from " + f.From)
		default:
			b.WriteString("not written by svman export (by hand, or by another tool)")
		}
	}
	b.WriteString("\nExport into another directory; or give another --project, when the file is the project's own (its target, its alarm template); or remove the file.")
	return b.String()
}

// checkOwn returns a *ForeignFilesError naming each of files that dir holds
// and that does not start with header, or nil when there are none.
func checkOwn(dir, header string, files []File) error {
	var foreign []ForeignFile
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		fi, err := os.Lstat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return err
		case !fi.Mode().IsRegular():
			foreign = append(foreign, ForeignFile{Name: f.Name})
		default:
			if line := firstLine(path); line != header {
				from, _ := headerManifest(line)
				foreign = append(foreign, ForeignFile{Name: f.Name, From: from, Regular: true})
			}
		}
	}
	if foreign == nil {
		return nil
	}
	mine, _ := headerManifest(header)
	return &ForeignFilesError{Dir: dir, Manifest: mine, Files: foreign}
}

// WriteFile writes data to path as a whole. A file already at path is
// replaced only when made says an earlier export of the same manifest wrote
// it (its bytes are made's argument); anything else is an error that says
// so, and nothing is written.
func WriteFile(path string, data []byte, perm os.FileMode, made func(old []byte) bool) error {
	switch old, err := os.ReadFile(path); {
	case err == nil && !made(old):
		return fmt.Errorf("%s exists, and no export of this manifest wrote it: svman export never writes over it. Give -o another file, or remove it first", path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, data, perm)
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

// firstLine is the first line of the file at path, with its newline, as
// far as a header's length goes; "" when it cannot be read.
func firstLine(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, 4096+len(headerStart)+len(headerEnd))
	n, _ := io.ReadFull(f, buf)
	line, _, _ := bytes.Cut(buf[:n], []byte("\n"))
	return string(line) + "\n"
}
