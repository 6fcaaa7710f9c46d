package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Email is one sent email as the stack's mail JSON serves it (mailJsonUrl in stack.json).
type Email struct {
	MessageID string    `json:"messageId"`
	From      string    `json:"from"`
	To        []string  `json:"to"`
	Subject   string    `json:"subject"`
	Text      string    `json:"text"`
	HTML      string    `json:"html"`
	SentAt    time.Time `json:"sentAt"`
}

// sesStore is the shape of aws-ses-v2-local's GET /store (dist/store.js and v2/sendEmail.js):
// emails in the order they were sent.
type sesStore struct {
	Emails []struct {
		MessageID   string `json:"messageId"`
		From        string `json:"from"`
		Destination struct {
			To []string `json:"to"`
		} `json:"destination"`
		Subject string `json:"subject"`
		Body    struct {
			HTML string `json:"html"`
			Text string `json:"text"`
		} `json:"body"`
		At int64 `json:"at"` // Unix seconds
	} `json:"emails"`
}

// SentEmails reads every email the SES emulator at sesURL has accepted, oldest first.
func SentEmails(ctx context.Context, sesURL string) ([]Email, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, sesURL+"/store", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("SES emulator /store: %s", resp.Status)
	}
	var store sesStore
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		return nil, fmt.Errorf("SES emulator /store: %w", err)
	}
	out := make([]Email, 0, len(store.Emails))
	for _, e := range store.Emails {
		to := e.Destination.To
		if to == nil {
			to = []string{}
		}
		out = append(out, Email{
			MessageID: e.MessageID, From: e.From, To: to, Subject: e.Subject,
			Text: e.Body.Text, HTML: e.Body.HTML, SentAt: time.Unix(e.At, 0).UTC(),
		})
	}
	return out, nil
}

// mailHandler serves the sent emails as a JSON array at any path.
func mailHandler(sesURL string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		emails, err := SentEmails(r.Context(), sesURL)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(emails)
	})
}
