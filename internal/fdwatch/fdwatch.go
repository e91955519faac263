// Package fdwatch tells, from one goroutine for the whole process, when file
// descriptors become readable. It exists for svman's mostly idle descriptors (a
// thousand modules' control FIFOs and output pipes): waiting on each with a
// goroutine parked in the runtime poller costs a goroutine stack per descriptor,
// while one epoll instance costs a few bytes per descriptor.
package fdwatch

import (
	"errors"
	"sync"

	"golang.org/x/sys/unix"
)

// Watcher owns one epoll instance and the goroutine that waits on it.
type Watcher struct {
	epfd int
	wake int // eventfd: written by Close to end the wait

	mu     sync.Mutex // guards fns and closed; held while a callback runs
	fns    map[uint64]*Watch
	nextID uint64
	closed bool

	done chan struct{} // closed when the wait loop has returned
}

// wakeID is the epoll data of the eventfd; watch ids start above it.
const wakeID = 0

// New starts a Watcher. Its goroutine blocks in epoll_wait, so it holds one OS
// thread while it waits.
func New() (*Watcher, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, err
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN}
	setID(&ev, wakeID)
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wake, &ev); err != nil {
		unix.Close(wake)
		unix.Close(epfd)
		return nil, err
	}
	w := &Watcher{epfd: epfd, wake: wake, fns: make(map[uint64]*Watch), nextID: wakeID + 1, done: make(chan struct{})}
	go w.loop()
	return w, nil
}

// ErrClosed is returned by Add after Close, and by Rearm after Remove or Close.
var ErrClosed = errors.New("fdwatch: watcher closed")

// Watch is one descriptor registered with a Watcher.
type Watch struct {
	w  *Watcher
	id uint64
	fd int
	fn func(*Watch)
}

// Add registers fd, armed: fn is called once, from the Watcher's goroutine, with
// the Watch that Add returns, when fd is readable or its other end hung up (or at
// once if it is already). fn must not block and must not call the Watch's
// methods (it runs under the Watcher's lock, which is what lets Remove promise
// that fn is not running once it returns); to be told again, call Rearm
// afterwards, from elsewhere. The caller keeps fd open until Remove has returned.
func (w *Watcher) Add(fd int, fn func(*Watch)) (*Watch, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, ErrClosed
	}
	id := w.nextID
	w.nextID++
	ev := armed(id)
	if err := unix.EpollCtl(w.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return nil, err
	}
	x := &Watch{w: w, id: id, fd: fd, fn: fn}
	w.fns[id] = x
	return x, nil
}

// Rearm asks for fn to be called once more when the descriptor is readable (at
// once if it still is). Call it after fn has been called, once what it asked for
// is done. After Remove it does nothing: the descriptor number may belong to
// another file by then.
func (x *Watch) Rearm() error {
	w := x.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.fns[x.id]; !ok || w.closed {
		return ErrClosed
	}
	ev := armed(x.id)
	return unix.EpollCtl(w.epfd, unix.EPOLL_CTL_MOD, x.fd, &ev)
}

// Remove unregisters the descriptor. Once it returns, fn is not running and is
// not called again, and the caller may close the descriptor.
func (x *Watch) Remove() {
	w := x.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.fns[x.id]; !ok {
		return
	}
	delete(w.fns, x.id)
	if !w.closed {
		_ = unix.EpollCtl(w.epfd, unix.EPOLL_CTL_DEL, x.fd, nil)
	}
}

// Close ends the Watcher: no callback runs after it returns. Descriptors still
// registered stay open; their owners close them.
func (w *Watcher) Close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	w.mu.Unlock()
	var one = [8]byte{1}
	_, _ = unix.Write(w.wake, one[:])
	<-w.done
	unix.Close(w.wake)
	unix.Close(w.epfd)
}

func (w *Watcher) loop() {
	defer close(w.done)
	events := make([]unix.EpollEvent, 64)
	for {
		n, err := unix.EpollWait(w.epfd, events, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return
		}
		w.mu.Lock()
		if w.closed {
			w.mu.Unlock()
			return
		}
		for _, ev := range events[:n] {
			if x := w.fns[getID(&ev)]; x != nil {
				x.fn(x)
			}
		}
		w.mu.Unlock()
	}
}

// armed is the one-shot readiness request of watch id: level-triggered, so a
// Rearm while data is still unread reports it again at once.
func armed(id uint64) unix.EpollEvent {
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT}
	setID(&ev, id)
	return ev
}

// The 64 bits of epoll_data live in Fd and Pad of x/sys's EpollEvent.
func setID(ev *unix.EpollEvent, id uint64) {
	ev.Fd = int32(uint32(id))
	ev.Pad = int32(uint32(id >> 32))
}

func getID(ev *unix.EpollEvent) uint64 {
	return uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
}
