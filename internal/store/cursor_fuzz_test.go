package store

import (
	"maps"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// FuzzCursor: any cursor a caller sends is read without a panic, refused as the cursor
// field alone unless it is one of this list's, and one that is read stands for a key of
// the list's partition with exactly the index's attributes; it encodes back to a cursor
// that reads the same. A cursor the store makes reads back to the key it was made from.
func FuzzCursor(f *testing.F) {
	attrs := []string{"gsi1pk", "gsi1sk", "pk", "sk"}
	made := encodeCursor("teams", map[string]types.AttributeValue{
		"gsi1pk": &types.AttributeValueMemberS{Value: "TEAMS"}, "gsi1sk": &types.AttributeValueMemberS{Value: "sales#x"},
		"pk": &types.AttributeValueMemberS{Value: "TEAM#x"}, "sk": &types.AttributeValueMemberS{Value: "TEAM"},
	}, attrs)
	for _, seed := range []string{made, "", "e30", "bm90IGpzb24", "eyJsIjoidGVhbXMiLCJrIjp7fX0", "!!!", made + "A", made[:len(made)/2]} {
		f.Add(seed, "sales#y")
	}
	f.Fuzz(func(t *testing.T, raw, sortValue string) {
		start, err := decodeCursor(raw, "teams", attrs, "gsi1pk", "TEAMS")
		if err != nil {
			if err != errBadCursor {
				t.Fatalf("refused with %v, not the cursor field's 400", err)
			}
			return
		}
		if raw == "" {
			if start != nil {
				t.Fatal("no cursor is not the first page")
			}
			return
		}
		if len(start) != len(attrs) || start["gsi1pk"].(*types.AttributeValueMemberS).Value != "TEAMS" {
			t.Fatalf("cursor %q reads as %v: not a key of the list's partition", raw, start)
		}
		again, err := decodeCursor(encodeCursor("teams", start, attrs), "teams", attrs, "gsi1pk", "TEAMS")
		if err != nil || !maps.EqualFunc(again, start, sameString) {
			t.Fatalf("cursor %q does not survive encoding: %v, %v", raw, again, err)
		}
		if _, err := decodeCursor(raw, "users", attrs, "gsi1pk", "TEAMS"); err == nil {
			t.Fatal("a cursor of one list was read for another")
		}
		if sortValue == "" || !utf8.ValidString(sortValue) { // DynamoDB's strings are UTF-8
			return
		}
		key := maps.Clone(start)
		key["gsi1sk"] = &types.AttributeValueMemberS{Value: sortValue}
		back, err := decodeCursor(encodeCursor("teams", key, attrs), "teams", attrs, "gsi1pk", "TEAMS")
		if err == nil && !maps.EqualFunc(back, key, sameString) {
			t.Fatalf("a made cursor reads back as %v, not %v", back, key)
		}
	})
}

func sameString(a, b types.AttributeValue) bool {
	x, ok1 := a.(*types.AttributeValueMemberS)
	y, ok2 := b.(*types.AttributeValueMemberS)
	return ok1 && ok2 && x.Value == y.Value
}
