// Package statusfs reads and writes the status directory of the legacy Baidu-style
// supervise tool (lock, control, ok, status, supervise.log, supervise.log.wf) byte for
// byte, so that scripts written against that tool keep working with svman.
//
// It is the one owner of every format of that directory but the module logs: the
// 20-byte status file ([Status]), the control letters ([Control]), svman's own
// state.json ([State]) and module.json ([Dir.WriteApplied], [ReadApplied]), and the
// supervise logs ([Dir.Notice], [AppendLog]). No other package encodes or decodes them.
//
// The package is passive: it starts no goroutines. The supervisor side is [Dir],
// held for as long as one module is supervised; the client side ([Supervised],
// [SendControl], [ReadStatus], [LockHolder]) works from any process with no daemon
// connection. It keeps two things for the whole process: one descriptor of each
// status_dir in use, shared by the Dirs under it, and a bound on the uses of status
// directories under way at once ([DirOpsAtOnce]), so that the descriptors svman holds
// are a fixed number per module plus a fixed reserve.
package statusfs
