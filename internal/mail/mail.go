// Package mail holds every email Roster sends: the messages, each defined once
// as a list of blocks that render.go writes as both a text and an HTML part,
// and the Sender interface that delivers them (package mail/ses: through SES v2).
//
// Operations build a Message with one of the message functions
// (VerificationCode, Invitation, ...) and hand it to a Sender; tests hand them
// a mailtest.Recorder instead. This package links no AWS SDK: a function that
// sends no mail does not carry, nor initialise at cold start, the SES client.
package mail

import "context"

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
