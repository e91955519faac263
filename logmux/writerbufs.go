package logmux

import "sync"

// The buffers of the asynchronous Console's writer (writer.go).

// freeBatches keeps the buffers of formatted batches for the next ones. A
// sync.Pool is emptied by every collection, and modules writing as fast as they
// can make collections frequent: each batch then cost a new buffer, zeroed, and
// more garbage to collect. 64 buffers of about a pipeful each hold 5 MiB at most,
// and only after a burst.
var freeBatches = make(chan []byte, 64)

// prefixes hold the prefixes of queued batches: small, and pooled as usual.
var prefixes = sync.Pool{New: func() any { return new([]byte) }}

// takeBuf is an empty buffer with room for need bytes, for a formatted batch.
func (w *writer) takeBuf(need int) []byte {
	select {
	case b := <-freeBatches:
		if cap(b) >= need {
			return b[:0]
		}
	default:
	}
	return make([]byte, 0, need)
}

// prefix is an empty buffer for a batch's prefix.
func (w *writer) prefix() []byte { return (*prefixes.Get().(*[]byte))[:0] }

// giveBack returns a batch's buffers, unless one huge batch made its data large.
func giveBack(data, prefix []byte) {
	if cap(data) <= batchBytes {
		select {
		case freeBatches <- data:
		default:
		}
	}
	prefixes.Put(&prefix)
}
