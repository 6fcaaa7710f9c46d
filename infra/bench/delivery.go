package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Delivery is how long mail takes: from the answer of the request that queued it to the
// email in the mailbox (the SES emulator's store), through the table's stream, the
// stack's poller and the mailer.
type Delivery struct {
	// One is a code request at a time, the mailer otherwise idle.
	One Dist
	// Burst is deliveryBurst code requests sent at once: the mailer's batches and the
	// poller's reads, under load.
	Burst Dist
	// Mailer is what the mailer did for the burst's mail, per mail: its calls and capacity.
	Mailer Tally
	Mails  int
}

const (
	deliverySamples = 40
	deliveryBurst   = 50
	mailboxPoll     = 5 * time.Millisecond
	deliveryLimit   = 30 * time.Second
)

// delivery measures Delivery with verification-code requests to fresh addresses.
func (r *runner) delivery(ctx context.Context, sesURL string) (Delivery, error) {
	var d Delivery
	box := &mailbox{url: strings.TrimRight(sesURL, "/") + "/store", client: r.env.HTTP}
	var one []time.Duration
	for range deliverySamples {
		took, err := r.deliverOne(ctx, box)
		if err != nil {
			return d, err
		}
		one = append(one, took)
	}
	d.One = distOf(one)

	r.ledger.AsyncTally("SendMailFunction") // what the mailer does from here is the burst's
	burst := make([]time.Duration, deliveryBurst)
	errs := make([]error, deliveryBurst)
	var wg sync.WaitGroup
	for i := range deliveryBurst {
		wg.Go(func() { burst[i], errs[i] = r.deliverOne(ctx, box) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return d, err
		}
	}
	d.Burst = distOf(burst)
	d.Mailer, d.Mails = r.ledger.AsyncTally("SendMailFunction"), deliveryBurst
	return d, nil
}

// deliverOne asks for a code to a fresh address and waits for its email.
func (r *runner) deliverOne(ctx context.Context, box *mailbox) (time.Duration, error) {
	addr := r.env.unique("dl") + "@bench.example"
	err := r.env.call(ctx, Request{Method: "POST", Path: "/v1/auth/verification-codes", Want: http.StatusAccepted, FreshIP: true,
		Body: map[string]string{"email": addr}}, nil)
	if err != nil {
		return 0, fmt.Errorf("delivery: %w", err)
	}
	answered := time.Now()
	for time.Since(answered) < deliveryLimit {
		found, err := box.has(ctx, addr, answered)
		if err != nil {
			return 0, fmt.Errorf("delivery: %w", err)
		}
		if found {
			return time.Since(answered), nil
		}
		time.Sleep(mailboxPoll)
	}
	return 0, fmt.Errorf("delivery: no email to %s after %v", addr, deliveryLimit)
}

// mailbox reads the SES emulator's store, asking only for the mail of the last seconds.
type mailbox struct {
	url    string
	client *http.Client
}

func (m *mailbox) has(ctx context.Context, addr string, since time.Time) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s?since=%d", m.url, since.Unix()-1), nil)
	if err != nil {
		return false, err
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	var store struct {
		Emails []struct {
			Destination struct {
				To []string `json:"to"`
			} `json:"destination"`
		} `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		return false, err
	}
	for _, e := range store.Emails {
		if slices.Contains(e.Destination.To, addr) {
			return true, nil
		}
	}
	return false, nil
}
