// Package mail holds every email Roster sends: the messages, each defined once
// as a list of blocks that render.go writes as both a text and an HTML part,
// and the Sender that delivers them through SES v2.
//
// Operations build a Message with one of the message functions
// (VerificationCode, Invitation, ...) and hand it to a Sender; tests hand them
// a mailtest.Recorder instead.
package mail

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// Message is one email, ready to send: a plain-text part for clients that
// show no HTML (and for spam filters, which distrust HTML-only mail) and an
// HTML part.
type Message struct {
	To      []string
	Subject string
	Text    string
	HTML    string
}

// Sender delivers a Message. Roster's operations depend on this interface, not
// on SES, so that handlers can be tested without an email service.
type Sender interface {
	Send(ctx context.Context, m Message) error
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

var _ Sender = (*SES)(nil)

// NewSES returns a Sender that sends through client from the address from,
// e.g. "Roster <no-reply@example.com>". Building it makes no network call, so
// it belongs in a function's init.
func NewSES(client *sesv2.Client, from string) *SES {
	return &SES{client: client, from: from}
}

// charset is declared on every part: usernames and team names may be Chinese
// or Arabic, and SES would otherwise assume 7-bit ASCII.
const charset = "UTF-8"

// Send sends m. The error names the subject but never the recipient or the
// body, which may hold a code or a temporary password.
func (s *SES) Send(ctx context.Context, m Message) error {
	if len(m.To) == 0 {
		return errors.New("mail: message has no recipient")
	}
	if m.Text == "" && m.HTML == "" {
		return errors.New("mail: message has no body")
	}
	if _, err := s.client.SendEmail(ctx, s.input(m)); err != nil {
		return fmt.Errorf("mail: send %q: %w", m.Subject, err)
	}
	return nil
}

// input builds the SendEmail request for m: Simple content, so SES builds the
// MIME message (multipart/alternative when both parts are present) and
// encodes headers.
func (s *SES) input(m Message) *sesv2.SendEmailInput {
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
