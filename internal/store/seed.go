package store

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// SeedUsers writes users with exactly the items CreateUser writes (the user, its
// login and email claims, its search items), with BatchWriteItem instead of a
// conditional transaction: it is for filling a table with many users quickly
// (benchmarks), and checks no uniqueness. Users already in the table are overwritten.
func (s *Store) SeedUsers(ctx context.Context, users []user.User) error {
	var requests []types.WriteRequest
	add := func(record any) error {
		item, err := attributevalue.MarshalMap(record)
		if err != nil {
			return apperr.Wrap(err, "marshal")
		}
		requests = append(requests, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
		return nil
	}
	for _, u := range users {
		records := []any{toUserRecord(u), claimRecord{key: loginKey(validate.Fold(u.LoginAccount)), UserID: u.ID}}
		if u.Email != "" {
			records = append(records, claimRecord{key: emailKey(validate.Fold(u.Email)), UserID: u.ID})
		}
		for _, r := range searchRecords(u) {
			records = append(records, r)
		}
		for _, r := range records {
			if err := add(r); err != nil {
				return err
			}
		}
	}
	for batch := range slices.Chunk(requests, 25) { // BatchWriteItem's limit
		pending := map[string][]types.WriteRequest{s.table: batch}
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt == 8 {
				return apperr.Wrap(errUnprocessed, "batch write")
			}
			if err := backOff(ctx, attempt, batchStep); err != nil {
				return apperr.Wrap(err, "batch write")
			}
			out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return apperr.Wrap(err, "batch write")
			}
			pending = out.UnprocessedItems
		}
	}
	return nil
}
