// Command bench measures svman against the supervisors it replaces, side by side
// in one run, and writes the figures as ratios to bench/results.md. `make bench`
// installs the peers (bench/install-peers.sh) and runs it; it needs root for the
// kernel's process events.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// peers is every tool the harness knows, svman first.
func peers() []peer {
	return []peer{
		svmanPeer{}, svmanPeer{console: consoleStdout}, svmanPeer{console: consoleFile}, svmanPeer{console: consoleCat},
		daemontoolsPeer{}, runitPeer{}, s6Peer{}, supervisordPeer{}, goremanPeer{}, processComposePeer{},
	}
}

// peerInfo is a peer and what its setup found.
type peerInfo struct {
	p       peer
	version string
	skip    error
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "emit" {
		if err := emitMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench emit:", err)
			os.Exit(1)
		}
		select {} // stopped by the tool under test, never restarted by it
	}
	if len(os.Args) > 1 && os.Args[1] == "pace" {
		err := paceMain(os.Args[2:])
		fmt.Fprintln(os.Stderr, "bench pace:", err)
		os.Exit(1)
	}
	if len(os.Args) > 1 && os.Args[1] == "listen" {
		err := listenMain(os.Args[2:])
		fmt.Fprintln(os.Stderr, "bench listen:", err)
		os.Exit(1)
	}
	if len(os.Args) > 1 && os.Args[1] == "forkloop" {
		err := forkLoopMain(os.Args[2:])
		fmt.Fprintln(os.Stderr, "bench forkloop:", err)
		os.Exit(1)
	}
	if err := benchMain(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func benchMain() error {
	var (
		figures  = flag.String("figures", "restart,memory,idle,startstop,logs,reload,scale,ready,health,top", "the figures to measure, separated by commas")
		only     = flag.String("peers", "", "measure only these tools, separated by commas (svman is always measured, and in the restart figures the fork+exec+wait baseline)")
		peerDir  = flag.String("peer-dir", "bench/.peers", "where install-peers.sh put the peers")
		svman    = flag.String("svman", "bin/svman", "the svman binary to measure")
		before   = flag.String("before", "", "a second svman binary, measured as the tool \"svman (before)\" in the restart, memory, startstop and scale figures, so that one run compares two builds (ratios stay svman ÷ tool)")
		out      = flag.String("out", "bench/results.md", "where to write the results")
		kills    = flag.Int("kills", 30, "restart figures: kills per tool (of different modules, then of the same one)")
		idle     = flag.Duration("idle", 20*time.Second, "idle figure: how long to watch")
		rounds   = flag.Int("rounds", 5, "cold start, shutdown, log, reload and ready chain figures: rounds per tool")
		logLines = flag.Int("log-lines", 250_000, "log figure: lines per module")
		memSizes = flag.String("memory-sizes", "1,100,1000", "memory figure: module counts")
		scaleN   = flag.String("scale-sizes", "100,1000,3000,10000", "scale figure: svman's module counts, tried smallest first until one fails")
		healthN  = flag.Int("health-modules", 1000, "health figure: modules")
		healthT  = flag.Duration("health-for", 60*time.Second, "health figure: how long to watch, with checks and without")
		topKeys  = flag.Int("top-keys", 20, "svman top figure: keys sent while a module logs")
		verb     = flag.Bool("v", false, "print every measurement as it is made")
		workDir  = flag.String("work", "", "where the tools' configurations, status directories and logs go (default: a new folder in $TMPDIR, on disk as the tools are used; a tmpfs such as /dev/shm takes the disk out of the figures)")
	)
	flag.Parse()
	verbose = *verb
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root: the harness times exec and exit through the kernel's process events connector (CAP_NET_ADMIN)")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp(*workDir, "svman-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	env := &benchEnv{peers: abs(*peerDir), svman: abs(*svman), self: self, work: work, versions: readVersions(filepath.Join(*peerDir, "versions"))}
	if *before != "" {
		env.before = abs(*before)
	}
	raiseFileLimit()

	want := map[string]bool{}
	for _, f := range strings.Split(*figures, ",") {
		want[strings.TrimSpace(f)] = true
	}
	var infos []peerInfo
	for _, p := range peers() {
		if *only != "" && !strings.HasPrefix(p.name(), "svman") && !contains(*only, p.name()) {
			continue
		}
		v, err := p.setup(env)
		infos = append(infos, peerInfo{p: p, version: v, skip: err})
	}
	// svman (before), with -before, is measured in the restart, memory, start
	// and stop, and scale figures, each of which says what it is below its
	// table; the baseline in the restart, cold start, shutdown and scale figures only.
	var beforeInfo []peerInfo
	noteBefore := func(ss ...*section) []*section { return ss }
	if env.before != "" {
		p := svmanPeer{before: true}
		v, err := p.setup(env)
		beforeInfo = append(beforeInfo, peerInfo{p: p, version: v, skip: err})
		note := fmt.Sprintf("svman (before) is the svman binary given with -before (%s, %s), measured the same way in this run, after svman.", env.before, v)
		noteBefore = func(ss ...*section) []*section {
			for _, s := range ss {
				s.notes = append(s.notes, note)
			}
			return ss
		}
	}
	var baseline forkLoopPeer
	baseVersion, baseSkip := baseline.setup(env)
	baselineInfo := peerInfo{p: baseline, version: baseVersion, skip: baseSkip}
	memN, err := ints(*memSizes)
	if err != nil {
		return err
	}
	scale, err := ints(*scaleN)
	if err != nil {
		return err
	}

	var sections []*section
	// Figures that need no console output leave svman's console variants out:
	// they are the same process as svman.
	files := withoutConsole(infos)
	compared := withAfterSvman(files, beforeInfo)
	if want["restart"] {
		restart := append(slices.Clone(compared), baselineInfo)
		sections = append(sections, noteBefore(figRestart(env, restart, *kills), figRestartSame(env, restart, *kills))...)
	}
	if want["memory"] {
		sections = append(sections, noteBefore(figMemory(env, compared, memN))...)
	}
	if want["idle"] {
		sections = append(sections, figIdle(env, files, *idle))
	}
	if want["startstop"] {
		start, stop := figStartStop(env, append(slices.Clone(compared), baselineInfo), *rounds)
		sections = append(sections, noteBefore(start, stop)...)
	}
	if want["logs"] {
		sections = append(sections, figLogs(env, infos, 4, *logLines, min(*rounds, 3)))
	}
	if want["reload"] {
		sections = append(sections, figReload(env, files, *rounds*2))
	}
	if want["scale"] {
		sections = append(sections, noteBefore(figScale(env, withAfterSvman(infos[:1], beforeInfo), baselineInfo, scale))...)
	}
	if want["ready"] {
		sections = append(sections, figReady(env, files, *rounds))
	}
	if want["health"] {
		sections = append(sections, figHealth(env, files, *healthN, *healthT))
	}
	if want["top"] {
		sections = append(sections, figTop(env, files, *idle, *topKeys))
	}

	var b strings.Builder
	b.WriteString("# svman against its peers\n\n")
	fmt.Fprintf(&b, "Written by `make bench` on %s. Every tool was measured in this one run on this machine; compare the ratios, not the absolute times, with other runs.\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	listed := withAfterSvman(infos, beforeInfo)
	if want["restart"] || want["startstop"] || want["scale"] {
		listed = append(listed, baselineInfo)
	}
	b.WriteString(machine(listed, work))
	for _, s := range sections {
		b.WriteString(s.markdown())
	}
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Print(b.String())
	fmt.Fprintf(os.Stderr, "bench: wrote %s\n", *out)
	return nil
}

// machine describes where the figures were measured and with what.
func machine(infos []peerInfo, work string) string {
	var b strings.Builder
	b.WriteString("## Machine and tools\n\n")
	fmt.Fprintf(&b, "- CPUs: %d (%s)\n", runtime.NumCPU(), cpuModel())
	var u unix.Utsname
	_ = unix.Uname(&u)
	fmt.Fprintf(&b, "- kernel: %s %s\n", unix.ByteSliceToString(u.Sysname[:]), unix.ByteSliceToString(u.Release[:]))
	fmt.Fprintf(&b, "- memory: %s\n", memTotal())
	fmt.Fprintf(&b, "- harness built with %s\n", runtime.Version())
	fmt.Fprintf(&b, "- open files limit (ulimit -n) of the tools: %d\n", fileLimit())
	fmt.Fprintf(&b, "- work folder (configurations, status directories, log files): %s\n", fsOf(filepath.Dir(work)))
	for _, pi := range infos {
		if pi.skip != nil {
			fmt.Fprintf(&b, "- %s: skipped: %v\n", pi.p.name(), pi.skip)
		} else {
			fmt.Fprintf(&b, "- %s: %s\n", pi.p.name(), pi.version)
		}
	}
	b.WriteString("\n")
	return b.String()
}

// fsOf names the file system a folder is on, as /proc/mounts says.
func fsOf(dir string) string {
	b, _ := os.ReadFile("/proc/mounts")
	best, kind := "", "unknown"
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && strings.HasPrefix(dir+"/", strings.TrimSuffix(f[1], "/")+"/") && len(f[1]) >= len(best) {
			best, kind = f[1], f[2]
		}
	}
	return fmt.Sprintf("%s (%s mounted at %s)", dir, kind, best)
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown model"
}

func memTotal() string {
	b, _ := os.ReadFile("/proc/meminfo")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "MemTotal:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "MemTotal:"))
		}
	}
	return "unknown"
}

// readVersions reads install-peers.sh's "name version" lines.
func readVersions(path string) map[string]string {
	v := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return v
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, ver, ok := strings.Cut(sc.Text(), " "); ok {
			v[name] = ver
		}
	}
	return v
}

// raiseFileLimit lets the tools under test open as many files as the scale
// figure needs (each module holds a few pipes and FIFOs open): root may raise
// the hard limit up to fs.nr_open.
func raiseFileLimit() {
	limit := uint64(1 << 20)
	if b, err := os.ReadFile("/proc/sys/fs/nr_open"); err == nil {
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil {
			limit = n
		}
	}
	_ = unix.Setrlimit(unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: limit, Max: limit})
}

// fileLimit is the open files limit (ulimit -n) the tools inherit from the
// harness.
func fileLimit() uint64 {
	var lim unix.Rlimit
	_ = unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
	return lim.Cur
}

// withAfterSvman is infos with extra listed right after svman's row.
func withAfterSvman(infos, extra []peerInfo) []peerInfo {
	out := make([]peerInfo, 0, len(infos)+len(extra))
	for _, pi := range infos {
		out = append(out, pi)
		if pi.p.name() == "svman" {
			out = append(out, extra...)
		}
	}
	return out
}

func withoutConsole(infos []peerInfo) []peerInfo {
	var out []peerInfo
	for _, pi := range infos {
		if sp, ok := pi.p.(svmanPeer); !ok || sp.console == "" {
			out = append(out, pi)
		}
	}
	return out
}

func contains(list, name string) bool {
	for _, n := range strings.Split(list, ",") {
		if strings.TrimSpace(n) == name {
			return true
		}
	}
	return false
}

func ints(list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a module count", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// verbose: print every measurement (-v).
var verbose bool

// progress tells the operator what is being measured.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
