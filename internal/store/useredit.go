package store

import (
	"context"
	"errors"
	"log/slog"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

var (
	errUserChanged = apperr.Stale("The user")
	// ErrInTeams refuses to make a member that still belongs to teams an admin:
	// platform admins and the super admin never belong to a team (SPEC.md section 1).
	ErrInTeams = &apperr.Error{Kind: apperr.Conflict, Code: apperr.CodeMemberOfTeams,
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

// userUpdateAttempts bounds the tries of an UpdateUser that keeps losing races.
const userUpdateAttempts = 3

// A UserEdit makes its edit of u: the user to write and the effects that go with it.
// Answering u unchanged writes nothing; an error ends the update with it.
type UserEdit func(u user.User) (user.User, Effects, error)

// UpdateUser writes edit's edit of u on u's version (SaveUser); u is the user as the
// caller read it to decide on the edit, so a first try costs no read. When another
// edit got there first, it reads the user again and applies edit anew, at most
// userUpdateAttempts times in all. It answers the user as written.
func (s *Store) UpdateUser(ctx context.Context, u user.User, edit UserEdit) (user.User, error) {
	for attempt := 1; ; attempt++ {
		next, fx, err := edit(u)
		if err != nil {
			return user.User{}, err
		}
		if next == u {
			return u, nil
		}
		saved, err := s.SaveUser(ctx, u, next, fx)
		if !errors.Is(err, errUserChanged.Code) || attempt == userUpdateAttempts {
			return saved, err
		}
		if u, err = s.User(ctx, u.ID); err != nil {
			return user.User{}, err
		}
	}
}

// SaveUser writes next over u, with fx, on the version u was read at: an edit made
// meanwhile makes it version_conflict, so none is lost silently. Only what differs is
// written; a new address already taken is email_taken, and a member still in a team
// is not made an admin (ErrInTeams). It answers the user as written.
func (s *Store) SaveUser(ctx context.Context, u, next user.User, fx Effects) (user.User, error) {
	next.ID, next.LoginAccount, next.Version = u.ID, u.LoginAccount, u.Version+1
	next.Locale = next.Locale.OrDefault() // as a read answers it
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
	setOrRemove("locale", string(u.Locale.OrDefault()), string(next.Locale.OrDefault()))
	if u.EmailVerified != next.EmailVerified {
		update = update.Set(expression.Name("emailVerified"), expression.Value(next.EmailVerified))
	}
	if u.AccountType != next.AccountType || u.Status != next.Status {
		// The record moves between the lists of admins by type and of the frozen.
		was, r := toUserRecord(u), toUserRecord(next)
		update = update.Set(expression.Name("accountType"), expression.Value(r.AccountType)).
			Set(expression.Name("status"), expression.Value(r.Status))
		setOrRemove("gsi2pk", was.GSI2PK, r.GSI2PK)
		setOrRemove("gsi2sk", was.GSI2SK, r.GSI2SK)
		setOrRemove("gsi3pk", was.GSI3PK, r.GSI3PK)
		setOrRemove("gsi3sk", was.GSI3SK, r.GSI3SK)
		setOrRemove("gsi4pk", was.GSI4PK, r.GSI4PK)
		setOrRemove("gsi4sk", was.GSI4SK, r.GSI4SK)
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
	tx.effects(fx)
	// Search items are outside the transaction (see searchRecord): the new terms' go
	// before it and the old terms' after, so a search never misses a term a user has.
	added, removed := termChanges(searchTerms(u), searchTerms(next))
	if err := s.putSearchItems(ctx, searchRecordsOf(next, added)); err != nil {
		return user.User{}, err
	}
	if err := tx.run(ctx); err != nil {
		// The new terms' items stay: they may be another edit's, which won, and
		// searches leave out the items of terms a user does not have.
		return user.User{}, err
	}
	s.dropSearchItems(ctx, next, removed)
	return next, nil
}

// termChanges answers the terms in next and not in was, and those in was and not in
// next; both lists are sorted.
func termChanges(was, next []string) (added, removed []string) {
	for _, t := range next {
		if !slices.Contains(was, t) {
			added = append(added, t)
		}
	}
	for _, t := range was {
		if !slices.Contains(next, t) {
			removed = append(removed, t)
		}
	}
	return added, removed
}

// putSearchItems writes search items whatever is there.
func (s *Store) putSearchItems(ctx context.Context, records []searchRecord) error {
	items := make([]map[string]types.AttributeValue, len(records))
	for i, r := range records {
		item, err := attributevalue.MarshalMap(r)
		if err != nil {
			return apperr.Wrap(err, "marshal search item")
		}
		items[i] = item
	}
	return s.putItems(ctx, items)
}

// dropSearchItems deletes the items of terms next no longer has, each unless an edit
// newer than next has written it again. The edit is done by then: a failure is
// logged, and leaves an item that searches ignore.
func (s *Store) dropSearchItems(ctx context.Context, next user.User, terms []string) {
	if len(terms) == 0 {
		return
	}
	// An item without a version was written before items had one: it is older.
	older := expression.AttributeNotExists(expression.Name("version")).
		Or(expression.Name("version").LessThan(expression.Value(next.Version)))
	expr, err := expression.NewBuilder().WithCondition(older).Build()
	if err != nil {
		slog.WarnContext(ctx, "search items left behind", "user", next.ID, "error", err.Error())
		return
	}
	for _, term := range terms {
		_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: aws.String(s.table), Key: searchKey(term, next.ID).av(),
			ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		})
		if err != nil && !isConditionFailed(err) {
			slog.WarnContext(ctx, "search item left behind", "user", next.ID, "term", term, "error", err.Error())
		}
	}
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
