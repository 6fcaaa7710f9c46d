package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
)

// queryPage runs in for one page of list, in descending key order, and answers the
// page's items with the cursor of the next page ("" on the last one). It asks for one
// item more than the page holds: that tells whether a next page exists without ever
// answering an empty last page.
func (s *Store) queryPage(ctx context.Context, in *dynamodb.QueryInput, list string, attrs []string, limit int) ([]map[string]types.AttributeValue, string, error) {
	in.TableName = aws.String(s.table)
	in.ScanIndexForward = aws.Bool(false)
	in.Limit = aws.Int32(int32(limit + 1))
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", apperr.Wrap(err, "query "+list)
	}
	items := out.Items
	if len(items) <= limit {
		return items, "", nil
	}
	items = items[:limit]
	return items, encodeCursor(list, items[len(items)-1], attrs), nil
}
