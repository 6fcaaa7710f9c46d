package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/locale"
	"github.com/roster-dev/roster/internal/mail"
)

// Effects are what a change writes beside itself, in its own transaction: the audit
// event that records it and the mail it causes. Every store method that makes an
// audited or mailing change takes them, so a change that fails leaves no event and
// sends nothing, and one that succeeds has both. Nothing else writes either.
type Effects struct {
	Audit *AuditEvent
	// Mail goes to the outbox, where the table's stream hands it to the mailer
	// (functions/send-mail).
	Mail []mail.Letter
	// At is when the change is made: the outbox items' time.
	At time.Time
}

// Empty reports whether fx writes nothing.
func (fx Effects) Empty() bool { return fx.Audit == nil && len(fx.Mail) == 0 }

// Outbox items have keys of their own, pk OUTBOX#<id> and sk OUTBOX: the stream's filter
// passes their inserts, and no other item's, to the mailer (template.yaml, SendMailFunction).
const outboxPrefix = "OUTBOX#"

func outboxKey(id string) key { return key{PK: outboxPrefix + id, SK: "OUTBOX"} }

// OutboxID is the id of the outbox item whose partition key is pk; false for any
// other item.
func OutboxID(pk string) (string, bool) {
	id, ok := strings.CutPrefix(pk, outboxPrefix)
	return id, ok && id != ""
}

// outboxKeep is how long an outbox item may wait for the mailer before the TTL removes
// it, secret and all: the stream keeps a record 24 hours, after which no retry can
// reach the item anyway.
const outboxKeep = 24 * time.Hour

// The fate of a mail, on the item that asked to be told (an invitation's mailState).
const (
	MailQueued = "queued"
	MailSent   = "sent"
	MailFailed = "failed"
)

type outboxRecord struct {
	key
	Kind   string            `dynamodbav:"kind"`
	Locale string            `dynamodbav:"locale,omitempty"`
	To     string            `dynamodbav:"to,omitempty"`
	Secret string            `dynamodbav:"secret,omitempty"`
	Fields map[string]string `dynamodbav:"fields,omitempty"`
	// NotePK and NoteSK name the item told of the mail's fate (its mailState), if any.
	NotePK   string `dynamodbav:"notePk,omitempty"`
	NoteSK   string `dynamodbav:"noteSk,omitempty"`
	QueuedAt string `dynamodbav:"queuedAt"`
	Attempts int    `dynamodbav:"attempts,omitempty"`
	// Failed says why the mail was given up; the secret is gone by then.
	Failed    string `dynamodbav:"failed,omitempty"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

// Outgoing is a mail in the outbox, as the mailer reads it.
type Outgoing struct {
	ID       string
	Letter   mail.Letter
	QueuedAt time.Time
	// Attempts counts the sends that failed for a reason that may pass (throttling).
	Attempts int
	// Failed is why the mail was given up, "" while it is not.
	Failed string
	note   *key
}

// errEffectsAlone is a transaction of effects and no change: a bug of the store.
var errEffectsAlone = errors.New("an audit event or a mail without the change it belongs to")

// effect adds an item of a change's effects to tx (see txn.effects).
func (t *txn) effect(record any) {
	t.putAlways(record)
	t.effectItems++
}

// outbox adds fx's mail to tx, each told to note (if given) of its fate, and answers
// the ids of the items.
func (t *txn) outbox(fx Effects, note *key) []string {
	var out []string
	at := fx.At
	if at.IsZero() && len(fx.Mail) > 0 {
		at = time.Now() // so that the TTL is a day from now, not in the past
	}
	for _, l := range fx.Mail {
		id := ids.New()
		r := outboxRecord{
			key: outboxKey(id), Kind: string(l.Kind), Locale: string(l.Locale), To: l.To,
			Secret: l.Secret, Fields: l.Fields,
			QueuedAt: formatTime(at), ExpiresAt: at.Add(outboxKeep).Unix(),
		}
		if note != nil {
			r.NotePK, r.NoteSK = note.PK, note.SK
		}
		t.effect(r)
		out = append(out, id)
	}
	return out
}

// effects adds fx to tx: its audit event and its mail.
func (t *txn) effects(fx Effects) {
	if fx.Audit != nil {
		t.audit(*fx.Audit)
	}
	t.outbox(fx, nil)
}

// mailFor adds fx to tx with its mail told to note of its fate, and answers the
// first mail's id and state (queued) for note to hold, "" when fx has no mail.
func (t *txn) mailFor(note key, fx Effects) (id, state string) {
	if fx.Audit != nil {
		t.audit(*fx.Audit)
	}
	if ids := t.outbox(fx, &note); len(ids) > 0 {
		return ids[0], MailQueued
	}
	return "", ""
}

// Outgoing reads an outbox item consistently (the stream carries only its key); false
// when it is gone: sent, or removed by its TTL.
func (s *Store) Outgoing(ctx context.Context, id string) (Outgoing, bool, error) {
	item, err := s.getItem(ctx, outboxKey(id))
	if err != nil || item == nil {
		return Outgoing{}, false, err
	}
	var r outboxRecord
	if err := attributevalue.UnmarshalMap(item, &r); err != nil {
		return Outgoing{}, false, apperr.Wrap(err, "unmarshal outbox item")
	}
	o := Outgoing{
		ID: id, QueuedAt: parseTime(r.QueuedAt), Attempts: r.Attempts, Failed: r.Failed,
		Letter: mail.Letter{Kind: mail.Kind(r.Kind), Locale: locale.Locale(r.Locale), To: r.To, Secret: r.Secret, Fields: r.Fields},
	}
	if r.NotePK != "" {
		o.note = &key{PK: r.NotePK, SK: r.NoteSK}
	}
	return o, true, nil
}

// MailSent removes a sent mail from the outbox, secret and all, and tells its note.
func (s *Store) MailSent(ctx context.Context, o Outgoing) error {
	if err := s.noteMail(ctx, o, MailSent); err != nil {
		return err
	}
	tx := s.txn()
	tx.deleteAlways(outboxKey(o.ID))
	return tx.run(ctx)
}

// MailAttempted counts a send that failed for a reason that may pass, and answers the
// attempts counted so far.
func (s *Store) MailAttempted(ctx context.Context, o Outgoing) (int, error) {
	cond := exists()
	out, err := s.updateItem(ctx, outboxKey(o.ID), expression.Add(expression.Name("attempts"), expression.Value(1)), &cond, types.ReturnValueUpdatedNew)
	if isConditionFailed(err) {
		return o.Attempts + 1, nil // sent or expired meanwhile
	}
	if err != nil {
		return 0, apperr.Wrap(err, "count mail attempt")
	}
	var r struct {
		Attempts int `dynamodbav:"attempts"`
	}
	if err := attributevalue.UnmarshalMap(out.Attributes, &r); err != nil {
		return 0, apperr.Wrap(err, "unmarshal mail attempts")
	}
	return r.Attempts, nil
}

// MailGivenUp records why a mail will not be sent, strips its secret, and tells its
// note. The item stays, for an operator to read beside the dead-letter queue, until
// its TTL.
func (s *Store) MailGivenUp(ctx context.Context, o Outgoing, reason string) error {
	cond := exists()
	_, err := s.updateItem(ctx, outboxKey(o.ID),
		expression.Set(expression.Name("failed"), expression.Value(reason)).Remove(expression.Name("secret")),
		&cond, types.ReturnValueNone)
	if err != nil && !isConditionFailed(err) {
		return apperr.Wrap(err, "record failed mail")
	}
	return s.noteMail(ctx, o, MailFailed)
}

// noteMail tells o's note of its fate, if it is still the note's latest mail (a resent
// invitation's earlier mail no longer speaks for it).
func (s *Store) noteMail(ctx context.Context, o Outgoing, state string) error {
	if o.note == nil {
		return nil
	}
	cond := expression.Name("mailId").Equal(expression.Value(o.ID))
	_, err := s.updateItem(ctx, *o.note, expression.Set(expression.Name("mailState"), expression.Value(state)), &cond, types.ReturnValueNone)
	if err != nil && !isConditionFailed(err) {
		return apperr.Wrap(err, "note mail state")
	}
	return nil
}
