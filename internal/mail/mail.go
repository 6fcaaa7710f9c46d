// Package mail holds every email Roster sends: the messages, each defined once and
// rendered as both a text and an HTML part; the Letter an operation writes to the outbox
// with its change (store.Effects); and the Sender that delivers it (mail/ses). It links
// no AWS SDK, so the functions that only queue mail do not either.
package mail

import (
	"context"
	"errors"
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
	// Send answers an error that wraps ErrRefused when the message will never be
	// sent (retrying it is pointless), any other error when a retry may succeed.
	Send(ctx context.Context, m Message) error
}

// ErrRefused is a message the email service will not send, whatever the retry.
var ErrRefused = errors.New("mail: refused")
