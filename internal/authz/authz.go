// Package authz decides who may do what to whom. Its rules read like SPEC.md
// section 1; handlers ask it and never re-implement a rule.
package authz

import (
	"time"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/user"
)

// Action is something a caller does to a user account.
type Action string

const (
	ListUsers         Action = "list users"
	ViewUser          Action = "view user"
	CreateUser        Action = "create user"
	EditUsername      Action = "edit username" // and the other profile field, mobile
	ChangeAccountType Action = "change account type"
	ResetPassword     Action = "reset password"
	DeleteUser        Action = "delete user"
	FreezeUser        Action = "freeze user"
	RecoverUser       Action = "recover user"
	UnbindMFA         Action = "unbind MFA"
	UnbindEmail       Action = "unbind email"
	ViewAuditEvents   Action = "view audit events"
	ViewLoginEvents   Action = "view login events"
)

// Caller returns nil when the holder of a valid access token issued at issuedAt may act
// at all, given its user record as read for this request (nil when there is none): a
// deleted user's token is refused, a frozen user's from the freeze, and one issued before
// the user's sessions ended stays refused even once it is recovered. Token times have
// whole seconds, so one of the second the sessions ended passes: it may be the sign-in
// that followed.
func Caller(caller *user.User, issuedAt time.Time) error {
	switch {
	case caller == nil:
		return apperr.Unauthorized()
	case caller.Status == user.Frozen:
		return apperr.Frozen()
	case issuedAt.Before(caller.SessionsEndedAt.Truncate(time.Second)):
		return apperr.Unauthorized()
	}
	return nil
}

// Check returns nil when caller may do action to target, or a forbidden error. For
// CreateUser, target is the account to be created (its AccountType matters). The
// caller has passed Caller.
func Check(caller user.User, action Action, target user.User) error {
	if allowed(caller, action, target) {
		return nil
	}
	return apperr.Denied()
}

func allowed(caller user.User, action Action, target user.User) bool {
	self := caller.ID == target.ID
	switch caller.AccountType {
	case user.SuperAdmin:
		return superAdminMay(action, target, self)
	case user.PlatformAdmin:
		return platformAdminMay(action, target, self)
	default:
		// Members have no platform powers; what they do in teams is decided by roles.
		return false
	}
}

// The super admin may do everything, except act on itself where that would leave the
// platform without a super admin or bypass the current-password check of /v1/me.
func superAdminMay(action Action, target user.User, self bool) bool {
	switch action {
	case ListUsers, ViewUser, ViewAuditEvents, EditUsername, ViewLoginEvents:
		return true
	case CreateUser:
		// There is exactly one super admin, made at bootstrap.
		return target.AccountType != user.SuperAdmin
	case ChangeAccountType, ResetPassword, DeleteUser, FreezeUser, RecoverUser, UnbindMFA, UnbindEmail:
		return !self
	}
	return false
}

// A platform admin manages members; it never touches the super admin or other
// platform admins, and only edits its own username among admins.
func platformAdminMay(action Action, target user.User, self bool) bool {
	member := target.AccountType == user.Member
	switch action {
	case ListUsers, ViewUser, ViewAuditEvents:
		return true
	case CreateUser:
		return member
	case EditUsername, ViewLoginEvents:
		return self || member
	case ResetPassword, DeleteUser, FreezeUser, RecoverUser, UnbindMFA, UnbindEmail:
		return member
	case ChangeAccountType:
		return false
	}
	return false
}
