package store

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// key is a primary key of the table.
type key struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
}

func (k key) av() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: k.PK},
		"sk": &types.AttributeValueMemberS{Value: k.SK},
	}
}

func userKey(id string) key { return key{PK: "USER#" + id, SK: "PROFILE"} }

// Uniqueness claims: one item per folded login account or email, written in the same
// transaction as the user, so that two concurrent claims cannot both succeed.
func loginKey(folded string) key { return key{PK: "LOGIN#" + folded, SK: "LOGIN"} }
func emailKey(folded string) key { return key{PK: "EMAIL#" + folded, SK: "EMAIL"} }

// superAdminKey marks that the one super admin exists.
func superAdminKey() key { return key{PK: "SUPERADMIN", SK: "SUPERADMIN"} }

// searchKey indexes one search term of a user. Terms never contain a space (see
// validate), so the space sorts each term before its longer extensions' ids.
func searchKey(term, userID string) key {
	return key{PK: searchPartition(term), SK: term + " " + userID}
}

// searchPartition spreads search items over partitions by the term's first rune;
// every prefix query knows its partition from its own first rune.
func searchPartition(term string) string {
	for _, r := range term {
		return "USEARCH#" + string(r)
	}
	return "USEARCH#"
}
