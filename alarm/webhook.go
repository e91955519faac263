package alarm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// postWebhook POSTs f as JSON to rawURL. Any 2xx answer is success.
//
// Errors never contain the URL: webhook URLs often carry their secret token in
// the path or query, and Failed reports may end up in logs.
func postWebhook(ctx context.Context, client *http.Client, rawURL string, f Facts) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("the webhook is not an http(s) URL")
	}
	body, err := json.Marshal(f)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return errors.New("the webhook is not a valid URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "svman")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("POST to %s: %w", u.Host, err)
	}
	defer resp.Body.Close()
	// Reading a bounded part of the answer lets the connection be reused without
	// letting a chatty server hold the delivery.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("POST to %s: answered %s", u.Host, resp.Status)
	}
	return nil
}
