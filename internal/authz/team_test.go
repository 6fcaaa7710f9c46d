package authz

import (
	"testing"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
)

func TestCheckTeam(t *testing.T) {
	t.Parallel()
	super := user.User{ID: "super", AccountType: user.SuperAdmin}
	admin := user.User{ID: "admin", AccountType: user.PlatformAdmin}
	m := user.User{ID: "m", AccountType: user.Member}
	none := Standing{}
	owner := Standing{Member: true, Permissions: team.Effective([]team.Role{team.Owner})}
	teamAdmin := Standing{Member: true, Permissions: team.Effective([]team.Role{team.Admin})}
	plain := Standing{Member: true, Permissions: team.Effective([]team.Role{team.Member})}
	nothing := Standing{Member: true, Permissions: team.Effective([]team.Role{{ID: "x", Permissions: []string{"miniprogram:publish"}}})}

	// Being in the team, whatever the roles, is what CheckInTeam asks (leaving it).
	for _, tt := range []struct {
		name   string
		caller user.User
		s      Standing
		want   apperr.Code
	}{{"admin", admin, none, ""}, {"outsider", m, none, notFound}, {"member without team:read", m, nothing, ""}, {"plain member", m, plain, ""}} {
		if got := code(CheckInTeam(tt.caller, tt.s)); got != tt.want {
			t.Errorf("CheckInTeam(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}

	actions := []TeamAction{ViewTeam, UpdateTeam, ManageMembers, CreateMembers, ManageInvitations}
	tests := []struct {
		name   string
		caller user.User
		s      Standing
		want   [5]apperr.Code // per action: "" allowed, else the error code
	}{
		// Admins manage every team without joining it.
		{"super admin", super, none, [5]apperr.Code{"", "", "", "", ""}},
		{"platform admin", admin, none, [5]apperr.Code{"", "", "", "", ""}},
		// A team the caller is not in does not exist for it.
		{"outsider", m, none, [5]apperr.Code{notFound, notFound, notFound, notFound, notFound}},
		{"owner", m, owner, [5]apperr.Code{"", "", "", "", ""}},
		{"team admin", m, teamAdmin, [5]apperr.Code{"", "", "", "", ""}},
		{"plain member", m, plain, [5]apperr.Code{"", forbidden, forbidden, forbidden, forbidden}},
		{"member with business keys only", m, nothing, [5]apperr.Code{forbidden, forbidden, forbidden, forbidden, forbidden}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for i, action := range actions {
				err := CheckTeam(tt.caller, tt.s, action)
				if got := code(err); got != tt.want[i] {
					t.Errorf("%s: got %q, want %q", action, got, tt.want[i])
				}
			}
		})
	}
}

func TestNoEscalation(t *testing.T) {
	t.Parallel()
	m := user.User{ID: "m", AccountType: user.Member}
	admin := user.User{ID: "a", AccountType: user.PlatformAdmin}
	publisher := team.Role{ID: "p", Permissions: []string{team.TeamRead, "miniprogram:publish"}}
	inviter := team.Role{ID: "i", Permissions: []string{team.TeamRead, team.MembersManage, team.InvitationsManage}}
	standing := func(roles ...team.Role) Standing {
		return Standing{Member: true, Permissions: team.Effective(roles)}
	}
	tests := []struct {
		name   string
		caller user.User
		s      Standing
		assign []team.Role
		denied []string // fields named
	}{
		{"a manager grants what it holds", m, standing(inviter), []team.Role{team.Member, inviter}, nil},
		{"never more", m, standing(inviter), []team.Role{team.Member, team.Admin, team.Owner}, []string{"roleIds[1]", "roleIds[2]"}},
		{"business keys count", m, standing(inviter), []team.Role{publisher}, []string{"roleIds[0]"}},
		{"the team admin cannot make owners", m, standing(team.Admin), []team.Role{team.Owner}, []string{"roleIds[0]"}},
		{"the owner grants anything", m, standing(team.Owner), []team.Role{team.Owner, publisher, team.Admin}, nil},
		{"roles add up", m, standing(inviter, publisher), []team.Role{publisher, inviter}, nil},
		{"admins grant anything", admin, Standing{}, []team.Role{team.Owner}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckAssign(tt.caller, tt.s, "roleIds", tt.assign)
			e := apperr.As(err)
			if len(tt.denied) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if e == nil || e.Code != apperr.CodeForbidden || len(e.Fields) != len(tt.denied) {
				t.Fatalf("got %v, want forbidden naming %v", err, tt.denied)
			}
			for _, f := range tt.denied {
				if _, ok := e.Fields[f]; !ok {
					t.Fatalf("%s not named in %v", f, e.Fields)
				}
			}
		})
	}
}

func TestRemoveAndChangeMembers(t *testing.T) {
	t.Parallel()
	m := user.User{ID: "m", AccountType: user.Member}
	manager := Standing{Member: true, Permissions: team.Effective([]team.Role{team.Admin})}
	plain := Standing{Member: true, Permissions: team.Effective([]team.Role{team.Member})}
	tests := []struct {
		name   string
		s      Standing
		target string
		roles  []team.Role
		want   apperr.Code
	}{
		{"anyone leaves", plain, "m", []team.Role{team.Member}, ""},
		{"even an owner leaves", Standing{Member: true, Permissions: team.Effective([]team.Role{team.Owner})}, "m", []team.Role{team.Owner}, ""},
		{"a plain member removes nobody", plain, "other", []team.Role{team.Member}, forbidden},
		{"a manager removes a member", manager, "other", []team.Role{team.Member}, ""},
		{"a manager does not oust the owner", manager, "other", []team.Role{team.Owner}, forbidden},
		{"an outsider sees no team", Standing{}, "other", []team.Role{team.Member}, notFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := code(CheckRemove(m, tt.s, tt.target, tt.roles)); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	if CheckJoin(user.User{AccountType: user.PlatformAdmin}) == nil || CheckJoin(user.User{AccountType: user.SuperAdmin}) == nil {
		t.Fatal("an admin may join a team")
	}
	if err := CheckJoin(m); err != nil {
		t.Fatalf("a member may not join: %v", err)
	}
}

// The codes the tables expect; "" is allowed.
const (
	notFound  = apperr.CodeNotFound
	forbidden = apperr.CodeForbidden
	revoked   = apperr.CodeInvitationRevoked
)

// code returns err's code, "" for nil, or the text of an error that is no *apperr.Error.
func code(err error) apperr.Code {
	if err == nil {
		return ""
	}
	if e := apperr.As(err); e != nil {
		return e.Code
	}
	return apperr.Code(err.Error())
}

// TestCheckGrant: an invitation grants its roles while its issuer, as it is now, could
// make it; once not, it is revoked.
func TestCheckGrant(t *testing.T) {
	t.Parallel()
	member := func(s user.Status) *user.User { return &user.User{ID: "m", AccountType: user.Member, Status: s} }
	admin := func(t user.AccountType, s user.Status) *user.User {
		return &user.User{ID: "a", AccountType: t, Status: s}
	}
	standing := func(roles ...team.Role) Standing { return Standing{Member: true, Permissions: team.Effective(roles)} }
	inviter := team.Role{ID: "i", Permissions: []string{team.TeamRead, team.InvitationsManage}}
	publisher := team.Role{ID: "p", Permissions: []string{team.TeamRead, "miniprogram:publish"}}
	tests := []struct {
		name   string
		issuer *user.User
		s      Standing
		grant  []team.Role
		want   apperr.Code
	}{
		{"a team admin's admin link", member(user.Active), standing(team.Admin), []team.Role{team.Admin}, ""},
		{"the same, its issuer demoted to member", member(user.Active), standing(team.Member), []team.Role{team.Admin}, revoked},
		{"its issuer out of the team", member(user.Active), Standing{}, []team.Role{team.Member}, revoked},
		{"its issuer deleted", nil, Standing{}, []team.Role{team.Member}, revoked},
		{"its issuer frozen", member(user.Frozen), standing(team.Owner), []team.Role{team.Member}, revoked},
		{"an inviter grants what it holds", member(user.Active), standing(inviter), []team.Role{team.Member}, ""},
		{"not what it no longer holds", member(user.Active), standing(inviter), []team.Role{publisher}, revoked},
		{"its issuer lost invitations:manage", member(user.Active), standing(team.Member, publisher), []team.Role{team.Member}, revoked},
		{"the owner grants anything", member(user.Active), standing(team.Owner), []team.Role{team.Owner, publisher}, ""},
		{"a platform admin, in no team", admin(user.PlatformAdmin, user.Active), Standing{}, []team.Role{team.Owner}, ""},
		{"the super admin, in no team", admin(user.SuperAdmin, user.Active), Standing{}, []team.Role{team.Admin}, ""},
		{"a frozen platform admin", admin(user.PlatformAdmin, user.Frozen), Standing{}, []team.Role{team.Member}, revoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := code(CheckGrant(tt.issuer, tt.s, tt.grant)); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
