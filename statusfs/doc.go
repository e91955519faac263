// Package statusfs reads and writes the status directory of the legacy Baidu-style
// supervise tool (lock, control, ok, status, supervise.log, supervise.log.wf) byte for
// byte, so that scripts written against that tool keep working with svman.
//
// The package is passive: it starts no goroutines. The supervisor side is [Dir], held
// for as long as one module is supervised; the client side ([Supervised], [SendControl],
// [ReadStatus], [LockHolder]) works from any process with no daemon connection.
package statusfs
