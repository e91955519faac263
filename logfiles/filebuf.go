package logfiles

import "sync"

// fileBufs are the write buffers of all Files, taken for the lines of one read.
var fileBufs = sync.Pool{New: func() any { b := make([]byte, 0, fileBufSize); return &b }}

// takeBuf gives f a write buffer from the pool. The caller holds f.mu (or owns f).
func (f *File) takeBuf() {
	f.bufp = fileBufs.Get().(*[]byte)
	f.buf = (*f.bufp)[:0]
}

// releaseBuf gives an empty write buffer back to the pool. The caller holds f.mu.
func (f *File) releaseBuf() {
	if f.bufp != nil && len(f.buf) == 0 {
		*f.bufp = f.buf
		fileBufs.Put(f.bufp)
		f.buf, f.bufp = nil, nil
	}
}
