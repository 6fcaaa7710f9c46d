package store

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
)

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

// build turns optional condition and update builders into an expression.
func build(cond *expression.ConditionBuilder, update *expression.UpdateBuilder) (expression.Expression, error) {
	b := expression.NewBuilder()
	if cond != nil {
		b = b.WithCondition(*cond)
	}
	if update != nil {
		b = b.WithUpdate(*update)
	}
	return b.Build()
}

// put writes record (a struct with dynamodbav tags) if cond holds.
func (t *txn) put(record any, cond expression.ConditionBuilder, c conflict) {
	item, err := attributevalue.MarshalMap(record)
	if err != nil {
		t.fail(err, "marshal")
		return
	}
	p, err := t.s.put(item, cond)
	if err != nil {
		t.fail(err, "build put")
		return
	}
	t.add(p, c)
}

// putAlways writes record whatever is there.
func (t *txn) putAlways(record any) {
	item, err := attributevalue.MarshalMap(record)
	if err != nil {
		t.fail(err, "marshal")
		return
	}
	t.add(types.TransactWriteItem{Put: &types.Put{TableName: aws.String(t.s.table), Item: item}}, nil)
}

func (t *txn) update(k key, update expression.UpdateBuilder, cond expression.ConditionBuilder, c conflict) {
	expr, err := build(&cond, &update)
	if err != nil {
		t.fail(err, "build update")
		return
	}
	t.add(types.TransactWriteItem{Update: &types.Update{
		TableName:                 aws.String(t.s.table),
		Key:                       k.av(),
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}}, c)
}

// delete removes k if cond holds; deleteAlways removes it whether or not it is there.
func (t *txn) delete(k key, cond expression.ConditionBuilder, c conflict) {
	expr, err := build(&cond, nil)
	if err != nil {
		t.fail(err, "build delete")
		return
	}
	t.add(types.TransactWriteItem{Delete: &types.Delete{
		TableName:                 aws.String(t.s.table),
		Key:                       k.av(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}}, c)
}

func (t *txn) deleteAlways(k key) { t.add(t.s.del(k.av()), nil) }

// check makes the transaction depend on cond holding for k, without writing it.
func (t *txn) check(k key, cond expression.ConditionBuilder, c conflict) {
	expr, err := build(&cond, nil)
	if err != nil {
		t.fail(err, "build check")
		return
	}
	t.add(types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName:                 aws.String(t.s.table),
		Key:                       k.av(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}}, c)
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

// getItems reads items by key with BatchGetItem, retrying unprocessed keys; missing
// items are left out. Consistent reads: these feed authorization decisions.
func (s *Store) getItems(ctx context.Context, keys []key) ([]map[string]types.AttributeValue, error) {
	return s.batchGet(ctx, keys, true)
}

// getSnapshot is getItems for what a page only shows: eventually consistent, at half
// the RRU, as list pages are.
func (s *Store) getSnapshot(ctx context.Context, keys []key) ([]map[string]types.AttributeValue, error) {
	return s.batchGet(ctx, keys, false)
}

// distinct answers keys without repeats, in first-seen order.
func distinct(keys []key) []key {
	seen := make(map[key]bool, len(keys))
	out := make([]key, 0, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func (s *Store) batchGet(ctx context.Context, keys []key, consistent bool) ([]map[string]types.AttributeValue, error) {
	var out []map[string]types.AttributeValue
	keys = distinct(keys) // BatchGetItem refuses a key twice
	for chunk := range slices.Chunk(keys, 100) {
		avs := make([]map[string]types.AttributeValue, len(chunk))
		for i, k := range chunk {
			avs[i] = k.av()
		}
		request := map[string]types.KeysAndAttributes{s.table: {Keys: avs, ConsistentRead: aws.Bool(consistent)}}
		for attempt := 0; len(request) > 0; attempt++ {
			if attempt == 5 {
				return nil, apperr.Wrap(errUnprocessed, "batch get")
			}
			if err := backOff(ctx, attempt, batchStep); err != nil {
				return nil, apperr.Wrap(err, "batch get")
			}
			res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: request})
			if err != nil {
				return nil, apperr.Wrap(err, "batch get")
			}
			out = append(out, res.Responses[s.table]...)
			request = res.UnprocessedKeys
		}
	}
	return out, nil
}

// getItem reads one item consistently; a missing item is nil.
func (s *Store) getItem(ctx context.Context, k key) (map[string]types.AttributeValue, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: k.av(), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, apperr.Wrap(err, "get item")
	}
	return out.Item, nil
}

// deleteItems removes items with BatchWriteItem, 25 at a time, retrying unprocessed ones.
// Used for cleanup, where each item stands alone.
func (s *Store) deleteItems(ctx context.Context, keys []key) error {
	for chunk := range slices.Chunk(keys, 25) {
		writes := make([]types.WriteRequest, len(chunk))
		for i, k := range chunk {
			writes[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k.av()}}
		}
		if err := s.batchWrite(ctx, writes, "batch delete"); err != nil {
			return err
		}
	}
	return nil
}

// batchWrite sends up to 25 writes, retrying the unprocessed ones with a growing pause.
func (s *Store) batchWrite(ctx context.Context, writes []types.WriteRequest, what string) error {
	request := map[string][]types.WriteRequest{s.table: writes}
	for attempt := 0; len(request) > 0; attempt++ {
		if attempt == 5 {
			return apperr.Wrap(errUnprocessed, what)
		}
		if err := backOff(ctx, attempt, batchStep); err != nil {
			return apperr.Wrap(err, what)
		}
		res, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: request})
		if err != nil {
			return apperr.Wrap(err, what)
		}
		request = res.UnprocessedItems
	}
	return nil
}

// query is one page of a Query; the caller sets the key condition and paging.
type query struct {
	index   string // "" for the table
	keyCond expression.KeyConditionBuilder
	start   map[string]types.AttributeValue
	limit   int
	reverse bool
	// eventual reads the table without ConsistentRead, at half the RRU: for list
	// pages, which are a snapshot anyway (the index lists are eventually consistent).
	eventual bool
}

func (s *Store) query(ctx context.Context, q query) (items []map[string]types.AttributeValue, last map[string]types.AttributeValue, err error) {
	expr, err := expression.NewBuilder().WithKeyCondition(q.keyCond).Build()
	if err != nil {
		return nil, nil, apperr.Wrap(err, "build query")
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ExclusiveStartKey:         q.start,
		ScanIndexForward:          aws.Bool(!q.reverse),
	}
	if q.index != "" {
		in.IndexName = aws.String(q.index)
	} else if !q.eventual {
		in.ConsistentRead = aws.Bool(true)
	}
	if q.limit > 0 {
		in.Limit = aws.Int32(int32(q.limit))
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, nil, apperr.Wrap(err, "query")
	}
	return out.Items, out.LastEvaluatedKey, nil
}

// queryAll reads every item of a key condition, page by page.
func (s *Store) queryAll(ctx context.Context, q query) ([]map[string]types.AttributeValue, error) {
	var all []map[string]types.AttributeValue
	for {
		items, last, err := s.query(ctx, q)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if last == nil {
			return all, nil
		}
		q.start = last
	}
}

func strAttr(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}
