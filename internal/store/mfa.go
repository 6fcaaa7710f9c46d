package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/user"
)

// SetMFA records whether a user signs in with a TOTP code and answers the user as
// stored. It changes the profile, so it increments the version: an admin edit made
// from a copy read before it is refused as stale. A user deleted meanwhile is not_found.
func (s *Store) SetMFA(ctx context.Context, id string, enabled bool) (user.User, error) {
	cond := exists()
	out, err := s.updateItem(ctx, userKey(id),
		expression.Set(expression.Name("mfaEnabled"), expression.Value(enabled)).Add(expression.Name("version"), expression.Value(1)),
		&cond, types.ReturnValueAllNew)
	if isConditionFailed(err) {
		return user.User{}, apperr.Missing("User")
	}
	if err != nil {
		return user.User{}, apperr.Wrap(err, "set mfa")
	}
	var r userRecord
	if err := attributevalue.UnmarshalMap(out.Attributes, &r); err != nil {
		return user.User{}, apperr.Wrap(err, "unmarshal user")
	}
	return r.user(), nil
}
