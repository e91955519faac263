package statusfs

// Descriptors a directory operation opens are bounded for the whole process,
// so that svman's open-files limit can be stated per module plus a fixed
// reserve, whatever the number of modules: without a bound, three thousand
// modules starting at once would each open their directory and a temporary
// file at the same moment.
const (
	// DirOpsAtOnce is how many uses of status directories (a status file or
	// state.json written, a supervise.log line, a log file opened, an Open,
	// a Repair) run at once in the process; the others wait for one to end.
	DirOpsAtOnce = 64
	// FilesPerDirOp is the most descriptors one such use holds at once beside
	// those a Dir keeps: the directory's, and one file's (a temporary file, a
	// log, a directory listing, a lock or FIFO that replaces the Dir's own).
	FilesPerDirOp = 2
	// DirOpFiles is the most descriptors directory operations hold at once,
	// process-wide: what svman's open-files limit reserves for them.
	DirOpFiles = DirOpsAtOnce * FilesPerDirOp
)

// dirOps holds a token for each directory operation under way.
var dirOps = make(chan struct{}, DirOpsAtOnce)

// beginDirOp waits until fewer than DirOpsAtOnce directory operations are
// under way, and counts this one in until the returned function is called.
// It is taken after every mutex of the Dir but fdMu, and whoever holds it waits
// for nothing but fdMu and the system calls of its operation (never for a
// second one), so that operations always end.
func beginDirOp() (end func()) {
	dirOps <- struct{}{}
	return func() { <-dirOps }
}
