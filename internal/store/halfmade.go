package store

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// A half-made user is one whose creation stopped between its two steps (a Lambda
// timeout, a failed undo): written pending (CreatePendingUser), never confirmed
// (ConfirmUser), its sign-in account there or not. It holds its claims until removed
// (package accounts says who removes it, and when).

// HalfMadeError is what User answers for a pending user: to every reader it is a user
// that does not exist (it unwraps to not_found); accounts reads the user from it to
// remove it.
type HalfMadeError struct {
	User user.User
}

func (e *HalfMadeError) Error() string {
	return "the creation of user " + e.User.ID + " has not finished"
}

func (e *HalfMadeError) Unwrap() error { return errUserMissing }

var (
	// errNotPending refuses to confirm a user that is no longer pending: someone removed
	// it as half-made while its creation was still running (accounts.PendingGrace).
	errNotPending = apperr.New(apperr.Conflict, apperr.CodeUserCreationAbandoned, "The account could not be created; try again.")
	// errConfirmed refuses to remove as half-made a user whose creation has finished.
	errConfirmed = apperr.New(apperr.Conflict, apperr.CodeUserCreated, "The user's creation has finished.")
)

// ClaimTaken reports whether a user's creation failed on a claim someone holds: its
// login account, its email or the super admin slot.
func ClaimTaken(err error) bool {
	return errors.Is(err, apperr.CodeLoginAccountTaken) || errors.Is(err, apperr.CodeEmailTaken) ||
		errors.Is(err, apperr.CodeAlreadyBootstrapped)
}

// ConfirmUser is the last step of creating an account: the user is no longer pending
// and enters the lists, with fx. A pending user removed meanwhile fails it
// (user_creation_abandoned), so a creation that outlived its grace undoes itself
// instead of leaving a sign-in account beside no records.
func (s *Store) ConfirmUser(ctx context.Context, u user.User, fx Effects) error {
	r := toUserRecord(u)
	update := expression.Remove(expression.Name("pending")).Remove(expression.Name("expiresAt"))
	for name, value := range map[string]string{"gsi1pk": r.GSI1PK, "gsi1sk": r.GSI1SK, "gsi2pk": r.GSI2PK, "gsi2sk": r.GSI2SK,
		"gsi3pk": r.GSI3PK, "gsi3sk": r.GSI3SK, "gsi4pk": r.GSI4PK, "gsi4sk": r.GSI4SK} {
		if value != "" {
			update = update.Set(expression.Name(name), expression.Value(value))
		}
	}
	tx := s.txn()
	tx.update(userKey(u.ID), update, expression.AttributeExists(expression.Name("pending")), errNotPending)
	tx.effects(fx)
	return tx.run(ctx)
}

// DiscardHalfMade removes the records of a half-made user: its item, only while it is
// still pending (or already gone), with its claims and search items. A user confirmed
// meanwhile is left alone (user_created). fx go with it.
func (s *Store) DiscardHalfMade(ctx context.Context, u user.User, fx Effects) error {
	tx := s.txn()
	tx.delete(userKey(u.ID), notExists().Or(expression.AttributeExists(expression.Name("pending"))), errConfirmed)
	s.releaseUser(tx, u, u.AccountType == user.SuperAdmin)
	tx.effects(fx)
	return tx.run(ctx)
}

// HalfMadeHolders answers, of the holders of the claims u needs, those that are
// half-made users created before staleBefore, for the caller to remove. A claim whose
// user is gone altogether is nobody's (no transaction writes one alone) and is released
// at once; released says so. Either answer means a new try may succeed.
func (s *Store) HalfMadeHolders(ctx context.Context, u user.User, superAdmin bool, staleBefore time.Time) (halfMade []user.User, released bool, err error) {
	keys := []key{loginKey(validate.Fold(u.LoginAccount))}
	if u.Email != "" {
		keys = append(keys, emailKey(validate.Fold(u.Email)))
	}
	if superAdmin {
		keys = append(keys, superAdminKey())
	}
	claims, err := s.getItems(ctx, keys)
	if err != nil {
		return nil, false, err
	}
	heldBy := map[string][]key{} // holder id -> the claims it holds
	var holders []key
	for _, item := range claims {
		id := strAttr(item, "userId")
		if id == "" || id == u.ID {
			continue
		}
		if _, seen := heldBy[id]; !seen {
			holders = append(holders, userKey(id))
		}
		heldBy[id] = append(heldBy[id], key{PK: strAttr(item, "pk"), SK: strAttr(item, "sk")})
	}
	if len(holders) == 0 {
		return nil, false, nil
	}
	items, err := s.getItems(ctx, holders)
	if err != nil {
		return nil, false, err
	}
	found := map[string]bool{}
	for _, item := range items {
		var r storedUser
		if err := attributevalue.UnmarshalMap(item, &r); err != nil {
			return nil, false, apperr.Wrap(err, "unmarshal user")
		}
		found[r.ID] = true
		if r.Pending && parseTime(r.CreatedAt).Before(staleBefore) {
			halfMade = append(halfMade, r.user())
		}
	}
	for id, claimKeys := range heldBy {
		if found[id] {
			continue
		}
		for _, k := range claimKeys {
			ok, err := s.releaseOrphanClaim(ctx, k, id)
			if err != nil {
				return nil, false, err
			}
			released = released || ok
		}
	}
	return halfMade, released, nil
}

// releaseOrphanClaim deletes the claim at k while it still names holder, whose user
// item was found missing; false when someone else holds it by now.
func (s *Store) releaseOrphanClaim(ctx context.Context, k key, holder string) (bool, error) {
	expr, err := expression.NewBuilder().WithCondition(expression.Name("userId").Equal(expression.Value(holder))).Build()
	if err != nil {
		return false, apperr.Wrap(err, "build delete")
	}
	_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table), Key: k.av(),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	switch {
	case isConditionFailed(err):
		return false, nil
	case err != nil:
		return false, apperr.Wrap(err, "release claim")
	}
	slog.WarnContext(ctx, "released a claim whose user is gone", "claim", k.SK, "userId", holder)
	return true, nil
}
