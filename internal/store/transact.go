package store

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
)

// conflict is what a failed condition on one item of a transaction means to a client;
// nil means the failure is not the client's doing.
type conflict = *apperr.Error

// txn collects the items of one transaction and the error each failed condition means,
// so that an operation reads as the list of what it writes and checks. The first
// building error is kept and returned by run.
type txn struct {
	s         *Store
	items     []types.TransactWriteItem
	conflicts []conflict
	err       error
	// effectItems counts the items that are a change's effects (audit, outbox): a
	// transaction of nothing else is refused, so no event or mail is ever written
	// without the change it belongs to.
	effectItems int
}

func (s *Store) txn() *txn { return &txn{s: s} }

func (t *txn) add(item types.TransactWriteItem, c conflict) {
	t.items = append(t.items, item)
	t.conflicts = append(t.conflicts, c)
}

func (t *txn) fail(err error, what string) {
	if t.err == nil {
		t.err = apperr.Wrap(err, what)
	}
}

// expr builds cond, with update if given; a failure is kept for run, and reported false.
func (t *txn) expr(cond expression.ConditionBuilder, update *expression.UpdateBuilder, what string) (expression.Expression, bool) {
	b := expression.NewBuilder().WithCondition(cond)
	if update != nil {
		b = b.WithUpdate(*update)
	}
	e, err := b.Build()
	if err != nil {
		t.fail(err, what)
		return expression.Expression{}, false
	}
	return e, true
}

// marshal turns record (a struct with dynamodbav tags) into an item; a failure is kept
// for run, and reported false.
func (t *txn) marshal(record any) (map[string]types.AttributeValue, bool) {
	item, err := attributevalue.MarshalMap(record)
	if err != nil {
		t.fail(err, "marshal")
		return nil, false
	}
	return item, true
}

// put writes record if cond holds; putAlways writes it whatever is there.
func (t *txn) put(record any, cond expression.ConditionBuilder, c conflict) {
	item, ok := t.marshal(record)
	if e, built := t.expr(cond, nil, "build put"); ok && built {
		t.add(types.TransactWriteItem{Put: &types.Put{TableName: aws.String(t.s.table), Item: item,
			ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}, c)
	}
}

func (t *txn) putAlways(record any) {
	if item, ok := t.marshal(record); ok {
		t.add(types.TransactWriteItem{Put: &types.Put{TableName: aws.String(t.s.table), Item: item}}, nil)
	}
}

func (t *txn) update(k key, update expression.UpdateBuilder, cond expression.ConditionBuilder, c conflict) {
	if e, ok := t.expr(cond, &update, "build update"); ok {
		t.add(types.TransactWriteItem{Update: &types.Update{TableName: aws.String(t.s.table), Key: k.av(), UpdateExpression: e.Update(),
			ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}, c)
	}
}

// delete removes k if cond holds; deleteAlways removes it whether or not it is there.
func (t *txn) delete(k key, cond expression.ConditionBuilder, c conflict) {
	if e, ok := t.expr(cond, nil, "build delete"); ok {
		t.add(types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(t.s.table), Key: k.av(),
			ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}, c)
	}
}

func (t *txn) deleteAlways(k key) {
	t.add(types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(t.s.table), Key: k.av()}}, nil)
}

// check makes the transaction depend on cond holding for k, without writing it.
func (t *txn) check(k key, cond expression.ConditionBuilder, c conflict) {
	if e, ok := t.expr(cond, nil, "build check"); ok {
		t.add(types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: aws.String(t.s.table), Key: k.av(),
			ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}, c)
	}
}

func (t *txn) run(ctx context.Context) error {
	if t.err != nil {
		return t.err
	}
	if t.effectItems > 0 && t.effectItems == len(t.items) {
		return apperr.Wrap(errEffectsAlone, "transact write")
	}
	return t.s.transact(ctx, t.items, t.conflicts)
}

const transactAttempts = 4

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
