// Package ses delivers Roster's mail through SES v2. Only the mailer imports it
// (functions/send-mail): the SES client's package initialisation is a large share of
// a cold start, which the request functions need not pay.
package ses

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/mail"
)

// Load is the Sender of a function's App: SES v2 from the configured address.
func Load(a *app.App) *SES {
	return New(sesv2.NewFromConfig(a.SDK, func(o *sesv2.Options) { o.BaseEndpoint = app.Endpoint("SESV2") }), a.SenderEmail)
}

// sendEmailAPI is the one SES v2 call Roster makes; *sesv2.Client satisfies it.
type sendEmailAPI interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// SES sends messages with the SES v2 SendEmail API, from one configured
// address (a verified SES identity).
type SES struct {
	client sendEmailAPI
	from   string
}

var _ mail.Sender = (*SES)(nil)

// New returns a Sender that sends through client from the address from,
// e.g. "Roster <no-reply@example.com>". Building it makes no network call, so
// it belongs in a function's init.
func New(client *sesv2.Client, from string) *SES {
	return &SES{client: client, from: from}
}

// charset is declared on every part: usernames and team names may be Chinese
// or Arabic, and SES would otherwise assume 7-bit ASCII.
const charset = "UTF-8"

// Send sends m. The error names the subject but never the recipient or the
// body, which may hold a code or a temporary password. A message SES refuses for
// good (a bad address, a sender it will not send from) is mail.ErrRefused; what
// may pass (throttling, a quota, SES unreachable) is any other error. The client
// has retried the latter a few times already.
func (s *SES) Send(ctx context.Context, m mail.Message) error {
	if len(m.To) == 0 {
		return fmt.Errorf("%w: message has no recipient", mail.ErrRefused)
	}
	if m.Text == "" && m.HTML == "" {
		return fmt.Errorf("%w: message has no body", mail.ErrRefused)
	}
	_, err := s.client.SendEmail(ctx, s.input(m))
	if err == nil {
		return nil
	}
	if refused(err) {
		return fmt.Errorf("%w: send %q: %w", mail.ErrRefused, m.Subject, err)
	}
	return fmt.Errorf("mail: send %q: %w", m.Subject, err)
}

// refused reports whether SES answered that it will never send this message: the
// request is wrong (a malformed address, BadRequest), the message was rejected
// (MessageRejected), or the sender's domain is not verified. Throttling, a daily
// quota, a paused or suspended account and every network error may pass.
func refused(err error) bool {
	var (
		bad      *types.BadRequestException
		rejected *types.MessageRejected
		domain   *types.MailFromDomainNotVerifiedException
		missing  *types.NotFoundException
	)
	return errors.As(err, &bad) || errors.As(err, &rejected) || errors.As(err, &domain) || errors.As(err, &missing)
}

// input builds the SendEmail request for m: Simple content, so SES builds the
// MIME message (multipart/alternative when both parts are present) and
// encodes headers.
func (s *SES) input(m mail.Message) *sesv2.SendEmailInput {
	body := &types.Body{}
	if m.Text != "" {
		body.Text = &types.Content{Data: aws.String(m.Text), Charset: aws.String(charset)}
	}
	if m.HTML != "" {
		body.Html = &types.Content{Data: aws.String(m.HTML), Charset: aws.String(charset)}
	}
	return &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.from),
		Destination:      &types.Destination{ToAddresses: m.To},
		Content: &types.EmailContent{
			Simple: &types.Message{
				Subject: &types.Content{Data: aws.String(m.Subject), Charset: aws.String(charset)},
				Body:    body,
			},
		},
	}
}
