package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/roster-dev/roster/internal/apperr"
)

// LoginOutcome is how a sign-in attempt ended.
type LoginOutcome string

const (
	LoginSucceeded        LoginOutcome = "success"
	LoginWrongCredentials LoginOutcome = "invalid_credentials"
	LoginFrozen           LoginOutcome = "frozen"
	LoginChallengePending LoginOutcome = "challenge_pending"
	LoginWrongCode        LoginOutcome = "invalid_code"
	LoginBadSession       LoginOutcome = "invalid_session"
	LoginRateLimited      LoginOutcome = "rate_limited"
)

// Where a sign-in was made: through Roster's API, or straight against Cognito (another
// app client, the hosted UI), as reported by the post-authentication trigger.
const (
	ViaAPI     = "api"
	ViaCognito = "cognito"
)

// LoginEvent is one sign-in attempt of a known user.
type LoginEvent struct {
	ID        string
	UserID    string
	At        time.Time
	SourceIP  string
	UserAgent string
	Outcome   LoginOutcome
	Challenge string // the challenge answered or pending, if any
	Via       string
}

// Login events live in their user's partition, newest last by sort key, so one Query
// pages through a user's events and a deleted user's partition holds them all.
const loginEventPrefix = "LOGINEVENT#"

func loginEventKey(userID string, at time.Time, id string) key {
	return key{PK: "USER#" + userID, SK: loginEventPrefix + formatTime(at) + "#" + id}
}

type loginEventRecord struct {
	key
	ID        string `dynamodbav:"id"`
	UserID    string `dynamodbav:"userId"`
	At        string `dynamodbav:"at"`
	SourceIP  string `dynamodbav:"sourceIp,omitempty"`
	UserAgent string `dynamodbav:"userAgent,omitempty"`
	Outcome   string `dynamodbav:"outcome"`
	Challenge string `dynamodbav:"challenge,omitempty"`
	Via       string `dynamodbav:"via"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

// RecordLoginEvent keeps e until TTL removes it, retention after it happened.
func (s *Store) RecordLoginEvent(ctx context.Context, e LoginEvent, retention time.Duration) error {
	item, err := attributevalue.MarshalMap(loginEventRecord{
		key:       loginEventKey(e.UserID, e.At, e.ID),
		ID:        e.ID,
		UserID:    e.UserID,
		At:        formatTime(e.At),
		SourceIP:  e.SourceIP,
		UserAgent: e.UserAgent,
		Outcome:   string(e.Outcome),
		Challenge: e.Challenge,
		Via:       e.Via,
		ExpiresAt: e.At.Add(retention).Unix(),
	})
	if err != nil {
		return apperr.Wrap(err, "marshal login event")
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item})
	if err != nil {
		return apperr.Wrap(err, "put login event")
	}
	return nil
}

// LoginEvents answers one page of a user's login events since the given time, newest
// first. TTL deletes late, so the cut-off is the key condition itself: an event older
// than the retention is never shown, and a page costs the same whatever TTL has left.
func (s *Store) LoginEvents(ctx context.Context, userID string, since time.Time, p Page) ([]LoginEvent, string, error) {
	partition := userKey(userID).PK
	q := query{keyCond: expression.Key("pk").Equal(expression.Value(partition)).And(expression.Key("sk").Between(
		expression.Value(loginEventPrefix+formatTime(since)), expression.Value(loginEventPrefix+"~"))),
		reverse: true, eventual: true}
	spec := listSpec{name: "login-events:" + userID, attrs: []string{"pk", "sk"}, pkAttr: "pk", partition: partition}
	return collect(ctx, s, q, spec, p, readRecords(func(r loginEventRecord) (LoginEvent, bool) { return r.event(), true }, keepAll[LoginEvent]))
}

func (r loginEventRecord) event() LoginEvent {
	return LoginEvent{
		ID:        r.ID,
		UserID:    r.UserID,
		At:        parseTime(r.At),
		SourceIP:  r.SourceIP,
		UserAgent: r.UserAgent,
		Outcome:   LoginOutcome(r.Outcome),
		Challenge: r.Challenge,
		Via:       r.Via,
	}
}
