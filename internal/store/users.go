package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/locale"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// userRecord is a user as stored. Its index keys put it in its lists, newest first:
// all users (GSI1); admins by type (GSI2); the frozen, all and by type (GSI3, GSI4).
// Those last hold only the few, as every index costs each write: a list of active
// members, most users, reads GSI1 and leaves the others out (ListUsers).
type userRecord struct {
	key
	GSI1PK string `dynamodbav:"gsi1pk,omitempty"`
	GSI1SK string `dynamodbav:"gsi1sk,omitempty"`
	GSI2PK string `dynamodbav:"gsi2pk,omitempty"`
	GSI2SK string `dynamodbav:"gsi2sk,omitempty"`
	GSI3PK string `dynamodbav:"gsi3pk,omitempty"`
	GSI3SK string `dynamodbav:"gsi3sk,omitempty"`
	GSI4PK string `dynamodbav:"gsi4pk,omitempty"`
	GSI4SK string `dynamodbav:"gsi4sk,omitempty"`

	ID            string `dynamodbav:"id"`
	Username      string `dynamodbav:"username"`
	LoginAccount  string `dynamodbav:"loginAccount"`
	Email         string `dynamodbav:"email,omitempty"`
	EmailVerified bool   `dynamodbav:"emailVerified"`
	Mobile        string `dynamodbav:"mobile,omitempty"`
	AccountType   string `dynamodbav:"accountType"`
	Status        string `dynamodbav:"status"`
	MFAEnabled    bool   `dynamodbav:"mfaEnabled"`
	Locale        string `dynamodbav:"locale,omitempty"`
	CreatedAt     string `dynamodbav:"createdAt"`
	CreatedBy     string `dynamodbav:"createdBy,omitempty"`
	LastLoginAt   string `dynamodbav:"lastLoginAt,omitempty"`
	SessionsEnded string `dynamodbav:"sessionsEndedAt,omitempty"`
	Version       int64  `dynamodbav:"version"`
}

// storedUser is a user item as read and as first written: a userRecord, and while
// the user's creation is not finished (see CreatePendingUser) the marks of that.
type storedUser struct {
	userRecord
	// Pending is set by CreatePendingUser and removed by ConfirmUser: in between, the
	// user's sign-in account may or may not exist, and the user is nobody to readers.
	Pending bool `dynamodbav:"pending,omitempty"`
	// ExpiresAt (Unix seconds) is the TTL of a pending user nobody came back to: TTL
	// only cleans, and a pending user is hidden from the moment it is written.
	ExpiresAt int64 `dynamodbav:"expiresAt,omitempty"`
}

// pendingTTL is how long a pending user item is kept before TTL may remove it: long
// past accounts.PendingGrace, so a sign-in or creation usually meets the whole
// half-made user and removes it all. Claims TTL leaves behind go with the next
// creation that needs them (HalfMadeHolders).
const pendingTTL = 24 * time.Hour

// claimRecord reserves a unique value (login account or email) for a user.
type claimRecord struct {
	key
	UserID string `dynamodbav:"userId"`
}

// searchRecord lets lists find a user by a prefix of one of its terms. Edits write it
// outside their transaction (SaveUser), so it may briefly outlive its term and is
// checked against the user when read (searchUsers). Version is its writer's: an older
// edit's late delete spares an item a newer one wrote again.
type searchRecord struct {
	key
	UserID  string `dynamodbav:"userId"`
	Term    string `dynamodbav:"term"`
	Version int64  `dynamodbav:"version"`
}

// User list partitions, one per index.
const usersAll = "USERS"

func usersByType(t user.AccountType) string { return "USERS#T#" + string(t) }
func usersByStatus(s user.Status) string    { return "USERS#S#" + string(s) }
func usersByTypeStatus(t user.AccountType, s user.Status) string {
	return "USERS#T#" + string(t) + "#S#" + string(s)
}

func toUserRecord(u user.User) userRecord {
	sortKey := formatTime(u.CreatedAt) + "#" + u.ID
	r := userRecord{
		key:    userKey(u.ID),
		GSI1PK: usersAll, GSI1SK: sortKey,
		ID:            u.ID,
		Username:      u.Username,
		LoginAccount:  u.LoginAccount,
		Email:         u.Email,
		EmailVerified: u.EmailVerified,
		Mobile:        u.Mobile,
		AccountType:   string(u.AccountType),
		Status:        string(u.Status),
		MFAEnabled:    u.MFAEnabled,
		Locale:        string(u.Locale.OrDefault()),
		CreatedAt:     formatTime(u.CreatedAt),
		CreatedBy:     u.CreatedBy,
		LastLoginAt:   formatTime(u.LastLoginAt),
		SessionsEnded: formatTime(u.SessionsEndedAt),
		Version:       u.Version,
	}
	if typeListed(u.AccountType) {
		r.GSI2PK, r.GSI2SK = usersByType(u.AccountType), sortKey
	}
	if statusListed(u.Status) {
		r.GSI3PK, r.GSI3SK = usersByStatus(u.Status), sortKey
		r.GSI4PK, r.GSI4SK = usersByTypeStatus(u.AccountType, u.Status), sortKey
	}
	return r
}

// typeListed says whether users of type t are in the by-type list (GSI2): the admins,
// not the members, who are most users.
func typeListed(t user.AccountType) bool { return t.Admin() }

// statusListed says whether users of status s are in the by-status lists (GSI3, GSI4):
// only the frozen, the exception.
func statusListed(s user.Status) bool { return s == user.Frozen }

func (r userRecord) user() user.User {
	return user.User{
		ID:              r.ID,
		Username:        r.Username,
		LoginAccount:    r.LoginAccount,
		Email:           r.Email,
		EmailVerified:   r.EmailVerified,
		Mobile:          r.Mobile,
		AccountType:     user.AccountType(r.AccountType),
		Status:          user.Status(r.Status),
		MFAEnabled:      r.MFAEnabled,
		Locale:          locale.Locale(r.Locale).OrDefault(),
		CreatedAt:       parseTime(r.CreatedAt),
		CreatedBy:       r.CreatedBy,
		LastLoginAt:     parseTime(r.LastLoginAt),
		SessionsEndedAt: parseTime(r.SessionsEnded),
		Version:         r.Version,
	}
}

// searchTerms are the distinct lower-cased values a user can be found by.
func searchTerms(u user.User) []string {
	terms := []string{strings.ToLower(u.Username), strings.ToLower(u.LoginAccount)}
	if u.Email != "" {
		terms = append(terms, strings.ToLower(u.Email))
	}
	slices.Sort(terms)
	return slices.Compact(terms)
}

func searchRecords(u user.User) []searchRecord {
	return searchRecordsOf(u, searchTerms(u))
}

func searchRecordsOf(u user.User, terms []string) []searchRecord {
	out := make([]searchRecord, 0, len(terms))
	for _, term := range terms {
		out = append(out, searchRecord{key: searchKey(term, u.ID), UserID: u.ID, Term: term, Version: u.Version})
	}
	return out
}

// shownAt is the term under which a search for prefix q shows u: the first of its
// terms in order that starts with q ("" if none does), so a user found by several
// terms is shown once.
func shownAt(u user.User, q string) string {
	for _, t := range searchTerms(u) {
		if strings.HasPrefix(t, q) {
			return t
		}
	}
	return ""
}

var (
	errLoginTaken = apperr.Taken(apperr.CodeLoginAccountTaken, "loginAccount", "This login account is already taken.")
	errEmailTaken = apperr.Taken(apperr.CodeEmailTaken, "email", "This email address is already in use.")
	// ErrBootstrapped is returned by CreateUser with superAdmin set when the one super
	// admin already exists.
	ErrBootstrapped = apperr.New(apperr.Conflict, apperr.CodeAlreadyBootstrapped, "The super admin already exists.")
)

// CreateUser writes a whole new user, with nothing left to wait for: for seeding and
// tests, which make users with no sign-in account. An account is created in two steps
// (CreatePendingUser, ConfirmUser) around its sign-in account.
func (s *Store) CreateUser(ctx context.Context, u user.User, superAdmin bool) error {
	return s.createUser(ctx, storedUser{userRecord: toUserRecord(u)}, superAdmin)
}

// CreatePendingUser is the first step of creating an account (accounts.Create): the
// user, its claims (login_account_taken, email_taken, with superAdmin
// already_bootstrapped) and search items in one transaction, as pending: it holds its
// claims and is nobody to readers until ConfirmUser (HalfMadeError).
func (s *Store) CreatePendingUser(ctx context.Context, u user.User, superAdmin bool) error {
	r := toUserRecord(u)
	r.GSI1PK, r.GSI1SK, r.GSI2PK, r.GSI2SK, r.GSI3PK, r.GSI3SK, r.GSI4PK, r.GSI4SK = "", "", "", "", "", "", "", ""
	return s.createUser(ctx, storedUser{userRecord: r, Pending: true, ExpiresAt: u.CreatedAt.Add(pendingTTL).Unix()}, superAdmin)
}

func (s *Store) createUser(ctx context.Context, record storedUser, superAdmin bool) error {
	tx := s.txn()
	tx.put(record, notExists(), nil)
	for _, r := range userClaims(record.user(), superAdmin) {
		tx.put(r.record, notExists(), r.taken)
	}
	return tx.run(ctx)
}

// userClaim is one of the items a new user holds besides its own, and the error its
// being held already means (nil for a search item).
type userClaim struct {
	record any
	taken  conflict
}

// userClaims are the items a new user u holds: with superAdmin, the super admin claim
// first (so that a second bootstrap reports it rather than the login account its first
// run took); its login account and email claims; its search items.
func userClaims(u user.User, superAdmin bool) []userClaim {
	var out []userClaim
	if superAdmin {
		out = append(out, userClaim{claimRecord{key: superAdminKey(), UserID: u.ID}, ErrBootstrapped})
	}
	out = append(out, userClaim{claimRecord{key: loginKey(validate.Fold(u.LoginAccount)), UserID: u.ID}, errLoginTaken})
	if u.Email != "" {
		out = append(out, userClaim{claimRecord{key: emailKey(validate.Fold(u.Email)), UserID: u.ID}, errEmailTaken})
	}
	for _, r := range searchRecords(u) {
		out = append(out, userClaim{r, nil})
	}
	return out
}

// errUserMissing is what a reader of a user that does not exist (or does not yet:
// HalfMadeError) gets.
var errUserMissing = apperr.Missing("User")

// DeleteUserRecords removes u's item, claims and search items, with fx: it undoes
// CreatePendingUser and ends a deletion, either of which may run twice. A claim goes
// only while it is u's (a late run meeting another's is not_found), and the item only
// at u's version, so a claim u took meanwhile (a new email) is read again and goes too.
func (s *Store) DeleteUserRecords(ctx context.Context, u user.User, superAdmin bool, fx Effects) error {
	for attempt := 1; ; attempt++ {
		err := s.deleteUserRecords(ctx, u, superAdmin, fx)
		if !errors.Is(err, apperr.CodeVersionConflict) || attempt == transactAttempts {
			return err
		}
		item, err := s.getItem(ctx, userKey(u.ID))
		if err != nil {
			return err
		}
		if item == nil {
			continue // gone meanwhile: the condition holds now, and the claims are checked as ours
		}
		var r storedUser
		if err := attributevalue.UnmarshalMap(item, &r); err != nil {
			return apperr.Wrap(err, "unmarshal user")
		}
		u = r.user()
	}
}

func (s *Store) deleteUserRecords(ctx context.Context, u user.User, superAdmin bool, fx Effects) error {
	tx := s.txn()
	tx.delete(userKey(u.ID), notExists().Or(expression.Name("version").Equal(expression.Value(u.Version))), errUserChanged)
	s.releaseUser(tx, u, superAdmin)
	tx.effects(fx)
	return tx.run(ctx)
}

// releaseUser adds to tx the removal of u's claims, each only while it is u's (or
// already gone), and of its search items.
func (s *Store) releaseUser(tx *txn, u user.User, superAdmin bool) {
	ours := notExists().Or(expression.Name("userId").Equal(expression.Value(u.ID)))
	tx.delete(loginKey(validate.Fold(u.LoginAccount)), ours, errUserMissing)
	if u.Email != "" {
		tx.delete(emailKey(validate.Fold(u.Email)), ours, errUserMissing)
	}
	if superAdmin {
		tx.delete(superAdminKey(), ours, errUserMissing)
	}
	for _, r := range searchRecords(u) {
		tx.deleteAlways(r.key)
	}
}

// User reads one user; a missing user is a not_found error, and so is a user whose
// creation has not finished (a *HalfMadeError, which says so to those who repair it).
// The read is consistent: it decides whether a caller is frozen (from the moment of
// the freeze, SPEC.md section 1) and is the version an edit is conditioned on.
func (s *Store) User(ctx context.Context, id string) (user.User, error) {
	item, err := s.getItem(ctx, userKey(id))
	if err != nil {
		return user.User{}, err
	}
	if item == nil {
		return user.User{}, errUserMissing
	}
	var r storedUser
	if err := attributevalue.UnmarshalMap(item, &r); err != nil {
		return user.User{}, apperr.Wrap(err, "unmarshal user")
	}
	if r.Pending {
		return user.User{}, &HalfMadeError{User: r.user()}
	}
	return r.user(), nil
}

// UserIDByLogin finds who holds a login account (ignoring case).
func (s *Store) UserIDByLogin(ctx context.Context, loginAccount string) (string, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table),
		Key:       loginKey(validate.Fold(loginAccount)).av(),
	})
	if err != nil {
		return "", apperr.Wrap(err, "get login claim")
	}
	if out.Item == nil {
		return "", apperr.Missing("Login account")
	}
	var c claimRecord
	if err := attributevalue.UnmarshalMap(out.Item, &c); err != nil {
		return "", apperr.Wrap(err, "unmarshal login claim")
	}
	return c.UserID, nil
}

// SuperAdminID answers the id of the bootstrapped super admin; not_found before the
// bootstrap.
func (s *Store) SuperAdminID(ctx context.Context) (string, error) {
	item, err := s.getItem(ctx, superAdminKey())
	if err != nil {
		return "", err
	}
	if item == nil {
		return "", apperr.Missing("Super admin")
	}
	var c claimRecord
	if err := attributevalue.UnmarshalMap(item, &c); err != nil {
		return "", apperr.Wrap(err, "unmarshal super admin claim")
	}
	return c.UserID, nil
}

// SetLastLogin records a successful sign-in. It is not an admin edit, so it leaves
// the version alone, and it never recreates a user deleted meanwhile, nor moves the
// time back when sign-ins race.
func (s *Store) SetLastLogin(ctx context.Context, id string, at time.Time) error {
	return s.setTime(ctx, id, "lastLoginAt", at)
}

// EndSessions records that every access token of the user issued before at is void,
// with fx. Like SetLastLogin it is no edit of what admins see, so it leaves the version
// alone; of two that race, the later time stays, so no ended session comes back (fx are
// written either way: the sessions have ended).
func (s *Store) EndSessions(ctx context.Context, id string, at time.Time, fx Effects) error {
	if fx.Empty() {
		return s.setTime(ctx, id, "sessionsEndedAt", at)
	}
	value := formatTime(at)
	tx := s.txn()
	tx.update(userKey(id), expression.Set(expression.Name("sessionsEndedAt"), expression.Value(value)),
		exists().And(expression.Or(
			expression.AttributeNotExists(expression.Name("sessionsEndedAt")),
			expression.Name("sessionsEndedAt").LessThan(expression.Value(value)))), errUserMissing)
	tx.effects(fx)
	err := tx.run(ctx)
	if !errors.Is(err, apperr.CodeNotFound) {
		return err
	}
	// The user is gone, or its sessions ended later already: fx go with a check that says which.
	tx = s.txn()
	tx.check(userKey(id), exists(), errUserMissing)
	tx.effects(fx)
	return tx.run(ctx)
}

// setTime moves one time attribute of an existing user forward to at, never back: the
// layout is fixed-width, so the strings compare as the times do.
func (s *Store) setTime(ctx context.Context, id, attr string, at time.Time) error {
	value := formatTime(at)
	cond := exists().And(expression.Or(
		expression.AttributeNotExists(expression.Name(attr)),
		expression.Name(attr).LessThan(expression.Value(value))))
	_, err := s.updateItem(ctx, userKey(id), expression.Set(expression.Name(attr), expression.Value(value)), &cond, types.ReturnValueNone)
	if err != nil && !isConditionFailed(err) {
		return apperr.Wrap(err, "set "+attr)
	}
	return nil
}
