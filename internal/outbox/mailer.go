// Package outbox is the mailer (functions/send-mail): the table's stream hands it the
// outbox items each change writes in its transaction, and it sends each and removes it,
// secret and all. A failure is a batch item failure, which the event source mapping
// retries and finally dead-letters; a refusal for good is recorded at once, so it is
// dead-lettered in seconds. Delivery is at least once.
package outbox

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/store"
)

// MaxAttempts bounds the sends of a mail that fail for a reason that may pass: the
// first and the event source mapping's MaximumRetryAttempts (template.yaml) retries,
// so the mailer gives the mail up (strips its secret, tells its invitation) in the
// last invocation the mapping makes for it.
const MaxAttempts = 9

// Outbox is what the mailer reads and writes of the table (store.Store).
type Outbox interface {
	Outgoing(ctx context.Context, id string) (store.Outgoing, bool, error)
	MailSent(ctx context.Context, o store.Outgoing) error
	MailAttempted(ctx context.Context, o store.Outgoing) (int, error)
	MailGivenUp(ctx context.Context, o store.Outgoing, reason string) error
}

// Mailer sends the outbox's mail.
type Mailer struct {
	outbox Outbox
	sender mail.Sender
	now    func() time.Time
	// wait pauses before a retry; tests make it return at once.
	wait func(ctx context.Context, d time.Duration)
}

// NewMailer is the mailer of a function's App, sending through sender.
func NewMailer(a *app.App, sender mail.Sender) *Mailer {
	return New(a.Store, sender, a.Now)
}

// New is a mailer over any outbox and sender.
func New(o Outbox, sender mail.Sender, now func() time.Time) *Mailer {
	return &Mailer{outbox: o, sender: sender, now: now, wait: sleep}
}

// outcome is what became of one record.
type outcome int

const (
	done    outcome = iota // sent, dropped, or gone already
	later                  // may succeed on a retry
	refused                // given up: answered as a failure until the mapping dead-letters it
)

// Handle is the function's handler. Records after one that failed for a reason that
// may pass are not tried in this invocation (SES is likely down for them too): they
// are answered as failures, untouched, and the retry starts with the first of them.
func (m *Mailer) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var resp events.DynamoDBEventResponse
	down := false
	for _, r := range ev.Records {
		result := later
		if !down {
			result = m.deliver(ctx, r)
		}
		if result == later {
			down = true
		}
		if result != done {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
		}
	}
	return resp, nil
}

// deliver sends the mail of one stream record.
func (m *Mailer) deliver(ctx context.Context, r events.DynamoDBEventRecord) outcome {
	pk, ok := r.Change.Keys["pk"]
	if !ok || pk.DataType() != events.DataTypeString {
		slog.WarnContext(ctx, "stream record without a string pk ignored", "eventId", r.EventID)
		return done
	}
	id, ok := store.OutboxID(pk.String())
	if !ok {
		slog.WarnContext(ctx, "stream record of another item ignored (check the mapping's filter)", "eventId", r.EventID)
		return done
	}
	o, found, err := m.outbox.Outgoing(ctx, id)
	switch {
	case err != nil:
		slog.ErrorContext(ctx, "outbox item not read", "mailId", id, "error", err.Error())
		return later
	case !found: // sent by an earlier try of this record, or expired
		return done
	case o.Failed != "":
		return refused
	case o.Letter.Kind == mail.NoMail:
		return m.sent(ctx, o, "")
	}
	msg, err := o.Letter.Message()
	if err != nil {
		return m.giveUp(ctx, o, err.Error())
	}
	if o.Attempts > 0 {
		m.pause(ctx, backoff(o.Attempts))
	}
	err = m.sender.Send(ctx, msg)
	switch {
	case err == nil:
		return m.sent(ctx, o, msg.Subject)
	case errors.Is(err, mail.ErrRefused):
		return m.giveUp(ctx, o, err.Error())
	}
	attempts, aerr := m.outbox.MailAttempted(ctx, o)
	if aerr != nil {
		slog.ErrorContext(ctx, "mail attempt not counted", "mailId", o.ID, "error", aerr.Error())
		attempts = o.Attempts + 1
	}
	if attempts >= MaxAttempts {
		return m.giveUp(ctx, o, "gave up after "+strconv.Itoa(attempts)+" attempts: "+err.Error())
	}
	slog.WarnContext(ctx, "mail not sent; it is retried", "mailId", o.ID, "kind", string(o.Letter.Kind), "attempts", attempts, "error", err.Error())
	return later
}

// sent removes a sent (or dropped) mail. A failed removal is answered as a failure,
// so the retry finds the item and sends it again: a mail twice rather than a secret
// left in the table.
func (m *Mailer) sent(ctx context.Context, o store.Outgoing, subject string) outcome {
	if err := m.outbox.MailSent(ctx, o); err != nil {
		slog.ErrorContext(ctx, "sent mail not removed from the outbox", "mailId", o.ID, "error", err.Error())
		return later
	}
	if o.Letter.Kind != mail.NoMail {
		slog.InfoContext(ctx, "mail sent", "mailId", o.ID, "kind", string(o.Letter.Kind), "subject", subject,
			"attempts", o.Attempts+1, "delayMs", m.now().Sub(o.QueuedAt).Milliseconds())
	}
	return done
}

// giveUp records why a mail will not be sent; the record is answered as a failure,
// for the dead-letter queue.
func (m *Mailer) giveUp(ctx context.Context, o store.Outgoing, reason string) outcome {
	slog.ErrorContext(ctx, "mail given up", "mailId", o.ID, "kind", string(o.Letter.Kind), "reason", reason)
	if err := m.outbox.MailGivenUp(ctx, o, reason); err != nil {
		slog.ErrorContext(ctx, "given-up mail not recorded", "mailId", o.ID, "error", err.Error())
		return later
	}
	return refused
}

// backoff is the wait before the next send of a mail that failed attempts times:
// 1 s, doubling, at most 20 s. With MaxAttempts it spans about 90 s of SES being
// unreachable or throttling.
func backoff(attempts int) time.Duration {
	return min(time.Second<<min(attempts-1, 5), 20*time.Second)
}

// sendBudget is the time kept for the send and the writes after a wait.
const sendBudget = 10 * time.Second

// pause waits d, or less when the invocation's deadline is near.
func (m *Mailer) pause(ctx context.Context, d time.Duration) {
	if deadline, ok := ctx.Deadline(); ok {
		d = min(d, time.Until(deadline)-sendBudget)
	}
	if d > 0 {
		m.wait(ctx, d)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
