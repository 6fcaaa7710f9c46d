package store

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
)

// A membership is written twice, in one transaction: under the team (its member list)
// and under the user (the user's teams, for /v1/me), so that both are one consistent
// Query. Each of its roles gets a role-use item, which makes "is this role assigned?"
// and "members of this team with this role" key lookups.
type memberRecord struct {
	key
	TeamID   string   `dynamodbav:"teamId"`
	UserID   string   `dynamodbav:"userId"`
	RoleIDs  []string `dynamodbav:"roleIds"`
	JoinedAt string   `dynamodbav:"joinedAt"`
	AddedBy  string   `dynamodbav:"addedBy,omitempty"`
}

type roleUseRecord struct {
	key
	RoleID string `dynamodbav:"roleId"`
	TeamID string `dynamodbav:"teamId"`
	UserID string `dynamodbav:"userId"`
}

const memberOfPrefix = "MEMBEROF#"

func memberKey(teamID, userID string) key { return key{PK: "TEAM#" + teamID, SK: "MEMBER#" + userID} }
func memberOfKey(userID, teamID string) key {
	return key{PK: userKey(userID).PK, SK: memberOfPrefix + teamID}
}
func roleUseKey(roleID, teamID, userID string) key {
	return key{PK: "ROLEUSE#" + roleID, SK: teamID + "#" + userID}
}

// membershipKeys are every item of one membership.
func membershipKeys(m team.Membership) []key {
	keys := []key{memberKey(m.TeamID, m.UserID), memberOfKey(m.UserID, m.TeamID)}
	for _, r := range m.RoleIDs {
		keys = append(keys, roleUseKey(r, m.TeamID, m.UserID))
	}
	return keys
}

func (r memberRecord) membership() team.Membership {
	return team.Membership{TeamID: r.TeamID, UserID: r.UserID, RoleIDs: r.RoleIDs, JoinedAt: parseTime(r.JoinedAt), AddedBy: r.AddedBy}
}

func memberRecords(m team.Membership) (teamSide, userSide memberRecord) {
	r := memberRecord{TeamID: m.TeamID, UserID: m.UserID, RoleIDs: m.RoleIDs, JoinedAt: formatTime(m.JoinedAt), AddedBy: m.AddedBy}
	teamSide, userSide = r, r
	teamSide.key, userSide.key = memberKey(m.TeamID, m.UserID), memberOfKey(m.UserID, m.TeamID)
	return teamSide, userSide
}

var (
	errAlreadyMember = apperr.Taken(apperr.CodeAlreadyMember, "userId", "This user is already a member of the team.")
	errNotMember     = apperr.Missing("Membership")
	errMemberChanged = apperr.Stale("The membership")
	errRoleGone      = apperr.InvalidFields(map[string]string{"roleIds": "names a role that does not exist"})
	// Only members join teams: admins manage every team already (SPEC.md section 1).
	errCannotJoin = apperr.InvalidFields(map[string]string{"userId": "must be an existing member account; admins never join teams"})
	// The joiner's account changed (its address, its type) since the request read it.
	errJoinerChanged = apperr.Stale("Your account")
)

// roleActive holds for a custom role that exists and is not being deleted.
func roleActive() expression.ConditionBuilder {
	return exists().And(expression.AttributeNotExists(expression.Name("deleting")))
}

// checkRoles makes tx depend on each custom role still existing; built-in roles always do.
func checkRoles(tx *txn, roleIDs []string) {
	for _, id := range roleIDs {
		if _, builtIn := team.BuiltIn(id); !builtIn {
			tx.check(roleKey(id), roleActive(), errRoleGone)
		}
	}
}

// addMembership adds the writes of a new membership to tx. It depends on the team
// being active (unless the team is created in the same transaction), the roles
// existing, and the user existing as a member account; it counts the join on the user.
func (s *Store) addMembership(tx *txn, m team.Membership, checkTeam bool) {
	s.addMembershipVerifying(tx, m, checkTeam, "")
}

// addMembershipVerifying is addMembership that also marks the user's address verified
// when verify is set: the address as the user was read, and the write holds only while
// it is still the user's (an edit of the profile, it bumps the version).
func (s *Store) addMembershipVerifying(tx *txn, m team.Membership, checkTeam bool, verify string) {
	teamSide, userSide := memberRecords(m)
	tx.put(teamSide, notExists(), errAlreadyMember)
	tx.put(userSide, notExists(), errAlreadyMember)
	for _, r := range m.RoleIDs {
		tx.putAlways(roleUseRecord{key: roleUseKey(r, m.TeamID, m.UserID), RoleID: r, TeamID: m.TeamID, UserID: m.UserID})
	}
	if checkTeam {
		tx.check(teamKey(m.TeamID), teamActive(), errTeamMissing)
	}
	checkRoles(tx, m.RoleIDs)
	// Counted on the user, so that a promotion racing this join fails (see SaveUser).
	update := joined()
	cond := exists().And(expression.Name("accountType").Equal(expression.Value(string(user.Member)))).
		And(expression.AttributeNotExists(expression.Name("pending")))
	conflict := errCannotJoin
	if verify != "" {
		update = update.Set(expression.Name("emailVerified"), expression.Value(true)).Add(expression.Name("version"), expression.Value(1))
		cond, conflict = cond.And(expression.Name("email").Equal(expression.Value(verify))), errJoinerChanged
	}
	tx.update(userKey(m.UserID), update, cond, conflict)
}

// AddMember writes a new membership of an existing member user, with fx.
func (s *Store) AddMember(ctx context.Context, m team.Membership, fx Effects) error {
	tx := s.txn()
	s.addMembership(tx, m, true)
	tx.effects(fx)
	return tx.run(ctx)
}

// Membership reads one membership; a non-member is not_found.
func (s *Store) Membership(ctx context.Context, teamID, userID string) (team.Membership, error) {
	item, err := s.getItem(ctx, memberKey(teamID, userID))
	if err != nil {
		return team.Membership{}, err
	}
	if item == nil {
		return team.Membership{}, errNotMember
	}
	var r memberRecord
	if err := attributevalue.UnmarshalMap(item, &r); err != nil {
		return team.Membership{}, apperr.Wrap(err, "unmarshal membership")
	}
	return r.membership(), nil
}

// sameRoles holds while the membership still has the roles it was read with, so that
// role-use items never drift from the membership they describe.
func sameRoles(roleIDs []string) expression.ConditionBuilder {
	return exists().And(expression.Name("roleIds").Equal(expression.Value(roleIDs)))
}

// SetMemberRoles replaces a membership's roles if they are still those of old, with fx.
func (s *Store) SetMemberRoles(ctx context.Context, old team.Membership, roleIDs []string, fx Effects) error {
	tx := s.txn()
	set := expression.Set(expression.Name("roleIds"), expression.Value(roleIDs))
	tx.update(memberKey(old.TeamID, old.UserID), set, sameRoles(old.RoleIDs), errMemberChanged)
	tx.update(memberOfKey(old.UserID, old.TeamID), set, exists(), errMemberChanged)
	for _, r := range old.RoleIDs {
		if !slices.Contains(roleIDs, r) {
			tx.deleteAlways(roleUseKey(r, old.TeamID, old.UserID))
		}
	}
	for _, r := range roleIDs {
		if !slices.Contains(old.RoleIDs, r) {
			tx.putAlways(roleUseRecord{key: roleUseKey(r, old.TeamID, old.UserID), RoleID: r, TeamID: old.TeamID, UserID: old.UserID})
		}
	}
	tx.check(teamKey(old.TeamID), teamActive(), errTeamMissing)
	checkRoles(tx, roleIDs)
	tx.effects(fx)
	return tx.run(ctx)
}

// RemoveMember deletes a membership with its role uses, if its roles are still those of
// m, with fx.
func (s *Store) RemoveMember(ctx context.Context, m team.Membership, fx Effects) error {
	tx := s.txn()
	tx.delete(memberKey(m.TeamID, m.UserID), sameRoles(m.RoleIDs), errMemberChanged)
	for _, k := range membershipKeys(m)[1:] {
		tx.deleteAlways(k)
	}
	tx.effects(fx)
	return tx.run(ctx)
}

// UserMemberships answers every membership of a user (a user is in few teams).
func (s *Store) UserMemberships(ctx context.Context, userID string) ([]team.Membership, error) {
	return s.userMemberships(ctx, userID, false)
}

// UserMembershipsSnapshot is UserMemberships for what a page only shows (a user's
// teams on GET /v1/me and GET /v1/users/{id}): eventually consistent, at half the RRU,
// as list pages are. Decisions read UserMemberships.
func (s *Store) UserMembershipsSnapshot(ctx context.Context, userID string) ([]team.Membership, error) {
	return s.userMemberships(ctx, userID, true)
}

func (s *Store) userMemberships(ctx context.Context, userID string, eventual bool) ([]team.Membership, error) {
	items, err := s.queryAll(ctx, query{keyCond: expression.Key("pk").Equal(expression.Value(userKey(userID).PK)).
		And(expression.Key("sk").BeginsWith(memberOfPrefix)), eventual: eventual})
	if err != nil {
		return nil, err
	}
	var records []memberRecord
	if err := attributevalue.UnmarshalListOfMaps(items, &records); err != nil {
		return nil, apperr.Wrap(err, "unmarshal memberships")
	}
	out := make([]team.Membership, len(records))
	for i, r := range records {
		out[i] = r.membership()
	}
	return out, nil
}

// DeleteMemberships removes a user from every team, for the deletion of the user. What
// the user created in a team (invitations) stays with the team.
func (s *Store) DeleteMemberships(ctx context.Context, userID string) error {
	memberships, err := s.UserMemberships(ctx, userID)
	if err != nil {
		return err
	}
	var keys []key
	for _, m := range memberships {
		keys = append(keys, membershipKeys(m)...)
	}
	return s.deleteItems(ctx, keys)
}

// Member is one row of a team's member list.
type Member struct {
	team.Membership
	User user.User
}

// MemberFilter narrows a team's member list; zero values mean no filter.
type MemberFilter struct {
	RoleID      string
	Query       string // prefix of username, login account or email, any case
	AccountType user.AccountType
	Status      user.Status
}

func (f MemberFilter) matches(u user.User) bool {
	q := strings.ToLower(f.Query)
	return (f.AccountType == "" || u.AccountType == f.AccountType) &&
		(f.Status == "" || u.Status == f.Status) &&
		(q == "" || slices.ContainsFunc(searchTerms(u), func(t string) bool { return strings.HasPrefix(t, q) }))
}

// ListMembers answers one page of a team's members, by user id. A role filter is a key
// lookup on the role's uses; a name filter reads the users of each page and keeps
// those matching, reading at most maxReadPerPage items per page.
func (s *Store) ListMembers(ctx context.Context, teamID string, f MemberFilter, p Page) ([]Member, string, error) {
	var qry query
	var spec listSpec
	if f.RoleID != "" {
		partition := "ROLEUSE#" + f.RoleID
		qry = query{keyCond: expression.Key("pk").Equal(expression.Value(partition)).And(expression.Key("sk").BeginsWith(teamID + "#"))}
		spec = listSpec{name: "members:" + teamID + ":" + f.RoleID + ":" + filterName(f), attrs: []string{"pk", "sk"}, pkAttr: "pk", partition: partition}
	} else {
		partition := teamKey(teamID).PK
		qry = query{keyCond: expression.Key("pk").Equal(expression.Value(partition)).And(expression.Key("sk").BeginsWith("MEMBER#")), eventual: true}
		spec = listSpec{name: "members:" + teamID + "::" + filterName(f), attrs: []string{"pk", "sk"}, pkAttr: "pk", partition: partition}
	}
	return collect(ctx, s, qry, spec, p, func(ctx context.Context, items []map[string]types.AttributeValue) ([]Member, []bool, error) {
		userIDs := make([]string, len(items))
		keys := make([]key, 0, 2*len(items))
		memberships := map[string]team.Membership{}
		for i, item := range items {
			userIDs[i] = strAttr(item, "userId")
			if f.RoleID != "" { // role-use items: the memberships are read with the users
				keys = append(keys, memberKey(teamID, userIDs[i]), userKey(userIDs[i]))
				continue
			}
			// The Query read the memberships themselves: only their users are left
			// to read.
			var r memberRecord
			if err := attributevalue.UnmarshalMap(item, &r); err != nil {
				return nil, nil, apperr.Wrap(err, "unmarshal membership")
			}
			memberships[r.UserID] = r.membership()
		}
		users := map[string]user.User{}
		if f.RoleID == "" {
			// Eventually consistent, as the page's Query: half the RRU of a consistent read.
			var err error
			if users, err = s.usersByID(ctx, userIDs); err != nil {
				return nil, nil, err
			}
		}
		found, err := s.getItems(ctx, keys)
		if err != nil {
			return nil, nil, err
		}
		for _, item := range found {
			if strAttr(item, "sk") == "PROFILE" {
				var r userRecord
				if err := attributevalue.UnmarshalMap(item, &r); err != nil {
					return nil, nil, apperr.Wrap(err, "unmarshal user")
				}
				users[r.ID] = r.user()
				continue
			}
			var r memberRecord
			if err := attributevalue.UnmarshalMap(item, &r); err != nil {
				return nil, nil, apperr.Wrap(err, "unmarshal membership")
			}
			memberships[r.UserID] = r.membership()
		}
		values := make([]Member, len(items))
		keep := make([]bool, len(items))
		for i, id := range userIDs {
			m, isMember := memberships[id]
			u, isUser := users[id]
			values[i] = Member{Membership: m, User: u}
			keep[i] = isMember && isUser && f.matches(u)
		}
		return values, keep, nil
	})
}

// filterName ties a cursor to the filters of its list.
func filterName(f MemberFilter) string {
	return strings.ToLower(f.Query) + ":" + string(f.AccountType) + ":" + string(f.Status)
}
