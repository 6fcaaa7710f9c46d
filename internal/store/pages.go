package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
)

// listSpec names one list for its cursors: the list's identity (filters included), the
// key attributes of the queried table or index, and its partition.
type listSpec struct {
	name      string
	attrs     []string
	pkAttr    string
	partition string
}

// maxReadPerPage bounds the items one page reads while filtering, so that a selective
// filter on a large team costs a bounded amount per request: when it is reached, the
// page answers what it found so far with a cursor to go on from.
const maxReadPerPage = 500

// collect pages through q from p's cursor. resolve turns a batch of read items into
// values and says which to keep (a filter); collect stops once a page is full.
func collect[T any](ctx context.Context, s *Store, q query, spec listSpec, p Page,
	resolve func(ctx context.Context, items []map[string]types.AttributeValue) ([]T, []bool, error),
) ([]T, string, error) {
	start, err := decodeCursor(p.Cursor, spec.name, spec.attrs, spec.pkAttr, spec.partition)
	if err != nil {
		return nil, "", err
	}
	q.start = start
	q.limit = p.Limit + 1
	var kept []T
	var keptItems []map[string]types.AttributeValue
	read := 0
	for {
		items, last, err := s.query(ctx, q)
		if err != nil {
			return nil, "", err
		}
		read += len(items)
		values, keep, err := resolve(ctx, items)
		if err != nil {
			return nil, "", err
		}
		for i := range items {
			if keep[i] {
				kept = append(kept, values[i])
				keptItems = append(keptItems, items[i])
			}
		}
		switch {
		case len(kept) > p.Limit:
			return kept[:p.Limit], encodeCursor(spec.name, keptItems[p.Limit-1], spec.attrs), nil
		case last == nil:
			return kept, "", nil
		case read >= maxReadPerPage:
			return kept, encodeCursor(spec.name, items[len(items)-1], spec.attrs), nil
		}
		q.start = last
	}
}

// readIndexed is the resolve step of a list over one of the table's indexes: they
// project whole items (template.yaml), so each item the Query read is decoded as its
// record R into a T, with no second read. It keeps those that decode accepts (false
// for one that is, say, being deleted) and keep too.
func readIndexed[R, T any](decode func(R) (T, bool), keep func(T) bool) func(context.Context, []map[string]types.AttributeValue) ([]T, []bool, error) {
	return func(_ context.Context, items []map[string]types.AttributeValue) ([]T, []bool, error) {
		values := make([]T, len(items))
		kept := make([]bool, len(items))
		for i, item := range items {
			var r R
			if err := attributevalue.UnmarshalMap(item, &r); err != nil {
				return nil, nil, apperr.Wrap(err, "unmarshal listed item")
			}
			v, ok := decode(r)
			values[i], kept[i] = v, ok && keep(v)
		}
		return values, kept, nil
	}
}
