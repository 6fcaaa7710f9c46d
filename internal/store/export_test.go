package store

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
)

// DropSearchItems runs the last step of an edit on its own, so that a test can run it
// late, as a slow edit would.
func (s *Store) DropSearchItems(ctx context.Context, next user.User, terms []string) {
	s.dropSearchItems(ctx, next, terms)
}

// WriteLegacyName writes a team (or, with role set, a custom role) as the store wrote
// it before names were keyed by validate.NameKey: no nameKey attribute, and the claim
// under the lower-cased name.
func (s *Store) WriteLegacyName(ctx context.Context, id, name string, role bool) error {
	tx := s.txn()
	if role {
		r := toRoleRecord(team.Role{ID: id, Name: name, Permissions: []string{}}, 1)
		r.NameKey, r.GSI1SK = "", strings.ToLower(name)+"#"+id
		tx.put(r, notExists(), nil)
		tx.put(nameClaim{key: roleNameKey(strings.ToLower(name)), ID: id}, notExists(), errRoleNameTaken)
	} else {
		r := toTeamRecord(team.Team{ID: id, Name: name})
		r.NameKey, r.GSI1SK = "", strings.ToLower(name)+"#"+id
		tx.put(r, notExists(), nil)
		tx.put(nameClaim{key: teamNameKey(strings.ToLower(name)), ID: id}, notExists(), errTeamNameTaken)
	}
	return tx.run(ctx)
}

// NameClaim answers the id holding a team's (or role's) name claim under key, "" for none.
func (s *Store) NameClaim(ctx context.Context, key string, role bool) (string, error) {
	k := teamNameKey(key)
	if role {
		k = roleNameKey(key)
	}
	item, err := s.getItem(ctx, k)
	if err != nil || item == nil {
		return "", err
	}
	return strAttr(item, "id"), nil
}

// DeleteUserItem removes a user's item alone, as DynamoDB's TTL removes a pending
// user that nobody came back to: its claims and search items stay.
func (s *Store) DeleteUserItem(ctx context.Context, id string) error {
	return s.deleteItems(ctx, []key{userKey(id)})
}

// DropLocale removes a user's locale attribute, as the store wrote users before they
// had one.
func (s *Store) DropLocale(ctx context.Context, id string) error {
	_, err := s.updateItem(ctx, userKey(id), expression.Remove(expression.Name("locale")), nil, types.ReturnValueNone)
	return err
}

// EffectsAlone runs a transaction of fx and nothing else, which the store never does.
func (s *Store) EffectsAlone(ctx context.Context, fx Effects) error {
	tx := s.txn()
	tx.effects(fx)
	return tx.run(ctx)
}
