package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
)

// Page asks for one page of a list.
type Page struct {
	Limit  int
	Cursor string
}

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

// readRecords is the resolve step of a list whose items are whole records (the
// indexes project them whole: template.yaml), so each item read is decoded as its
// record R into a T with no second read. It keeps those that decode accepts (false
// for one being deleted, say) and keep too.
func readRecords[R, T any](decode func(R) (T, bool), keep func(T) bool) func(context.Context, []map[string]types.AttributeValue) ([]T, []bool, error) {
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

// keepAll is readRecords' keep for a list without a filter.
func keepAll[T any](T) bool { return true }

// A cursor is the key of the last item of a page, tied to the list it came from, so
// that a cursor of one list or a forged one is refused with 400 instead of reading
// from another partition.
type cursor struct {
	List string            `json:"l"`
	Key  map[string]string `json:"k"`
}

var errBadCursor = apperr.InvalidFields(map[string]string{"cursor": "is not a cursor of this list"})

func encodeCursor(list string, item map[string]types.AttributeValue, attrs []string) string {
	c := cursor{List: list, Key: make(map[string]string, len(attrs))}
	for _, a := range attrs {
		if v, ok := item[a].(*types.AttributeValueMemberS); ok {
			c.Key[a] = v.Value
		}
	}
	data, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(data)
}

// decodeCursor returns the exclusive start key a cursor stands for, or nil for the
// first page. attrs are exactly the key attributes of the queried index, and
// partition names its partition key attribute and value.
func decodeCursor(raw, list string, attrs []string, partitionAttr, partition string) (map[string]types.AttributeValue, error) {
	if raw == "" {
		return nil, nil
	}
	data, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(raw) > 2048 {
		return nil, errBadCursor
	}
	var c cursor
	if err := json.Unmarshal(data, &c); err != nil || c.List != list {
		return nil, errBadCursor
	}
	keys := slices.Sorted(maps.Keys(c.Key))
	if !slices.Equal(keys, slices.Sorted(slices.Values(attrs))) || c.Key[partitionAttr] != partition {
		return nil, errBadCursor
	}
	if _, ok := c.Key["pk"]; ok && !validItemKey(c.Key["pk"]) {
		return nil, errBadCursor
	}
	start := make(map[string]types.AttributeValue, len(c.Key))
	for k, v := range c.Key {
		if v == "" {
			return nil, errBadCursor
		}
		start[k] = &types.AttributeValueMemberS{Value: v}
	}
	return start, nil
}

// validItemKey keeps cursors to the kinds of items lists page through.
func validItemKey(pk string) bool {
	for _, prefix := range []string{"USER#", "USEARCH#", "TEAM#", "ROLE#", "ROLEUSE#", "INVCODE#", "INVITE#", "AUDIT"} {
		if strings.HasPrefix(pk, prefix) {
			return true
		}
	}
	return false
}
