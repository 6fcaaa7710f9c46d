package store

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
)

// Limit is a rate limit: at most Max events per Window for one subject (a folded login
// account, a source IP, an email, a user id). Windows are fixed and aligned to the epoch,
// one counter item each, removed by TTL once the window is over.
type Limit struct {
	Name   string // what is counted, e.g. "login-failures-account"; part of the key
	Max    int
	Window time.Duration
}

func limitKey(l Limit, subject string, start time.Time) key {
	return key{PK: "LIMIT#" + l.Name + "#" + subject, SK: strconv.FormatInt(start.Unix(), 10)}
}

func (l Limit) window(now time.Time) (start, end time.Time) {
	start = now.Truncate(l.Window)
	return start, start.Add(l.Window)
}

type limitRecord struct {
	Count int `dynamodbav:"count"`
}

// CheckLimit answers apperr.Limited (with the time left in the window) when subject has
// already used up l, and nil otherwise. It counts nothing: pair it with Hit for limits on
// failures, which are checked before an attempt and counted only when it fails.
func (s *Store) CheckLimit(ctx context.Context, l Limit, subject string, now time.Time) error {
	_, err := s.LimitUsed(ctx, l, subject, now)
	return err
}

// LimitUsed is CheckLimit that also answers how much of l subject has used in this
// window: a success need not clear a count that is zero.
func (s *Store) LimitUsed(ctx context.Context, l Limit, subject string, now time.Time) (int, error) {
	start, end := l.window(now)
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            limitKey(l, subject, start).av(),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, apperr.Wrap(err, "read rate limit")
	}
	var r limitRecord
	if err := attributevalue.UnmarshalMap(out.Item, &r); err != nil {
		return 0, apperr.Wrap(err, "unmarshal rate limit")
	}
	if r.Count >= l.Max {
		return r.Count, apperr.Limited(end.Sub(now))
	}
	return r.Count, nil
}

// Hit counts one event for subject and answers apperr.Limited when it goes over l, so a
// caller that counts before acting (sending a code, say) is refused at the event that
// breaks the limit. One atomic update: concurrent hits are all counted.
func (s *Store) Hit(ctx context.Context, l Limit, subject string, now time.Time) error {
	start, end := l.window(now)
	update := expression.Add(expression.Name("count"), expression.Value(1)).
		Set(expression.Name("expiresAt"), expression.Value(end.Add(time.Minute).Unix()))
	expr, err := expression.NewBuilder().WithUpdate(update).Build()
	if err != nil {
		return apperr.Wrap(err, "build rate limit update")
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       limitKey(l, subject, start).av(),
		UpdateExpression:          expr.Update(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return apperr.Wrap(err, "count rate limit")
	}
	var r limitRecord
	if err := attributevalue.UnmarshalMap(out.Attributes, &r); err != nil {
		return apperr.Wrap(err, "unmarshal rate limit")
	}
	if r.Count > l.Max {
		return apperr.Limited(end.Sub(now))
	}
	return nil
}

// ClearLimit forgets subject's count in the current window, e.g. an account's failed
// sign-ins once it signs in.
func (s *Store) ClearLimit(ctx context.Context, l Limit, subject string, now time.Time) error {
	start, _ := l.window(now)
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table),
		Key:       limitKey(l, subject, start).av(),
	})
	if err != nil {
		return apperr.Wrap(err, "clear rate limit")
	}
	return nil
}
