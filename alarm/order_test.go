package alarm

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"svman/internal/testkit"
)

// A module's alarms reach a channel in the order they were raised: while its
// "exited" is still being delivered, its "gave_up" waits, and a slow endpoint
// never sees the give-up first.
func TestAlarmsOfAModuleArriveInOrder(t *testing.T) {
	release := make(chan struct{})
	secondArrived := make(chan struct{})
	var mu sync.Mutex
	var order []string
	firstDone := false
	overtaken := false
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var f Facts
		_ = json.Unmarshal(b, &f)
		mu.Lock()
		order = append(order, f.Event)
		if f.Event == GaveUp {
			overtaken = !firstDone
			close(secondArrived)
		}
		mu.Unlock()
		if f.Event == Exited {
			<-release
			mu.Lock()
			firstDone = true
			mu.Unlock()
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer ts.Close()

	fail, failed := failures()
	s := NewSender(Config{Failed: fail})
	ch := Channels{Webhook: ts.URL}
	exited, gaveUp := testFacts(), testFacts()
	gaveUp.Event = GaveUp
	s.Send(ch, exited)
	s.Send(ch, gaveUp)
	// Give the give-up the chance to overtake, then let the first through.
	select {
	case <-secondArrived:
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	select {
	case <-secondArrived:
	case <-testkit.Within():
		t.Fatal("the second alarm never arrived")
	}
	closeWithin(t, s)
	noFailure(t, failed)
	mu.Lock()
	defer mu.Unlock()
	if overtaken || len(order) != 2 || order[0] != Exited {
		t.Errorf("arrivals %v, the give-up overtook the exit: %v", order, overtaken)
	}
}
