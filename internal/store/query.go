package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
)

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
