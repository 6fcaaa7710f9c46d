package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
)

// SetMFA records whether a user signs in with a TOTP code, with fx. It changes the
// profile, so it increments the version: an admin edit made from a copy read before it
// is refused as stale. A user deleted meanwhile is not_found.
func (s *Store) SetMFA(ctx context.Context, id string, enabled bool, fx Effects) error {
	tx := s.txn()
	tx.update(userKey(id),
		expression.Set(expression.Name("mfaEnabled"), expression.Value(enabled)).Add(expression.Name("version"), expression.Value(1)),
		exists(), errUserMissing)
	tx.effects(fx)
	return tx.run(ctx)
}
