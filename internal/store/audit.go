package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
)

// AuditEvent is one change made by an admin or a team manager (SPEC.md section 5).
// Changes never hold a password, code or token: the handlers that record an event
// name only the fields a reader may see.
type AuditEvent struct {
	ID         string
	At         time.Time
	ActorID    string
	Action     string // "user.update", "team.delete", ...
	TargetType string // "user", "team", "role", "membership", "invitation", "invitation_code"
	TargetID   string
	TeamID     string // the team the change belongs to, if any
	RequestID  string
	Changes    map[string]Change
}

// Change is one field's value before and after; nil where there was none.
type Change struct {
	From any `json:"from" dynamodbav:"from"`
	To   any `json:"to" dynamodbav:"to"`
}

// AuditFilter narrows the audit log; zero values mean no filter. From and To bound
// the event time, both inclusive.
type AuditFilter struct {
	ActorID  string
	TargetID string
	Action   string
	From, To time.Time
}

// An event is immutable, so instead of being indexed it is written whole into each
// list it is read from (the log, its actor's, its target's, its action's): a filtered
// page is one Query of the narrowest, and the copies cost what index entries would.
const auditPrefix = "AUDIT"

func auditLog() string                   { return auditPrefix }
func auditByActor(id string) string      { return auditPrefix + "#ACTOR#" + id }
func auditByTarget(id string) string     { return auditPrefix + "#TARGET#" + id }
func auditByAction(action string) string { return auditPrefix + "#ACTION#" + action }

func auditSortKey(at time.Time, id string) string { return formatTime(at) + "#" + id }

type auditRecord struct {
	key
	ID         string            `dynamodbav:"id"`
	At         string            `dynamodbav:"at"`
	ActorID    string            `dynamodbav:"actorId"`
	Action     string            `dynamodbav:"action"`
	TargetType string            `dynamodbav:"targetType"`
	TargetID   string            `dynamodbav:"targetId"`
	TeamID     string            `dynamodbav:"teamId,omitempty"`
	RequestID  string            `dynamodbav:"requestId,omitempty"`
	Changes    map[string]Change `dynamodbav:"changes,omitempty"`
}

func (r auditRecord) event() AuditEvent {
	return AuditEvent{
		ID: r.ID, At: parseTime(r.At), ActorID: r.ActorID, Action: r.Action,
		TargetType: r.TargetType, TargetID: r.TargetID, TeamID: r.TeamID,
		RequestID: r.RequestID, Changes: r.Changes,
	}
}

// audit adds e to tx, written into every list it belongs to: the change and its
// event are one write (see Effects).
func (t *txn) audit(e AuditEvent) {
	r := auditRecord{
		ID: e.ID, At: formatTime(e.At), ActorID: e.ActorID, Action: e.Action,
		TargetType: e.TargetType, TargetID: e.TargetID, TeamID: e.TeamID,
		RequestID: e.RequestID, Changes: e.Changes,
	}
	sk := auditSortKey(e.At, e.ID)
	partitions := []string{auditLog(), auditByActor(e.ActorID), auditByAction(e.Action)}
	if e.TargetID != "" {
		partitions = append(partitions, auditByTarget(e.TargetID))
	}
	for _, p := range partitions {
		r.key = key{PK: p, SK: sk}
		t.effect(r)
	}
}

// AuditEvents answers one page of the audit log, newest first. The filter with the
// narrowest list picks the partition; the others are checked on each event read.
func (s *Store) AuditEvents(ctx context.Context, f AuditFilter, p Page) ([]AuditEvent, string, error) {
	partition := auditLog()
	switch {
	case f.TargetID != "":
		partition = auditByTarget(f.TargetID)
	case f.ActorID != "":
		partition = auditByActor(f.ActorID)
	case f.Action != "":
		partition = auditByAction(f.Action)
	}
	// The sort key is the event time then its id: "0" sorts before every time, "~"
	// after every id (a key condition cannot take an empty string).
	low, high := "0", "~"
	if !f.From.IsZero() {
		low = formatTime(f.From)
	}
	if !f.To.IsZero() {
		high = formatTime(f.To) + "~"
	}
	q := query{
		keyCond: expression.Key("pk").Equal(expression.Value(partition)).
			And(expression.Key("sk").Between(expression.Value(low), expression.Value(high))),
		reverse: true,
	}
	spec := listSpec{name: "audit:" + partition, attrs: []string{"pk", "sk"}, pkAttr: "pk", partition: partition}
	return collect(ctx, s, q, spec, p, func(_ context.Context, items []map[string]types.AttributeValue) ([]AuditEvent, []bool, error) {
		var records []auditRecord
		if err := attributevalue.UnmarshalListOfMaps(items, &records); err != nil {
			return nil, nil, apperr.Wrap(err, "unmarshal audit events")
		}
		events := make([]AuditEvent, len(records))
		keep := make([]bool, len(records))
		for i, r := range records {
			events[i] = r.event()
			keep[i] = f.matches(events[i])
		}
		return events, keep, nil
	})
}

func (f AuditFilter) matches(e AuditEvent) bool {
	return (f.ActorID == "" || e.ActorID == f.ActorID) &&
		(f.TargetID == "" || e.TargetID == f.TargetID) &&
		(f.Action == "" || e.Action == f.Action)
}
