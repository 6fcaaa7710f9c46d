// Package mail holds every email Roster sends: the messages, each defined once
// as a list of blocks that render.go writes as both a text and an HTML part,
// the Letter that an operation queues in the outbox with its change, and the
// Sender interface that delivers them (package mail/ses: through SES v2).
//
// Operations build a Letter with one of the letter functions
// (VerificationCodeLetter, InvitationLetter, ...) and write it with their change
// (store.Effects); the mailer renders it (Letter.Message) and hands it to a
// Sender. This package links no AWS SDK.
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
