package alarm

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"svman/internal/testkit"
)

type hookRequest struct {
	method, contentType, userAgent string
	body                           []byte
}

func TestWebhook(t *testing.T) {
	got := make(chan hookRequest, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- hookRequest{r.Method, r.Header.Get("Content-Type"), r.Header.Get("User-Agent"), b}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer ts.Close()

	fail, failed := failures()
	s := NewSender(Config{Failed: fail})
	f := testFacts()
	f.Message = "custom text"
	s.Send(Channels{Webhook: ts.URL + "/hook"}, f)

	var req hookRequest
	select {
	case req = <-got:
	case <-testkit.Within():
		t.Fatal("no webhook request")
	}
	closeWithin(t, s)
	noFailure(t, failed)

	if req.method != http.MethodPost || req.contentType != "application/json" || req.userAgent != "svman" {
		t.Errorf("request %s, Content-Type %q, User-Agent %q", req.method, req.contentType, req.userAgent)
	}
	var back Facts
	if err := json.Unmarshal(req.body, &back); err != nil {
		t.Fatalf("%v: %s", err, req.body)
	}
	if !back.Time.Equal(f.Time) {
		t.Errorf("time %v, want %v", back.Time, f.Time)
	}
	back.Time = f.Time
	if back != f {
		t.Errorf("body decodes to\n%+v\nwant\n%+v", back, f)
	}
	for _, key := range []string{`"module":`, `"event":`, `"exit_code":`, `"signal":`, `"coredumped":`,
		`"tries":`, `"hostname":`, `"message":`, `"time":`} {
		if !strings.Contains(string(req.body), key) {
			t.Errorf("body lacks %s: %s", key, req.body)
		}
	}
}

func TestWebhookError(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer ts.Close()

	fail, failed := failures()
	s := NewSender(Config{Failed: fail})
	s.Send(Channels{Webhook: ts.URL + "/T0KEN"}, testFacts())
	got := waitFailure(t, failed)
	closeWithin(t, s)
	if got.module != "web" || got.channel != "webhook" || !strings.Contains(got.err.Error(), "500") {
		t.Errorf("failure %+v", got)
	}
	if strings.Contains(got.err.Error(), "T0KEN") {
		t.Errorf("the error shows the URL's secret: %v", got.err)
	}
}

func TestWebhookBadURL(t *testing.T) {
	fail, failed := failures()
	s := NewSender(Config{Failed: fail})
	s.Send(Channels{Webhook: "ftp://example.com/x"}, testFacts())
	got := waitFailure(t, failed)
	closeWithin(t, s)
	if got.channel != "webhook" || !strings.Contains(got.err.Error(), "http(s)") {
		t.Errorf("failure %+v", got)
	}
}
