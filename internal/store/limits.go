package store

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
)

// Limit is a rate limit: at most Max tries per Window for one subject (a folded login
// account, a source IP, an email, a user id, or the whole platform). Windows are fixed
// and aligned to the epoch, one counter item each, keyed by the window's start: a
// count is only ever read in its own window, so TTL only cleans up after it.
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

// On is a limit as it applies to one subject.
type On struct {
	Limit   Limit
	Subject string
}

// Try is one try taken from a limit, remembered so that it can be given back in the
// window it was taken from.
type Try struct {
	on    On
	start time.Time
}

type limitRecord struct {
	Count int `dynamodbav:"count"`
}

// Take takes one of l's tries for subject before the attempt it allows, or answers
// apperr.Limited with the time left. Check and count are one conditional update, so
// no more than Max requests get past however many arrive at once. A limit on failures
// takes a try for every attempt and gives back (Return) those that did not fail.
func (s *Store) Take(ctx context.Context, l Limit, subject string, now time.Time) (Try, error) {
	start, end := l.window(now)
	count := expression.Name("count")
	update := expression.Add(count, expression.Value(1)).
		Set(expression.Name("expiresAt"), expression.Value(end.Add(time.Minute).Unix()))
	cond := expression.AttributeNotExists(count).Or(count.LessThan(expression.Value(l.Max)))
	if _, err := s.updateItem(ctx, limitKey(l, subject, start), update, &cond, types.ReturnValueNone); err != nil {
		if isConditionFailed(err) {
			return Try{}, apperr.Limited(end.Sub(now))
		}
		return Try{}, apperr.Wrap(err, "take rate limit try")
	}
	return Try{on: On{l, subject}, start: start}, nil
}

// Tries are tries taken together, from several limits, for one attempt.
type Tries []Try

// TakeAll takes a try from each limit, side by side. If any refuses, the tries taken
// are given back and the answer is the refusal that lasts longest: the attempt is made
// under every limit or under none.
func (s *Store) TakeAll(ctx context.Context, now time.Time, limits ...On) (Tries, error) {
	tries := make(Tries, len(limits))
	errs := make([]error, len(limits))
	var wg sync.WaitGroup
	for i, on := range limits {
		wg.Go(func() { tries[i], errs[i] = s.Take(ctx, on.Limit, on.Subject, now) })
	}
	wg.Wait()
	var refusal *apperr.Error
	var failure error
	for _, err := range errs {
		e := apperr.As(err)
		switch {
		case err == nil:
		case e != nil && e.Kind == apperr.RateLimited:
			if refusal == nil || e.RetryAfter > refusal.RetryAfter {
				refusal = e
			}
		default:
			failure = err
		}
	}
	if refusal == nil && failure == nil {
		return tries, nil
	}
	taken := make(Tries, 0, len(tries))
	for i, t := range tries {
		if errs[i] == nil {
			taken = append(taken, t)
		}
	}
	if err := s.ReturnAll(ctx, taken); err != nil && failure == nil {
		failure = err
	}
	if failure != nil {
		return nil, failure
	}
	return nil, refusal
}

// Return gives a try back, in the window it was taken from: the attempt turned out
// not to be what its limit counts (a success, where the limit counts failures). A
// count never goes below zero, and a count cleared meanwhile stays cleared.
func (s *Store) Return(ctx context.Context, t Try) error {
	if t.on.Limit.Name == "" {
		return nil // nothing was taken
	}
	count := expression.Name("count")
	cond := count.GreaterThan(expression.Value(0))
	_, err := s.updateItem(ctx, limitKey(t.on.Limit, t.on.Subject, t.start),
		expression.Add(count, expression.Value(-1)), &cond, types.ReturnValueNone)
	if err != nil && !isConditionFailed(err) {
		return apperr.Wrap(err, "return rate limit try")
	}
	return nil
}

// ReturnAll gives tries back side by side.
func (s *Store) ReturnAll(ctx context.Context, tries Tries) error {
	errs := make([]error, len(tries))
	var wg sync.WaitGroup
	for i, t := range tries {
		wg.Go(func() { errs[i] = s.Return(ctx, t) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Tally counts one event for subject whatever the count, and answers the count in the
// window so far, this event included: for things that are counted, not refused (the
// first of a window is 1).
func (s *Store) Tally(ctx context.Context, l Limit, subject string, now time.Time) (int, error) {
	start, end := l.window(now)
	update := expression.Add(expression.Name("count"), expression.Value(1)).
		Set(expression.Name("expiresAt"), expression.Value(end.Add(time.Minute).Unix()))
	out, err := s.updateItem(ctx, limitKey(l, subject, start), update, nil, types.ReturnValueUpdatedNew)
	if err != nil {
		return 0, apperr.Wrap(err, "tally rate limit")
	}
	var r limitRecord
	if err := attributevalue.UnmarshalMap(out.Attributes, &r); err != nil {
		return 0, apperr.Wrap(err, "unmarshal rate limit")
	}
	return r.Count, nil
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
