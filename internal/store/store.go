// Package store is the only code that touches DynamoDB. Every entity lives in one
// table; each file holds one entity's records, keys and operations.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
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

// conflict is what a failed condition on one item of a transaction means to a client;
// nil means the failure is not the client's doing.
type conflict = *apperr.Error

// transact writes items all-or-nothing. conflicts[i] is the error to report when the
// condition of items[i] fails; when several fail, their fields are reported together.
// A transaction cancelled only because another one held an item (TransactionConflict)
// is tried again: the race then ends in a clear answer, not a 500.
func (s *Store) transact(ctx context.Context, items []types.TransactWriteItem, conflicts []conflict) error {
	if len(items) == 1 && items[0].ConditionCheck == nil {
		return s.writeOne(ctx, items[0], conflicts[0])
	}
	var err error
	for attempt := range transactAttempts {
		if err := backOff(ctx, attempt, transactStep); err != nil {
			return apperr.Wrap(err, "transact write")
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return nil
		}
		var canceled *types.TransactionCanceledException
		if !errors.As(err, &canceled) {
			return apperr.Wrap(err, "transact write")
		}
		if c := conditionConflict(canceled.CancellationReasons, conflicts); c != nil {
			return c
		}
		if !onlyTransactionConflicts(canceled.CancellationReasons) {
			break
		}
	}
	return apperr.Wrap(err, "transact write")
}

const transactAttempts = 4

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

// writeOne makes a transaction of one item a conditional PutItem, UpdateItem or
// DeleteItem: as atomic, at half the write units (a transactional write costs two per
// item). c is reported when the condition fails; a write refused because a
// transaction held the item is tried again, as transact does.
func (s *Store) writeOne(ctx context.Context, item types.TransactWriteItem, c conflict) error {
	var err error
	for attempt := range transactAttempts {
		if err := backOff(ctx, attempt, transactStep); err != nil {
			return apperr.Wrap(err, "write")
		}
		switch {
		case item.Put != nil:
			p := item.Put
			_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: p.TableName, Item: p.Item,
				ConditionExpression: p.ConditionExpression, ExpressionAttributeNames: p.ExpressionAttributeNames,
				ExpressionAttributeValues: p.ExpressionAttributeValues})
		case item.Update != nil:
			u := item.Update
			_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: u.TableName, Key: u.Key,
				UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
				ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues})
		case item.Delete != nil:
			d := item.Delete
			_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: d.TableName, Key: d.Key,
				ConditionExpression: d.ConditionExpression, ExpressionAttributeNames: d.ExpressionAttributeNames,
				ExpressionAttributeValues: d.ExpressionAttributeValues})
		default:
			return apperr.Wrap(errors.New("empty write"), "write")
		}
		var failed *types.ConditionalCheckFailedException
		var busy *types.TransactionConflictException
		switch {
		case err == nil:
			return nil
		case errors.As(err, &failed) && c != nil:
			return c
		case !errors.As(err, &busy):
			return apperr.Wrap(err, "write")
		}
	}
	return apperr.Wrap(err, "write")
}

// conditionConflict merges the domain errors of the items whose condition failed.
func conditionConflict(reasons []types.CancellationReason, conflicts []conflict) *apperr.Error {
	var first *apperr.Error
	for i, reason := range reasons {
		if aws.ToString(reason.Code) != "ConditionalCheckFailed" || i >= len(conflicts) || conflicts[i] == nil {
			continue
		}
		if first == nil {
			c := *conflicts[i]
			c.Fields = map[string]string{}
			first = &c
		}
		for field, message := range conflicts[i].Fields {
			first.Fields[field] = message
		}
	}
	return first
}

func onlyTransactionConflicts(reasons []types.CancellationReason) bool {
	seen := false
	for _, r := range reasons {
		switch aws.ToString(r.Code) {
		case "", "None":
		case "TransactionConflict":
			seen = true
		default:
			return false
		}
	}
	return seen
}

func notExists() expression.ConditionBuilder {
	return expression.AttributeNotExists(expression.Name("pk"))
}

func exists() expression.ConditionBuilder {
	return expression.AttributeExists(expression.Name("pk"))
}

// put builds a transactional put of item under cond.
func (s *Store) put(item map[string]types.AttributeValue, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName:                 aws.String(s.table),
		Item:                      item,
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}}, nil
}

func (s *Store) del(key map[string]types.AttributeValue) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.table), Key: key}}
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

var errUnprocessed = errors.New("items still unprocessed after retries")

// updateItem is one UpdateItem of the item at k, conditional when cond is given: the
// one place an update's expression becomes a request.
func (s *Store) updateItem(ctx context.Context, k key, update expression.UpdateBuilder, cond *expression.ConditionBuilder, returns types.ReturnValue) (*dynamodb.UpdateItemOutput, error) {
	b := expression.NewBuilder().WithUpdate(update)
	if cond != nil {
		b = b.WithCondition(*cond)
	}
	expr, err := b.Build()
	if err != nil {
		return nil, err
	}
	return s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       k.av(),
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ReturnValues:              returns,
	})
}
