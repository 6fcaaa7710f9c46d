package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/user"
)

// SeedUsers writes users with the items CreateUser writes, with BatchWriteItem
// instead of a conditional transaction: it fills a table with many users quickly
// (benchmarks), checking no uniqueness and overwriting users already there.
func (s *Store) SeedUsers(ctx context.Context, users []user.User) error {
	var items []map[string]types.AttributeValue
	for _, u := range users {
		records := []any{toUserRecord(u)}
		for _, c := range userClaims(u, false) {
			records = append(records, c.record)
		}
		for _, r := range records {
			item, err := attributevalue.MarshalMap(r)
			if err != nil {
				return apperr.Wrap(err, "marshal")
			}
			items = append(items, item)
		}
	}
	return s.writeBatches(ctx, putRequests(items), "batch write", seedAttempts)
}

// seedAttempts bounds the calls a seeding batch may take: seeding writes far more than
// a request does, as fast as the table takes it.
const seedAttempts = 8
