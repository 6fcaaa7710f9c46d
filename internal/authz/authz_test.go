package authz

import (
	"fmt"
	"testing"

	"github.com/roster-dev/roster/internal/user"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	super := user.User{ID: "super", AccountType: user.SuperAdmin}
	admin := user.User{ID: "admin", AccountType: user.PlatformAdmin}
	otherAdmin := user.User{ID: "admin2", AccountType: user.PlatformAdmin}
	member := user.User{ID: "member", AccountType: user.Member}
	otherMember := user.User{ID: "member2", AccountType: user.Member}

	// Targets, in the order of every row's verdicts below.
	type target struct {
		name string
		of   func(caller user.User) user.User
	}
	targets := []target{
		{"self", func(c user.User) user.User { return c }},
		{"super admin", func(user.User) user.User { return super }},
		{"platform admin", func(c user.User) user.User {
			if c.ID == admin.ID {
				return otherAdmin
			}
			return admin
		}},
		{"member", func(c user.User) user.User {
			if c.ID == member.ID {
				return otherMember
			}
			return member
		}},
	}
	const Y, N = true, false
	tests := []struct {
		caller  user.User
		action  Action
		verdict [4]bool // self, super admin, platform admin, member
	}{
		// SPEC.md section 1, super admin: everything, never against itself.
		{super, ListUsers, [4]bool{Y, Y, Y, Y}},
		{super, ViewUser, [4]bool{Y, Y, Y, Y}},
		{super, ViewAuditEvents, [4]bool{Y, Y, Y, Y}},
		{super, EditUsername, [4]bool{Y, Y, Y, Y}},
		{super, ChangeAccountType, [4]bool{N, N, Y, Y}},
		{super, ResetPassword, [4]bool{N, N, Y, Y}},
		{super, DeleteUser, [4]bool{N, N, Y, Y}},
		{super, FreezeUser, [4]bool{N, N, Y, Y}},
		{super, RecoverUser, [4]bool{N, N, Y, Y}},
		{super, UnbindMFA, [4]bool{N, N, Y, Y}},
		{super, UnbindEmail, [4]bool{N, N, Y, Y}},
		{super, CreateUser, [4]bool{N, N, Y, Y}},
		{super, ViewLoginEvents, [4]bool{Y, Y, Y, Y}},
		// Platform admin: members only; its own username; never account types.
		{admin, ListUsers, [4]bool{Y, Y, Y, Y}},
		{admin, ViewUser, [4]bool{Y, Y, Y, Y}},
		{admin, ViewAuditEvents, [4]bool{Y, Y, Y, Y}},
		{admin, EditUsername, [4]bool{Y, N, N, Y}},
		{admin, ChangeAccountType, [4]bool{N, N, N, N}},
		{admin, ResetPassword, [4]bool{N, N, N, Y}},
		{admin, DeleteUser, [4]bool{N, N, N, Y}},
		{admin, FreezeUser, [4]bool{N, N, N, Y}},
		{admin, RecoverUser, [4]bool{N, N, N, Y}},
		{admin, UnbindMFA, [4]bool{N, N, N, Y}},
		{admin, UnbindEmail, [4]bool{N, N, N, Y}},
		{admin, CreateUser, [4]bool{N, N, N, Y}},
		// Sign-in history is security data: like the accounts it manages, plus its own.
		{admin, ViewLoginEvents, [4]bool{Y, N, N, Y}},
		// Member: no platform powers at all.
		{member, ListUsers, [4]bool{N, N, N, N}},
		{member, ViewUser, [4]bool{N, N, N, N}},
		{member, ViewAuditEvents, [4]bool{N, N, N, N}},
		{member, EditUsername, [4]bool{N, N, N, N}},
		{member, ChangeAccountType, [4]bool{N, N, N, N}},
		{member, ResetPassword, [4]bool{N, N, N, N}},
		{member, DeleteUser, [4]bool{N, N, N, N}},
		{member, FreezeUser, [4]bool{N, N, N, N}},
		{member, RecoverUser, [4]bool{N, N, N, N}},
		{member, UnbindMFA, [4]bool{N, N, N, N}},
		{member, UnbindEmail, [4]bool{N, N, N, N}},
		{member, CreateUser, [4]bool{N, N, N, N}},
		{member, ViewLoginEvents, [4]bool{N, N, N, N}},
	}
	for _, tt := range tests {
		for i, tg := range targets {
			name := fmt.Sprintf("%s/%s/%s", tt.caller.AccountType, tt.action, tg.name)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				target := tg.of(tt.caller)
				if tt.action == CreateUser && tg.name == "self" {
					// Creating "oneself" means creating an account of one's own type.
					target = user.User{ID: "new", AccountType: tt.caller.AccountType}
				}
				err := Check(tt.caller, tt.action, target)
				if got := err == nil; got != tt.verdict[i] {
					t.Fatalf("allowed = %v, want %v (err %v)", got, tt.verdict[i], err)
				}
				if err != nil && err.Error() != "forbidden: You are not allowed to do this." {
					t.Fatalf("err = %v, want forbidden", err)
				}
			})
		}
	}
}
