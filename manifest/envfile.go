package manifest

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// env_file = [".env", ".env.local?"] gives a module the variables of env files
// (dotenv.go), in that order, under its env: svman's environment < the env
// files in order < env. A relative path starts at the manifest's directory; a
// trailing "?" makes the file optional, so that a missing one is skipped. A
// module's list comes after the defaults' list (duplicates dropped), unless
// inherit_defaults = false. A ${NAME} in a file is its earlier lines' NAME,
// else the module's earlier env files', else svman's own environment's.

// envFileRef is one element of an env_file list.
type envFileRef struct {
	path     string    // absolute and clean
	name     string    // as diagnostics name the file: beside the manifest's name as given
	written  string    // as the element says, without its "?"
	optional bool      // written with a trailing "?"
	at       hcl.Range // the element, for a missing or unreadable file
}

// envFiles evaluates an env_file list; nil when unset.
func (ev *evaluator) envFiles(expr hcl.Expression, baseDir string) []envFileRef {
	list := ev.strList("env_file", expr)
	if list == nil {
		return nil
	}
	refs := make([]envFileRef, 0, len(*list))
	for i, s := range *list {
		rng := elemRange(expr, i)
		p, optional := strings.CutSuffix(s, "?")
		if p == "" {
			ev.errorf(rng, "Invalid env_file element",
				"%s is not a file path. env_file lists env files such as \".env\", with a trailing \"?\" for one that may be missing (\".env.local?\"); relative paths start at the manifest's directory.", ev.quote(rng, s))
			continue
		}
		ref := envFileRef{path: p, name: p, written: p, optional: optional, at: rng}
		if !filepath.IsAbs(p) {
			ref.path = filepath.Join(baseDir, p)
			ref.name = filepath.Join(filepath.Dir(ev.filename), p)
		}
		ref.path = filepath.Clean(ref.path)
		refs = append(refs, ref)
	}
	return refs
}

// mergeEnvFiles is the defaults' env files, then the module's, each file once
// (where it first comes), required if any of its mentions is (and then
// reported, when missing, where it is required).
func mergeEnvFiles(def, mod []envFileRef) []envFileRef {
	if def == nil && mod == nil {
		return nil
	}
	out := make([]envFileRef, 0, len(def)+len(mod))
	at := map[string]int{}
	for _, r := range slices.Concat(def, mod) {
		if i, ok := at[r.path]; ok {
			if out[i].optional && !r.optional {
				out[i].optional, out[i].at = false, r.at
			}
			continue
		}
		at[r.path] = len(out)
		out = append(out, r)
	}
	return out
}

// envFileSet holds every env file one load reads, each read and parsed once
// however many modules name it, for the modules' environments, the manifest's
// Sources and Digest, and the diagnostics' files.
type envFileSet struct {
	files    map[string]*envFile // by absolute path
	reported map[hcl.Range]bool  // the elements already reported as missing or unreadable
}

// envFile is one env file as read.
type envFile struct {
	name string
	src  []byte
	err  error // nil when read; fs.ErrNotExist is missing
	vars []dotenvVar
}

// moduleEnv is env on top of the variables of the module's env files; nil
// when empty. Each file is read, and its syntax reported, once per load; a
// missing required file or an unreadable one is reported at the element of
// env_file that names it.
func (ev *evaluator) moduleEnv(refs []envFileRef, env map[string]string) map[string]string {
	merged := map[string]string{}
	for _, ref := range refs {
		f := ev.envFile(ref)
		if f.err != nil {
			if !ref.optional || !errors.Is(f.err, fs.ErrNotExist) {
				ev.envFileProblem(ref, f.err)
			}
			continue
		}
		maps.Copy(merged, expandDotEnv(f.vars, func(k string) (string, bool) {
			if v, ok := merged[k]; ok {
				return v, true
			}
			return os.LookupEnv(k)
		}))
	}
	maps.Copy(merged, env)
	return nilIfEmpty(merged)
}

// envFile reads and parses the file ref names, the first time it is named.
func (ev *evaluator) envFile(ref envFileRef) *envFile {
	set := &ev.envFileSet
	if f, ok := set.files[ref.path]; ok {
		return f
	}
	if set.files == nil {
		set.files, set.reported = map[string]*envFile{}, map[hcl.Range]bool{}
	}
	f := &envFile{name: ref.name}
	set.files[ref.path] = f
	f.src, f.err = readRegular(ref.path, maxFileSize)
	if f.err == nil {
		var diags hcl.Diagnostics
		f.vars, diags = parseDotEnv(f.src, f.name)
		ev.diags = append(ev.diags, diags...)
	}
	return f
}

// envFileProblem reports, once per element of env_file, why the file it
// names cannot be used.
func (ev *evaluator) envFileProblem(ref envFileRef, err error) {
	if ev.envFileSet.reported[ref.at] {
		return
	}
	ev.envFileSet.reported[ref.at] = true
	shown := strconv.Quote(ref.name)
	var notRegular *notRegularError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		ev.errorf(ref.at, "Env file not found",
			"There is no file %s (relative paths start at the manifest's directory). Create it, correct the path, or end it with \"?\" (%s) if the file may be missing.", shown, strconv.Quote(ref.written+"?"))
	case errors.As(err, &notRegular):
		ev.errorf(ref.at, "Cannot read env file",
			"Cannot read %s: %s. An env file must be a regular file: a FIFO or a device could make svman wait, or read forever.", shown, errorText(err))
	case errors.Is(err, errTooLarge):
		ev.errorf(ref.at, "Env file too large", "Cannot read %s: %s; an env file may be at most %d MiB. Check that this is the right file.", shown, errorText(err), maxFileSize>>20)
	case errors.Is(err, fs.ErrPermission):
		ev.errorf(ref.at, "Cannot read env file", "Cannot read %s: permission denied. Make it readable by the user svman runs as.", shown)
	default:
		ev.errorf(ref.at, "Cannot read env file", "Cannot read %s: %s. Check the path and its directories.", shown, errorText(err))
	}
}

// otherSource reads path, a file the manifest is made of that is not an env
// file (the api block's token_file, tls_cert and tls_key), once a load, so
// that it is in the manifest's Sources and Digest: svman up watches it, and
// an edit of it (a new token, a renewed certificate) is a reload.
func (ev *evaluator) otherSource(path string) ([]byte, error) {
	set := &ev.envFileSet
	if f, ok := set.files[path]; ok {
		return f.src, f.err
	}
	if set.files == nil {
		set.files, set.reported = map[string]*envFile{}, map[hcl.Range]bool{}
	}
	f := &envFile{name: path}
	f.src, f.err = readRegular(path, maxFileSize)
	set.files[path] = f
	return f.src, f.err
}

// sources is the sorted absolute paths of every file read beside the
// manifest (env files, otherSource); nil when none.
func (set *envFileSet) sources() []string {
	if len(set.files) == 0 {
		return nil
	}
	return slices.Sorted(maps.Keys(set.files))
}

// digest is the SHA-256 of the manifest's text, src, alone when it names no
// env file, else of src and every env file as read (or missing).
func (set *envFileSet) digest(src []byte) [32]byte {
	if len(set.files) == 0 {
		return sha256.Sum256(src)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s", len(src), src)
	for _, p := range set.sources() {
		f := set.files[p]
		if f.err == nil {
			fmt.Fprintf(h, "%s\x00+%d\x00%s", p, len(f.src), f.src)
		} else { // missing (unreadable fails the load)
			fmt.Fprintf(h, "%s\x00-", p)
		}
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}
