package api

import (
	"context"
	"errors"
	"log/slog"
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
	// letter is the email carrying secret, or mail.NoLetter when none is sent (a
	// password reset for an account that does not exist or has no address).
	letter func(secret string) mail.Letter
}

// sendCode issues a fresh code and queues its email in the same write. Whether or not
// an email goes out, the same checks run and the same items are written (a code, and an
// outbox item that the mailer drops when there is nothing to send), so the answers
// (202, or 429 with the same Retry-After), the calls made and their time cannot tell a
// known subject from an unknown one. No request waits on the email service.
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
	if err := a.Store.IssueCode(ctx, s.code, secret, now, s.letter(secret)); err != nil {
		a.giveBack(ctx, try) // no code was issued
		return err
	}
	return nil
}

// redeemCode uses up the code secret for c, answering a wrong, expired or used one
// as a bad value of the request's field.
func (a *API) redeemCode(ctx context.Context, c store.Code, secret, field string) (store.Code, error) {
	got, err := a.Store.RedeemCode(ctx, c, secret, a.Now())
	if errors.Is(err, store.ErrCodeInvalid) {
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
