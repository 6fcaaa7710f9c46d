package store

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
)

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

// isConditionFailed reports whether a single-item write failed on its condition.
func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// strAttr answers a string attribute of an item, "" when it has none.
func strAttr(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}
