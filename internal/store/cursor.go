package store

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
)

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
