// Package store is the only code that touches DynamoDB. Every entity lives in one
// table; each entity's file holds its records, keys and operations, and the requests
// they make are built by the helpers of transact.go, batch.go, query.go, paging.go and
// item.go.
package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Store reads and writes Roster's table.
type Store struct {
	db    *dynamodb.Client
	table string
}

func New(db *dynamodb.Client, table string) *Store {
	return &Store{db: db, table: table}
}

// Table is the name of the table the store works on.
func (s *Store) Table() string { return s.table }

// Retry waits grow with the square of the attempt from these steps: a transaction
// held by another is soon free; unprocessed batch items wait for capacity.
const (
	transactStep = 15 * time.Millisecond
	batchStep    = 20 * time.Millisecond
)

// backOff waits before try attempt (counted from 0, which does not wait) of a request
// refused for now, attempt² steps; it returns ctx.Err() if ctx ends first, since a
// request whose caller has gone is not worth trying again.
func backOff(ctx context.Context, attempt int, step time.Duration) error {
	if attempt == 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(attempt*attempt) * step)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Time is stored as fixed-width UTC text, so that it sorts as it reads.
const timeLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
