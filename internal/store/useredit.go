package store

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

var (
	errUserChanged = apperr.Stale("The user")
	// ErrInTeams refuses to make a member that still belongs to teams an admin:
	// platform admins and the super admin never belong to a team (SPEC.md section 1).
	ErrInTeams = &apperr.Error{Kind: apperr.Conflict, Code: "member_of_teams",
		Message: "This member still belongs to teams; remove it from them before making it an admin.",
		Fields:  map[string]string{"accountType": "cannot change while the user belongs to teams"}}
)

// joinsAttr counts the memberships ever added to a user: every membership write
// increments it on the user item (see addMembership). A promotion reads it, then finds
// no membership, and is conditioned on it being unchanged, so that a join racing the
// promotion makes one of the two fail instead of leaving an admin in a team.
const joinsAttr = "joins"

// joined is the update a new membership makes to its user's item.
func joined() expression.UpdateBuilder {
	return expression.Add(expression.Name(joinsAttr), expression.Value(1))
}

// SaveUser writes next over u, which the caller read, in one transaction conditioned on
// the version u was read at: an edit made meanwhile by anyone makes it version_conflict
// (409), so no concurrent edit is lost silently. Only what differs is written: the
// changed fields, the list index keys when the type or status changes, the search items
// when a term, the type or the status changes, and the email claims when the address
// changes (a new one taken is email_taken). Making a member an admin is refused with
// ErrInTeams while it belongs to a team. It answers the user as written.
func (s *Store) SaveUser(ctx context.Context, u, next user.User) (user.User, error) {
	next.ID, next.LoginAccount, next.Version = u.ID, u.LoginAccount, u.Version+1
	cond := expression.Name("version").Equal(expression.Value(u.Version))
	if u.AccountType == user.Member && next.AccountType.Admin() {
		guard, err := s.noTeams(ctx, u)
		if err != nil {
			return user.User{}, err
		}
		cond = cond.And(guard)
	}

	update := expression.Set(expression.Name("version"), expression.Value(next.Version))
	setOrRemove := func(name, from, to string) {
		switch {
		case from == to:
		case to == "":
			update = update.Remove(expression.Name(name))
		default:
			update = update.Set(expression.Name(name), expression.Value(to))
		}
	}
	setOrRemove("username", u.Username, next.Username)
	setOrRemove("mobile", u.Mobile, next.Mobile)
	setOrRemove("email", u.Email, next.Email)
	if u.EmailVerified != next.EmailVerified {
		update = update.Set(expression.Name("emailVerified"), expression.Value(next.EmailVerified))
	}
	if u.AccountType != next.AccountType || u.Status != next.Status {
		// The record moves between the lists by type, by status and by both.
		r := toUserRecord(next)
		update = update.Set(expression.Name("accountType"), expression.Value(r.AccountType)).
			Set(expression.Name("status"), expression.Value(r.Status)).
			Set(expression.Name("gsi2pk"), expression.Value(r.GSI2PK)).
			Set(expression.Name("gsi3pk"), expression.Value(r.GSI3PK)).
			Set(expression.Name("gsi4pk"), expression.Value(r.GSI4PK))
	}

	tx := s.txn()
	tx.update(userKey(u.ID), update, cond, errUserChanged)
	if from, to := validate.Fold(u.Email), validate.Fold(next.Email); from != to {
		if from != "" {
			tx.deleteAlways(emailKey(from))
		}
		if to != "" {
			tx.put(claimRecord{key: emailKey(to), UserID: u.ID}, notExists(), errEmailTaken)
		}
	}
	if searchChanged(u, next) {
		rewrites, err := s.searchRewrites(u, next)
		if err != nil {
			return user.User{}, err
		}
		for _, w := range rewrites {
			tx.add(w, nil)
		}
	}
	if err := tx.run(ctx); err != nil {
		return user.User{}, err
	}
	return next, nil
}

// searchChanged reports whether u's search items differ from next's: they hold the
// terms and the list filters (type and status).
func searchChanged(u, next user.User) bool {
	return strings.Join(searchTerms(u), " ") != strings.Join(searchTerms(next), " ") ||
		u.AccountType != next.AccountType || u.Status != next.Status
}

// noTeams finds u in no team and answers the condition that keeps it so: the join
// count is read first, then the memberships, so a join after the count was read
// changes the count and fails the condition.
func (s *Store) noTeams(ctx context.Context, u user.User) (expression.ConditionBuilder, error) {
	item, err := s.getItem(ctx, userKey(u.ID))
	if err != nil {
		return expression.ConditionBuilder{}, err
	}
	if item == nil {
		return expression.ConditionBuilder{}, apperr.Missing("User")
	}
	var r struct {
		Version int64  `dynamodbav:"version"`
		Joins   *int64 `dynamodbav:"joins"`
	}
	if err := attributevalue.UnmarshalMap(item, &r); err != nil {
		return expression.ConditionBuilder{}, apperr.Wrap(err, "unmarshal user")
	}
	if r.Version != u.Version {
		return expression.ConditionBuilder{}, errUserChanged
	}
	memberships, err := s.UserMemberships(ctx, u.ID)
	if err != nil {
		return expression.ConditionBuilder{}, err
	}
	if len(memberships) > 0 {
		return expression.ConditionBuilder{}, ErrInTeams
	}
	if r.Joins == nil {
		return expression.AttributeNotExists(expression.Name(joinsAttr)), nil
	}
	return expression.Name(joinsAttr).Equal(expression.Value(*r.Joins)), nil
}
