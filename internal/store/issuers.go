package store

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
)

// An invitation grants its roles only while its issuer could still make it (SPEC.md
// section 5). Whether it could is authz's to decide; the store reads what decides it,
// and writes a redemption only while the issuer is still as read.

// Issuers is what one read found of some invitations' issuers in one team.
type Issuers struct {
	Team        team.Team
	Users       map[string]user.User       // the issuers that still exist
	Memberships map[string]team.Membership // by user id: the issuers that are in the team
	Roles       map[string]team.Role       // the roles asked for and those of the memberships
}

// Issuers reads the team teamID, the users issuerIDs as they are now, each one's
// membership in the team, and the roles roleIDs and those of the memberships: one
// BatchGetItem, and a second only for custom roles of the memberships that the first
// did not read. A missing team is not_found.
func (s *Store) Issuers(ctx context.Context, teamID string, issuerIDs, roleIDs []string) (Issuers, error) {
	return s.issuers(ctx, teamID, issuerIDs, roleIDs, true)
}

// IssuersSnapshot is Issuers for what a list page only shows: eventually consistent,
// at half the RRU, as the page's Query is.
func (s *Store) IssuersSnapshot(ctx context.Context, teamID string, issuerIDs, roleIDs []string) (Issuers, error) {
	return s.issuers(ctx, teamID, issuerIDs, roleIDs, false)
}

func (s *Store) issuers(ctx context.Context, teamID string, issuerIDs, roleIDs []string, consistent bool) (Issuers, error) {
	out := Issuers{Users: map[string]user.User{}, Memberships: map[string]team.Membership{}, Roles: map[string]team.Role{}}
	keys := []key{teamKey(teamID)}
	for _, id := range issuerIDs {
		keys = append(keys, userKey(id), memberKey(teamID, id))
	}
	keys = append(keys, builtInRoles(out.Roles, roleIDs)...)
	items, err := s.batchGet(ctx, keys, consistent)
	if err != nil {
		return Issuers{}, err
	}
	err = errTeamMissing
	for _, item := range items {
		switch sk := strAttr(item, "sk"); {
		case sk == "TEAM":
			out.Team, err = decodeTeam(item)
		case sk == "PROFILE":
			var r userRecord
			if uerr := attributevalue.UnmarshalMap(item, &r); uerr != nil {
				return Issuers{}, apperr.Wrap(uerr, "unmarshal user")
			}
			out.Users[r.ID] = r.user()
		case strings.HasPrefix(sk, "MEMBER#"):
			var r memberRecord
			if uerr := attributevalue.UnmarshalMap(item, &r); uerr != nil {
				return Issuers{}, apperr.Wrap(uerr, "unmarshal membership")
			}
			out.Memberships[r.UserID] = r.membership()
		case sk == "ROLE":
			if uerr := addRole(out.Roles, item); uerr != nil {
				return Issuers{}, uerr
			}
		}
	}
	if err != nil {
		return Issuers{}, err
	}
	var unread []string
	for _, m := range out.Memberships {
		for _, id := range m.RoleIDs {
			if _, read := out.Roles[id]; !read {
				unread = append(unread, id)
			}
		}
	}
	more := builtInRoles(out.Roles, unread)
	if len(more) == 0 {
		return out, nil
	}
	items, err = s.batchGet(ctx, more, consistent)
	if err != nil {
		return Issuers{}, err
	}
	for _, item := range items {
		if err := addRole(out.Roles, item); err != nil {
			return Issuers{}, err
		}
	}
	return out, nil
}

// Offer is what an invitation (code or link) grants, and who made it.
type Offer struct {
	IssuerID string
	RoleIDs  []string
}

// GrantJudge answers, for offers of one team's pending invitations, whether each still
// grants its roles. Lists ask it about each batch they read, so that they show an
// invitation as its redemption would find it.
type GrantJudge func(ctx context.Context, offers []Offer) ([]bool, error)

// judgePending asks judge about the n items that offer says are pending, and answers,
// for each of the n, whether it still grants (true for those not asked about).
func judgePending(ctx context.Context, judge GrantJudge, n int, offer func(i int) (Offer, bool)) ([]bool, error) {
	granted := make([]bool, n)
	var offers []Offer
	var asked []int
	for i := range n {
		o, pending := offer(i)
		granted[i] = true
		if pending {
			offers, asked = append(offers, o), append(asked, i)
		}
	}
	if len(offers) == 0 {
		return granted, nil
	}
	answers, err := judge(ctx, offers)
	if err != nil {
		return nil, err
	}
	for j, i := range asked {
		granted[i] = answers[j]
	}
	return granted, nil
}

// Issuer is an invitation's issuer as a redemption found it: its account type, and its
// membership's roles in the team (none for an admin).
type Issuer struct {
	ID          string
	AccountType user.AccountType
	RoleIDs     []string
}

// ErrIssuerChanged refuses a redemption whose issuer changed (was frozen, deleted, given
// other roles) since the redemption read it: the decision is to be made again.
var ErrIssuerChanged = apperr.Stale("The invitation's issuer")

// checkIssuer makes tx depend on the issuer being active and as it was read, so that a
// demotion, freeze or deletion racing the redemption comes wholly before or after it.
// A joiner that is the issuer itself is left to the membership's own condition: an
// issuer that could grant is in the team, where the joiner cannot be added again.
func checkIssuer(tx *txn, teamID, joinerID string, by Issuer) {
	if by.ID == joinerID {
		return
	}
	tx.check(userKey(by.ID), exists().
		And(expression.Name("status").Equal(expression.Value(string(user.Active)))).
		And(expression.Name("accountType").Equal(expression.Value(string(by.AccountType)))), ErrIssuerChanged)
	if !by.AccountType.Admin() {
		tx.check(memberKey(teamID, by.ID), sameRoles(by.RoleIDs), ErrIssuerChanged)
	}
}
