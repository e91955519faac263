package manifest

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Metrics is the top-level metrics block: where svman keeps its metrics
// besides answering a scrape.
type Metrics struct {
	// Textfile is the absolute path of the file svman keeps its metrics in, in
	// the Prometheus text format, for node_exporter's textfile collector; ""
	// when the manifest sets none. Its directory exists when the manifest is
	// loaded.
	Textfile string
}

// rawMetrics is the top-level metrics block.
type rawMetrics struct {
	DefRange hcl.Range      `hcl:",def_range"`
	Textfile hcl.Expression `hcl:"textfile,optional"`
}

// metrics evaluates the top-level metrics block. textfile is a path, relative
// to the manifest's directory, in a directory that exists, with the ".prom"
// name node_exporter reads.
func (ev *evaluator) metrics(blocks []*rawMetrics, baseDir string) Metrics {
	r := onlyOne(ev, "metrics", blocks, func(r *rawMetrics) hcl.Range { return r.DefRange })
	if r == nil {
		return Metrics{}
	}
	p := ev.path("textfile", r.Textfile, baseDir)
	if p == nil {
		return Metrics{}
	}
	rng := r.Textfile.Range()
	const how = `node_exporter's textfile collector reads the *.prom files of the directory given to it with --collector.textfile.directory, such as "/var/lib/node_exporter/svman.prom".`
	if !strings.HasSuffix(*p, ".prom") || filepath.Base(*p) == ".prom" {
		ev.errorf(rng, "Invalid textfile", "textfile must name a file ending in .prom, not %s: %s", ev.quote(rng, *p), how)
		return Metrics{}
	}
	dir := filepath.Dir(*p)
	switch fi, err := os.Stat(dir); {
	case err != nil:
		ev.errorf(rng, "Invalid textfile", "The directory of textfile, %s, cannot be used: %v. Create it, or name a file in a directory that exists. %s", dir, err, how)
		return Metrics{}
	case !fi.IsDir():
		ev.errorf(rng, "Invalid textfile", "The directory of textfile, %s, is not a directory. %s", dir, how)
		return Metrics{}
	}
	if fi, err := os.Stat(*p); err == nil && fi.IsDir() {
		ev.errorf(rng, "Invalid textfile", "textfile %s is a directory; name the file svman writes in it, such as %q.", *p, filepath.Join(*p, "svman.prom"))
		return Metrics{}
	}
	return Metrics{Textfile: *p}
}
