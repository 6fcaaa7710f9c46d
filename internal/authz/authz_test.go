package authz

import (
	"fmt"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/user"
)

// verdict is what a caller gets for an action on a target: allowed, or the exact
// refusal a handler answers.
type verdict string

const (
	Y        verdict = "allowed"
	N        verdict = "403 forbidden"
	frozen   verdict = "403 account_frozen"
	unauthed verdict = "401 unauthenticated"
)

func verdictOf(err error) verdict {
	e := apperr.As(err)
	switch {
	case err == nil:
		return Y
	case e != nil && e.Kind == apperr.Forbidden && e.Code == apperr.CodeForbidden:
		return N
	case e != nil && e.Kind == apperr.Forbidden && e.Code == apperr.CodeAccountFrozen:
		return frozen
	case e != nil && e.Kind == apperr.Unauthenticated && e.Code == apperr.CodeUnauthenticated:
		return unauthed
	}
	return verdict("unexpected " + err.Error())
}

// decide is what every handler does: the caller's standing from its record (nil for a
// deleted user), then the rule for the action.
func decide(caller *user.User, action Action, target user.User) error {
	if err := Caller(caller, time.Now()); err != nil {
		return err
	}
	return Check(*caller, action, target)
}

var allActions = []Action{
	CreateUser, EditUsername, ChangeAccountType, ResetPassword, DeleteUser, FreezeUser, RecoverUser,
	UnbindMFA, UnbindEmail, ViewUser, ListUsers, ViewLoginEvents, ViewAuditEvents,
}

func TestDecide(t *testing.T) {
	t.Parallel()
	super := &user.User{ID: "super", AccountType: user.SuperAdmin, Status: user.Active}
	admin := &user.User{ID: "admin", AccountType: user.PlatformAdmin, Status: user.Active}
	otherAdmin := &user.User{ID: "admin2", AccountType: user.PlatformAdmin, Status: user.Active}
	member := &user.User{ID: "member", AccountType: user.Member, Status: user.Active}
	otherMember := &user.User{ID: "member2", AccountType: user.Member, Status: user.Active}
	// A frozen account keeps its type: a frozen platform admin has no powers left.
	frozenAdmin := &user.User{ID: "frozen-admin", AccountType: user.PlatformAdmin, Status: user.Frozen}
	frozenMember := &user.User{ID: "frozen-member", AccountType: user.Member, Status: user.Frozen}
	// A deleted user's token still passes the JWT authorizer, but no record is found.
	var deleted *user.User

	// Targets, in the order of every row's verdicts below.
	type target struct {
		name string
		of   func(caller *user.User) user.User
	}
	targets := []target{
		{"self", func(c *user.User) user.User {
			if c == nil {
				return user.User{ID: "deleted", AccountType: user.Member}
			}
			return *c
		}},
		{"super admin", func(*user.User) user.User { return *super }},
		{"platform admin", func(c *user.User) user.User {
			if c == admin {
				return *otherAdmin
			}
			return *admin
		}},
		{"member", func(c *user.User) user.User {
			if c == member {
				return *otherMember
			}
			return *member
		}},
	}
	type row struct {
		name    string
		caller  *user.User
		action  Action
		verdict [4]verdict // self, super admin, platform admin, member
	}
	tests := []row{
		// SPEC.md section 1, super admin: everything, never against itself.
		{"super admin", super, ListUsers, [4]verdict{Y, Y, Y, Y}},
		{"super admin", super, ViewUser, [4]verdict{Y, Y, Y, Y}},
		{"super admin", super, ViewAuditEvents, [4]verdict{Y, Y, Y, Y}},
		{"super admin", super, EditUsername, [4]verdict{Y, Y, Y, Y}},
		{"super admin", super, ChangeAccountType, [4]verdict{N, N, Y, Y}},
		{"super admin", super, ResetPassword, [4]verdict{N, N, Y, Y}},
		{"super admin", super, DeleteUser, [4]verdict{N, N, Y, Y}},
		{"super admin", super, FreezeUser, [4]verdict{N, N, Y, Y}},
		{"super admin", super, RecoverUser, [4]verdict{N, N, Y, Y}},
		{"super admin", super, UnbindMFA, [4]verdict{N, N, Y, Y}},
		{"super admin", super, UnbindEmail, [4]verdict{N, N, Y, Y}},
		{"super admin", super, CreateUser, [4]verdict{N, N, Y, Y}},
		{"super admin", super, ViewLoginEvents, [4]verdict{Y, Y, Y, Y}},
		// Platform admin: members only; its own username; never account types.
		{"platform admin", admin, ListUsers, [4]verdict{Y, Y, Y, Y}},
		{"platform admin", admin, ViewUser, [4]verdict{Y, Y, Y, Y}},
		{"platform admin", admin, ViewAuditEvents, [4]verdict{Y, Y, Y, Y}},
		{"platform admin", admin, EditUsername, [4]verdict{Y, N, N, Y}},
		{"platform admin", admin, ChangeAccountType, [4]verdict{N, N, N, N}},
		{"platform admin", admin, ResetPassword, [4]verdict{N, N, N, Y}},
		{"platform admin", admin, DeleteUser, [4]verdict{N, N, N, Y}},
		{"platform admin", admin, FreezeUser, [4]verdict{N, N, N, Y}},
		{"platform admin", admin, RecoverUser, [4]verdict{N, N, N, Y}},
		{"platform admin", admin, UnbindMFA, [4]verdict{N, N, N, Y}},
		{"platform admin", admin, UnbindEmail, [4]verdict{N, N, N, Y}},
		{"platform admin", admin, CreateUser, [4]verdict{N, N, N, Y}},
		// Sign-in history is security data: like the accounts it manages, plus its own.
		{"platform admin", admin, ViewLoginEvents, [4]verdict{Y, N, N, Y}},
	}
	// Members have no platform powers at all; frozen and deleted callers are refused
	// before any rule is asked, whatever their type and whatever they ask.
	for _, a := range allActions {
		tests = append(tests,
			row{"member", member, a, [4]verdict{N, N, N, N}},
			row{"frozen platform admin", frozenAdmin, a, [4]verdict{frozen, frozen, frozen, frozen}},
			row{"frozen member", frozenMember, a, [4]verdict{frozen, frozen, frozen, frozen}},
			row{"deleted user", deleted, a, [4]verdict{unauthed, unauthed, unauthed, unauthed}},
		)
	}
	covered := map[string]map[Action]bool{}
	for _, tt := range tests {
		if covered[tt.name] == nil {
			covered[tt.name] = map[Action]bool{}
		}
		covered[tt.name][tt.action] = true
		for i, tg := range targets {
			t.Run(fmt.Sprintf("%s/%s/%s", tt.name, tt.action, tg.name), func(t *testing.T) {
				t.Parallel()
				target := tg.of(tt.caller)
				if tt.action == CreateUser && tg.name == "self" && tt.caller != nil {
					// Creating "oneself" means creating an account of one's own type.
					target = user.User{ID: "new", AccountType: tt.caller.AccountType}
				}
				if got := verdictOf(decide(tt.caller, tt.action, target)); got != tt.verdict[i] {
					t.Fatalf("got %s, want %s", got, tt.verdict[i])
				}
			})
		}
	}
	// Every caller type has a verdict for every action: a new action cannot slip
	// through without a row.
	for name, actions := range covered {
		for _, a := range allActions {
			if !actions[a] {
				t.Errorf("no row for %s / %s", name, a)
			}
		}
	}
}

func TestCallerTokenIssuedBeforeSessionsEnded(t *testing.T) {
	t.Parallel()
	ended := time.Date(2026, 5, 4, 10, 0, 0, 700_000_000, time.UTC)
	active := user.User{ID: "u", AccountType: user.Member, Status: user.Active, SessionsEndedAt: ended}
	frozenUser := active
	frozenUser.Status = user.Frozen
	tests := []struct {
		name     string
		caller   user.User
		issuedAt time.Time
		want     verdict
	}{
		{"sessions never ended", user.User{ID: "v", Status: user.Active}, time.Unix(1, 0), Y},
		{"token from before the end", active, ended.Add(-time.Hour), unauthed},
		{"token a second before the end", active, ended.Truncate(time.Second).Add(-time.Second), unauthed},
		{"token of the second of the end", active, ended.Truncate(time.Second), Y},
		{"token from after the end", active, ended.Add(time.Minute), Y},
		{"frozen says so, whatever the token", frozenUser, ended.Add(-time.Hour), frozen},
		{"frozen with a fresh token", frozenUser, ended.Add(time.Minute), frozen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := verdictOf(Caller(&tt.caller, tt.issuedAt)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
