package proc

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"svman/internal/testkit"
)

// OnExit hands every child's exit to its function exactly once, whether the
// child exits after OnExit (the reaper calls it as it reaps) or had exited,
// and been reaped, before (the exit waits in the channel): with the child's
// own status, and never through the channel as well.
func TestOnExitTellsEachExitOnce(t *testing.T) {
	r := NewReaper()
	defer r.Close()
	null := openDevNull(t)
	var mu sync.Mutex
	told := map[int][]int{} // pid -> the exit codes told
	tell := func(st ExitStatus) {
		mu.Lock()
		defer mu.Unlock()
		told[st.PID] = append(told[st.PID], st.Code)
	}
	const n = 40
	want := map[int]int{}
	var late []<-chan ExitStatus // children told of before their exit: their channels stay empty
	for i := range n {
		code := i + 1
		if i%2 == 0 {
			// Exits once its stdin closes: OnExit comes first.
			rd, wr, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			pid, exited, err := r.Spawn(SpawnSpec{Path: "/bin/sh", Argv: []string{"sh", "-c", fmt.Sprintf("read x; exit %d", code)}, Files: [3]*os.File{rd, null, null}})
			rd.Close()
			if err != nil {
				t.Fatal(err)
			}
			r.OnExit(pid, exited, tell)
			wr.Close()
			want[pid], late = code, append(late, exited)
			continue
		}
		// Exits at once; OnExit comes once it has been reaped.
		pid, exited, err := r.Spawn(SpawnSpec{Path: "/bin/sh", Argv: []string{"sh", "-c", fmt.Sprintf("exit %d", code)}, Files: [3]*os.File{null, null, null}})
		if err != nil {
			t.Fatal(err)
		}
		testkit.WaitFor(t, fmt.Sprintf("child %d reaped", pid), func() bool { return len(exited) == 1 })
		r.OnExit(pid, exited, tell)
		want[pid] = code
	}
	testkit.WaitFor(t, "every exit told", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(told) == n
	})
	mu.Lock()
	for pid, codes := range told {
		if len(codes) != 1 || codes[0] != want[pid] {
			t.Errorf("child %d: told exit codes %v, want [%d]", pid, codes, want[pid])
		}
	}
	mu.Unlock()
	for _, c := range late {
		select {
		case st := <-c:
			t.Errorf("child %d's exit came through its channel as well", st.PID)
		default:
		}
	}
}

// OnExit with a channel that is not the reaper's for that pid calls nothing,
// and the child's exit still comes through its own channel.
func TestOnExitOfAnotherChannelTellsNothing(t *testing.T) {
	r := NewReaper()
	defer r.Close()
	rd, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pid, exited, err := r.Spawn(SpawnSpec{Path: "/bin/sh", Argv: []string{"sh", "-c", "read x; exit 7"}, Files: [3]*os.File{rd, nil, nil}})
	rd.Close()
	if err != nil {
		t.Fatal(err)
	}
	r.OnExit(pid, make(chan ExitStatus, 1), func(st ExitStatus) {
		t.Errorf("the function of another channel was told %+v", st)
	})
	wr.Close()
	select {
	case st := <-exited: // a function called in its place would have taken it
		if st.Code != 7 {
			t.Errorf("exit code %d, want 7", st.Code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the child's exit never came through its channel")
	}
}
