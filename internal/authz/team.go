package authz

import (
	"fmt"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
)

// The rules of SPEC.md section 3 inside a team: admins manage every team and join none;
// a member acts through its roles' permissions there; a team the caller is not in is not
// found rather than forbidden, so its existence is not revealed; a manager assigns, and
// changes or removes, only what its own permissions cover; an invitation grants only
// while its issuer could still make it; any member may leave.

// TeamAction is something a caller does in one team.
type TeamAction string

const (
	ViewTeam          TeamAction = team.TeamRead
	UpdateTeam        TeamAction = team.TeamUpdate
	ManageMembers     TeamAction = team.MembersManage
	CreateMembers     TeamAction = team.MembersCreate
	ManageInvitations TeamAction = team.InvitationsManage
)

// Standing is what a caller holds in one team: its membership's effective permissions,
// or nothing when it is not a member.
type Standing struct {
	Member      bool
	Permissions team.Permissions
}

// CheckTeam returns nil when caller may do action in the team where it has standing s,
// not_found when the team is hidden from it, and forbidden otherwise.
func CheckTeam(caller user.User, s Standing, action TeamAction) error {
	switch {
	case caller.AccountType.Admin():
		return nil
	case !s.Member:
		return apperr.Missing("Team")
	case s.Permissions.Has(string(action)):
		return nil
	}
	return apperr.Denied()
}

// CheckInTeam returns nil when caller may learn that the team exists: an admin, or a member
// of it whatever its roles; to anyone else the team is missing, as one that does not exist.
func CheckInTeam(caller user.User, s Standing) error {
	if caller.AccountType.Admin() || s.Member {
		return nil
	}
	return apperr.Missing("Team")
}

// CheckAdmin returns nil for the platform-level team actions only admins may do:
// create and delete teams, list every team, define roles.
func CheckAdmin(caller user.User) error {
	if caller.AccountType.Admin() {
		return nil
	}
	return apperr.Denied()
}

// CheckJoin returns nil when caller's account may join a team: members only.
func CheckJoin(caller user.User) error {
	if caller.AccountType == user.Member {
		return nil
	}
	return &apperr.Error{Kind: apperr.Forbidden, Code: apperr.CodeForbidden,
		Message: "Admins manage every team and never join one."}
}

// CheckAssign returns nil when caller, with standing s, may assign every role of roles
// (listed as field, e.g. "roleIds"); otherwise a 403 naming each role it may not.
func CheckAssign(caller user.User, s Standing, field string, roles []team.Role) error {
	if caller.AccountType.Admin() {
		return nil
	}
	refused := map[string]string{}
	for i, r := range roles {
		if !s.Permissions.Covers(r) {
			refused[fmt.Sprintf("%s[%d]", field, i)] = "grants permissions you do not hold in this team"
		}
	}
	if len(refused) == 0 {
		return nil
	}
	return &apperr.Error{Kind: apperr.Forbidden, Code: apperr.CodeForbidden, Fields: refused,
		Message: "You can only assign roles whose permissions you hold in this team."}
}

// CheckRemove returns nil when caller may remove target's membership (with roles
// targetRoles): itself always (leaving), otherwise with members:manage and roles it
// could have assigned.
func CheckRemove(caller user.User, s Standing, targetID string, targetRoles []team.Role) error {
	if caller.ID == targetID && s.Member {
		return nil
	}
	return CheckChangeMember(caller, s, targetRoles)
}

// CheckChangeMember returns nil when caller may change the roles of, or remove, a
// member whose current roles are targetRoles.
func CheckChangeMember(caller user.User, s Standing, targetRoles []team.Role) error {
	if err := CheckTeam(caller, s, ManageMembers); err != nil {
		return err
	}
	if caller.AccountType.Admin() {
		return nil
	}
	for _, r := range targetRoles {
		if !s.Permissions.Covers(r) {
			return &apperr.Error{Kind: apperr.Forbidden, Code: apperr.CodeForbidden,
				Message: "This member holds permissions you do not hold in this team."}
		}
	}
	return nil
}

// CheckGrant returns nil while an invitation (code or link) still grants roles: while
// its issuer, as it is now (nil once deleted), with standing s in the team, could make
// it, by the rules that decide a new one (CheckTeam, CheckAssign). A frozen issuer
// grants nothing until it is recovered. Otherwise the invitation is revoked: it answers
// as one its team revoked, without saying why, since anyone holding it may ask.
func CheckGrant(issuer *user.User, s Standing, roles []team.Role) error {
	if issuer == nil || issuer.Status != user.Active ||
		CheckTeam(*issuer, s, ManageInvitations) != nil || CheckAssign(*issuer, s, "roleIds", roles) != nil {
		return team.ErrRevoked
	}
	return nil
}
