package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
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

// ChangeEmail gives u the verified address email in one transaction: the user item,
// conditioned on the version u was read at (a concurrent edit makes it
// version_conflict); the old address's claim released; the new one claimed, or
// email_taken; and the search items rewritten for the new term. The new address
// must differ from the old one ignoring case. It answers the user as written.
func (s *Store) ChangeEmail(ctx context.Context, u user.User, email string) (user.User, error) {
	next := u
	next.Email, next.EmailVerified, next.Version = email, true, u.Version+1

	update := expression.Set(expression.Name("email"), expression.Value(next.Email)).
		Set(expression.Name("emailVerified"), expression.Value(true)).
		Set(expression.Name("version"), expression.Value(next.Version))
	expr, err := expression.NewBuilder().
		WithUpdate(update).
		WithCondition(expression.Name("version").Equal(expression.Value(u.Version))).
		Build()
	if err != nil {
		return user.User{}, apperr.Wrap(err, "build user update")
	}
	items := []types.TransactWriteItem{{Update: &types.Update{
		TableName:                 aws.String(s.table),
		Key:                       userKey(u.ID).av(),
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}}}
	conflicts := []conflict{apperr.Stale("Your account")}

	claim, err := attributevalue.MarshalMap(claimRecord{key: emailKey(validate.Fold(email)), UserID: u.ID})
	if err != nil {
		return user.User{}, apperr.Wrap(err, "marshal email claim")
	}
	put, err := s.put(claim, notExists())
	if err != nil {
		return user.User{}, apperr.Wrap(err, "build email claim")
	}
	items, conflicts = append(items, put), append(conflicts, errEmailTaken)
	if u.Email != "" {
		items, conflicts = append(items, s.del(emailKey(validate.Fold(u.Email)).av())), append(conflicts, nil)
	}

	rewrites, err := s.searchRewrites(u, next)
	if err != nil {
		return user.User{}, err
	}
	for _, w := range rewrites {
		items, conflicts = append(items, w), append(conflicts, nil)
	}
	if err := s.transact(ctx, items, conflicts); err != nil {
		return user.User{}, err
	}
	return next, nil
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
