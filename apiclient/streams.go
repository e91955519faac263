package apiclient

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"svman/api"
	"svman/logfiles"
)

// Events is GET /v1/events: it calls opened once the stream is open (what
// happens from then on comes), then fn with each event, until ctx is done
// (nil) or the stream ends (svman stopped, or dropped a reader that fell
// behind: an error saying so).
func (c *Client) Events(ctx context.Context, opened func(), fn func(api.Event)) error {
	resp, err := c.do(ctx, "GET", "/v1/events")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	opened()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		data, ok := bytes.CutPrefix(sc.Bytes(), []byte("data: "))
		if !ok {
			continue // "event: NAME" (data has it too), and the blank line between events
		}
		var e api.Event
		if err := json.Unmarshal(data, &e); err != nil {
			return fmt.Errorf("an event that is not one: %w", err)
		}
		fn(e)
	}
	if ctx.Err() != nil {
		return nil
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return fmt.Errorf("the event stream ended")
}

// LogQuery says which lines Logs gives.
type LogQuery struct {
	Modules []string // a module, several, or a block's instances
	Tail    int      // the last lines already written; 0: none
	Follow  bool     // then the new ones, until ctx is done
}

// Logs is GET /v1/modules/a,b/logs: it calls fn with each line, in order
// (the Line and its Text valid during the call only), until the lines are
// given, or, following, until ctx is done (nil) or the stream ends.
func (c *Client) Logs(ctx context.Context, q LogQuery, fn func(logfiles.Line)) error {
	v := url.Values{"n": {strconv.Itoa(q.Tail)}}
	if q.Follow {
		v.Set("follow", "1")
	}
	resp, err := c.do(ctx, "GET", "/v1/modules/"+names(q.Modules)+"/logs?"+v.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 64<<20) // a record holds up to 16 MiB of line, escaped
	for sc.Scan() {
		l, ok := logfiles.ParseAnyRecord(sc.Bytes())
		if !ok {
			var end struct{ Event, Msg string } // the error that ends the lines
			if json.Unmarshal(sc.Bytes(), &end) == nil && end.Event == "error" {
				return errors.New(end.Msg)
			}
			return fmt.Errorf("a log line that is no record: %.200s", sc.Bytes())
		}
		fn(l)
	}
	if ctx.Err() != nil || !q.Follow && sc.Err() == nil {
		return nil
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return fmt.Errorf("the log stream ended")
}
