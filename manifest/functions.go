package manifest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// evalContext returns the context manifest expressions are evaluated in: no
// variables, and the functions listed in doc.go. baseDir is the manifest's
// absolute directory, which file() resolves relative paths against. A new context
// is built for every Load because file() depends on baseDir.
func evalContext(baseDir string) *hcl.EvalContext {
	return &hcl.EvalContext{Functions: map[string]function.Function{
		"env":  envFunc(),
		"file": fileFunc(baseDir),

		"abs":        stdlib.AbsoluteFunc,
		"chomp":      stdlib.ChompFunc,
		"coalesce":   stdlib.CoalesceFunc,
		"concat":     stdlib.ConcatFunc,
		"contains":   stdlib.ContainsFunc,
		"distinct":   stdlib.DistinctFunc,
		"flatten":    stdlib.FlattenFunc,
		"format":     stdlib.FormatFunc,
		"formatlist": stdlib.FormatListFunc,
		"indent":     stdlib.IndentFunc,
		"join":       stdlib.JoinFunc,
		"jsondecode": stdlib.JSONDecodeFunc,
		"jsonencode": stdlib.JSONEncodeFunc,
		"keys":       stdlib.KeysFunc,
		"length":     stdlib.LengthFunc,
		"lower":      stdlib.LowerFunc,
		"max":        stdlib.MaxFunc,
		"merge":      stdlib.MergeFunc,
		"min":        stdlib.MinFunc,
		"range":      stdlib.RangeFunc,
		"replace":    stdlib.ReplaceFunc,
		// reverse reverses a list, as in Terraform; strrev reverses a string.
		"reverse":   stdlib.ReverseListFunc,
		"strrev":    stdlib.ReverseFunc,
		"sort":      stdlib.SortFunc,
		"split":     stdlib.SplitFunc,
		"substr":    stdlib.SubstrFunc,
		"title":     stdlib.TitleFunc,
		"trimspace": stdlib.TrimSpaceFunc,
		"upper":     stdlib.UpperFunc,
		"values":    stdlib.ValuesFunc,
	}}
}

// envFunc is env(name) or env(name, default): the value of an environment
// variable of svman's own process, read at load time. Unset gives "" (or default);
// so does a variable set to "" when a default is given, because an empty value is
// almost always as good as unset for configuration. The value is marked
// sensitive, the default too (so a message cannot tell which it was).
func envFunc() function.Function {
	return function.New(&function.Spec{
		Description: "Returns the value of an environment variable of svman, or a default.",
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		VarParam:    &function.Parameter{Name: "default", Type: cty.String},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 2 {
				return cty.NilVal, function.NewArgErrorf(2, "env takes a name and at most one default, such as env(%q, %q)", "PORT", "8080")
			}
			val := os.Getenv(args[0].AsString())
			if val == "" && len(args) == 2 {
				return args[1].Mark(sensitive), nil
			}
			return cty.StringVal(val).Mark(sensitive), nil
		},
	})
}

// fileFunc is file(path): the contents of a UTF-8 text file, with a relative path
// taken from baseDir (the manifest's directory, not svman's working directory, so
// that a manifest means the same thing wherever svman is started). It reads
// regular files of at most maxFileSize bytes only, and returns at once for
// anything else (readRegular): a FIFO must not hold up a load. The contents are
// marked sensitive; so is the path in its errors when it is (file(env("X"))).
func fileFunc(baseDir string) function.Function {
	return function.New(&function.Spec{
		Description: "Returns the contents of a text file; relative paths start at the manifest's directory.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String, AllowMarked: true}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			arg, marks := args[0].Unmark()
			name := arg.AsString()
			shown := strconv.Quote(name)
			if marks.Has(sensitive) {
				shown = "(sensitive value)"
			}
			path := name
			if !filepath.IsAbs(path) {
				path = filepath.Join(baseDir, path)
			}
			data, err := readRegular(path, maxFileSize)
			var notRegular *notRegularError
			switch {
			case errors.As(err, &notRegular):
				return cty.NilVal, function.NewArgErrorf(0, "cannot read %s: %s. file() reads only regular files, of at most %d MiB: a FIFO or a device could make svman wait, or read forever. Name a regular file (relative paths start at the manifest's directory)", shown, errorText(err), maxFileSize>>20)
			case errors.Is(err, errTooLarge):
				return cty.NilVal, function.NewArgErrorf(0, "cannot read %s: %s; file() reads files of at most %d MiB. Name a smaller file", shown, errorText(err), maxFileSize>>20)
			case err != nil:
				// The error names the path as written, not the absolute one: that is
				// what the user typed and it keeps messages the same on every machine.
				return cty.NilVal, function.NewArgErrorf(0, "cannot read %s (relative paths start at the manifest's directory): %s", shown, errorText(err))
			}
			if !utf8.Valid(data) {
				return cty.NilVal, function.NewArgErrorf(0, "%s is not UTF-8 text; file() only reads text files", shown)
			}
			return cty.StringVal(string(data)).Mark(sensitive), nil
		},
	})
}

// errorText is err without the path an *fs.PathError repeats, since every caller
// names the path itself.
func errorText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
