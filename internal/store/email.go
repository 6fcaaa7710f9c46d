package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// EmailTaken reports whether some user holds email (ignoring case).
func (s *Store) EmailTaken(ctx context.Context, email string) (bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:            aws.String(s.table),
		Key:                  emailKey(validate.Fold(email)).av(),
		ProjectionExpression: aws.String("pk"),
	})
	if err != nil {
		return false, apperr.Wrap(err, "get email claim")
	}
	return out.Item != nil, nil
}

// ChangeEmail gives u the verified address email (see SaveUser: conditioned on the
// version u was read at, the old claim released, the new one claimed or email_taken,
// the search items rewritten). It answers the user as written.
func (s *Store) ChangeEmail(ctx context.Context, u user.User, email string) (user.User, error) {
	next := u
	next.Email, next.EmailVerified = email, true
	return s.SaveUser(ctx, u, next)
}

// searchRewrites turns u's search items into next's: every item of next is written
// (each carries all of the user's terms), and the items of terms next no longer
// has are deleted. A transaction may touch an item only once, hence no delete of
// an item that is also written.
func (s *Store) searchRewrites(u, next user.User) ([]types.TransactWriteItem, error) {
	var out []types.TransactWriteItem
	keep := map[key]bool{}
	for _, r := range searchRecords(next) {
		item, err := attributevalue.MarshalMap(r)
		if err != nil {
			return nil, apperr.Wrap(err, "marshal search item")
		}
		keep[r.key] = true
		out = append(out, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: item}})
	}
	for _, r := range searchRecords(u) {
		if !keep[r.key] {
			out = append(out, s.del(r.key.av()))
		}
	}
	return out, nil
}
