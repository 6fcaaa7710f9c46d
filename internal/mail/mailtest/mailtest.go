// Package mailtest provides a mail.Sender for tests: it keeps what would have
// been sent, so a test can read the code or link a handler emailed.
package mailtest

import (
	"context"
	"slices"
	"sync"

	"github.com/roster-dev/roster/internal/mail"
)

// Recorder is a mail.Sender that records messages instead of sending them.
// It is safe for concurrent use, as handlers under test may send from several
// goroutines. The zero value is ready to use.
type Recorder struct {
	// Err, when set, is returned by Send (and the message is not recorded),
	// to test what an operation does when the email service fails. Set it
	// before the recorder is shared: it is read under the lock but not
	// written under it.
	Err error

	mu   sync.Mutex
	sent []mail.Message
}

var _ mail.Sender = (*Recorder)(nil)

// Send records m, or returns r.Err.
func (r *Recorder) Send(_ context.Context, m mail.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Err != nil {
		return r.Err
	}
	m.To = slices.Clone(m.To)
	r.sent = append(r.sent, m)
	return nil
}

// Messages returns the recorded messages, oldest first.
func (r *Recorder) Messages() []mail.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent)
}

// To returns the recorded messages sent to addr, oldest first.
func (r *Recorder) To(addr string) []mail.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []mail.Message
	for _, m := range r.sent {
		if slices.Contains(m.To, addr) {
			out = append(out, m)
		}
	}
	return out
}
