package api

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/validate"
)

// Rate limits on emailed codes (SPEC.md section 5), on top of each code's own
// one-minute re-send rule. Every request from a source IP counts; a subject counts
// only the codes actually issued to it.
var (
	codeRequestsPerIP    = store.Limit{Name: "code-requests-ip", Max: 20, Window: 15 * time.Minute}
	codesPerEmail        = store.Limit{Name: "codes-email", Max: 5, Window: time.Hour}
	resetCodesPerAccount = store.Limit{Name: "reset-codes-account", Max: 5, Window: time.Hour}
)

// codeSend is one request for an emailed code.
type codeSend struct {
	code    store.Code
	limit   store.Limit // the per-subject limit, counted against limitOn
	limitOn string
	// message builds the email carrying secret; ok false means no email is sent
	// (a password reset for an account that does not exist or has no address).
	message func(secret string) (m mail.Message, ok bool)
}

// sendCode issues a fresh code and emails it. Whether or not an email goes out, the
// same checks run and the same item is written, so the answers (202, or 429 with the
// same Retry-After) cannot tell a known subject from an unknown one; the time taken
// is evened out by waiting as long as a send takes.
func (a *API) sendCode(ctx context.Context, req events.APIGatewayV2HTTPRequest, s codeSend) error {
	now := a.Now()
	if _, err := a.Store.Take(ctx, codeRequestsPerIP, httpapi.SourceIP(req), now); err != nil {
		return err
	}
	try, err := a.Store.Take(ctx, s.limit, s.limitOn, now)
	if err != nil {
		return err
	}
	secret := store.NewCodeSecret()
	if err := a.Store.IssueCode(ctx, s.code, secret, now); err != nil {
		a.giveBack(ctx, try) // no code was issued
		return err
	}
	m, ok := s.message(secret)
	if !ok {
		mailPace.wait(ctx)
		return nil
	}
	start := time.Now()
	err = a.Mail.Send(ctx, m)
	mailPace.record(time.Since(start))
	if err != nil {
		// Without the email the code is useless; withdrawing it lets the person
		// ask again at once instead of waiting out the re-send time.
		if undo := a.Store.WithdrawCode(ctx, s.code, secret); undo != nil {
			slog.ErrorContext(ctx, "could not withdraw an unsent code", "error", undo.Error())
		}
		return apperr.Wrap(err, "send code")
	}
	return nil
}

// redeemCode uses up the code secret for c, answering a wrong, expired or used one
// as a bad value of the request's field.
func (a *API) redeemCode(ctx context.Context, c store.Code, secret, field string) (store.Code, error) {
	got, err := a.Store.RedeemCode(ctx, c, secret, a.Now())
	if err == store.ErrCodeInvalid {
		return store.Code{}, apperr.InvalidFields(validate.Fields{field: "is incorrect or has expired; ask for a new code"})
	}
	return got, err
}

// restoreCode gives a redeemed code back when the operation it was redeemed for
// failed for another reason, so the person can fix the request and retry with it.
func (a *API) restoreCode(ctx context.Context, c store.Code) {
	if err := a.Store.RestoreCode(ctx, c); err != nil {
		slog.ErrorContext(ctx, "could not restore a redeemed code", "error", err.Error())
	}
}

// accepted is the one answer of every code request, whoever the subject.
type accepted struct {
	Message string `json:"message"`
}

// pace remembers how long sending an email takes in this container, so that a
// request that sends nothing takes about as long as one that does. It keeps the
// last few sends and waits their median: a container's first send also opens the
// connection, and an average would carry that outlier for a long time.
type pace struct {
	mu     sync.Mutex
	recent [16]time.Duration
	n      int // sends recorded, of which the last len(recent) are kept
}

var mailPace pace

// firstSendGuess stands in for the median until this container has sent an email.
const firstSendGuess = 60 * time.Millisecond

func (p *pace) record(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.recent[p.n%len(p.recent)] = d
	p.n++
}

func (p *pace) typical() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n == 0 {
		return firstSendGuess
	}
	kept := slices.Clone(p.recent[:min(p.n, len(p.recent))])
	slices.Sort(kept)
	return kept[len(kept)/2]
}

func (p *pace) wait(ctx context.Context) {
	t := time.NewTimer(p.typical())
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
