package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// A deleted user is gone from Cognito and from Roster: its sessions, tokens and
// memberships end, and its login account and email are free again at once. What
// it made in its team stays.
func TestDeleteUser(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	account, email := unique("del"), newEmail("del")
	created := ok(t, root.CreateUser(t, NewUser{
		Username: "Doomed", LoginAccount: account, AccountType: "member", Email: email, Password: generated,
	}), http.StatusCreated)
	id := created.User.ID
	const password = "the doomed user's own passphrase"
	firstLogin(t, account, created.TemporaryPassword, password)
	tokens := login(t, account, password)
	access, refresh := as(tokens.AccessToken), deref(tokens.RefreshToken)

	// An owner of one team, and with a custom role in another: both memberships and
	// their role uses must go.
	owned, _ := newTeam(t, id)
	other, _ := newTeam(t, "")
	role := newRole(t, "team:read")
	join(t, other, id, role)
	code := ok(t, access.Team(owned).CreateInvitationCode(t, "member"), http.StatusCreated).Code
	link := ok(t, access.Team(owned).CreateInvitation(t, InvitationInput{RoleIDs: []string{"member"}}), http.StatusCreated).ID

	expect(t, root.User(id).Delete(t), http.StatusNoContent, "")

	expect(t, root.User(id).Get(t), http.StatusNotFound, "not_found")
	expect(t, root.User(id).Delete(t), http.StatusNotFound, "not_found")
	expect(t, access.GetMe(t), http.StatusUnauthorized, "unauthenticated")
	expect(t, Client{}.Refresh(t, refresh), http.StatusUnauthorized, "")
	expect(t, Client{}.Login(t, account, password), http.StatusUnauthorized, "invalid_credentials")
	for _, team := range []string{owned, other} {
		if ids := memberIDs(all(t, root.Team(team).ListMembers, nil, 20)); slices.Contains(ids, id) {
			t.Fatalf("team %s still lists the deleted user: %v", team, ids)
		}
	}
	// No membership uses the custom role any more.
	expect(t, root.DeleteRole(t, role), http.StatusNoContent, "")
	// The invitations it made stay with the team, revoked: an issuer that is gone
	// grants nothing (see TestInvitationsOfIssuersFrozenRemovedOrDeleted).
	if got := invitationIDs(all(t, root.Team(owned).ListInvitations, url.Values{"status": {"revoked"}}, 20)); !slices.Equal(got, []string{link}) {
		t.Fatalf("revoked links of the team %v, want its creator's %s", got, link)
	}
	if codes := codesOf(all(t, root.Team(owned).ListInvitationCodes, nil, 20)); slices.Contains(codes, code) {
		t.Fatalf("invitation code %s of a deleted creator is live: %v", code, codes)
	}
	_, joiner := member(t)
	expect(t, joiner.JoinTeam(t, code), http.StatusGone, "invitation_revoked")

	events := auditOf(t, id, "user.delete")
	if len(events) != 1 || events[0].ActorID != selfID(t, root) {
		t.Fatalf("audit events of the deletion: %+v", events)
	}
	if _, said := events[0].Changes["loginAccount"]; !said {
		t.Fatalf("audit event does not say who was deleted: %+v", events[0])
	}

	// The login account and email are free at once, in any case.
	successor := ok(t, root.CreateUser(t, NewUser{
		Username: "Successor", LoginAccount: strings.ToUpper(account), AccountType: "member",
		Email: strings.ToUpper(email), Password: generated,
	}), http.StatusCreated).User.ID
	found := all(t, root.ListUsers, url.Values{"q": {account}}, 100)
	if len(found) != 1 || found[0].ID != successor {
		t.Fatalf("search for the login account found %v, want only the successor", logins(found))
	}
}

// A reset with notify emails a temporary password to the verified address; the next
// sign-in must replace it, and no session of before the reset survives.
func TestResetUserPassword(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	account, email := registerMember(t)
	tokens := login(t, account, selfPassword)
	id := selfID(t, as(tokens.AccessToken))

	before := len(mailsTo(t, email))
	r := root.User(id).ResetPassword(t, &PasswordReset{Notify: true})
	expect(t, r, http.StatusOK, "")
	temporary := r.Body.TemporaryPassword
	if len(temporary) < 12 || !r.Body.Notified {
		t.Fatalf("reset answered %s", r.Raw)
	}
	m := nthMailTo(t, email, before+1)
	if !strings.Contains(m.Text, temporary) || !strings.Contains(m.Text, account) {
		t.Fatalf("mail %q does not carry the login account and the temporary password", m.Text)
	}

	expect(t, Client{}.Refresh(t, deref(tokens.RefreshToken)), http.StatusUnauthorized, "")
	expect(t, Client{}.Login(t, account, selfPassword), http.StatusUnauthorized, "invalid_credentials")
	const chosen = "a passphrase chosen after the reset"
	firstLogin(t, account, temporary, chosen)
	login(t, account, chosen)

	events := auditOf(t, id, "user.password_reset")
	if len(events) != 1 {
		t.Fatalf("audit events of the reset: %+v", events)
	}
	if notify := events[0].Changes["notify"]; notify.To != true {
		t.Fatalf("audit event does not record notify: %+v", events[0])
	}
	if r := root.ListAuditEvents(t, url.Values{"targetId": {id}}); strings.Contains(r.Raw, temporary) {
		t.Fatalf("the audit log holds the password: %s", r.Raw)
	}
}

// Without a verified address there is nowhere to send the password: notify is
// refused and nothing changes; without notify the password is only answered.
func TestResetUserPasswordWithoutVerifiedEmail(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	email := newEmail("unverified")
	account, temporary := adminCreated(t, email)
	const password = "my own passphrase, not yet reset"
	firstLogin(t, account, temporary, password)
	id := selfID(t, signIn(t, account, password))

	expectFields(t, root.User(id).ResetPassword(t, &PasswordReset{Notify: true}), "notify")
	login(t, account, password)

	before := len(mailsTo(t, email))
	r := root.User(id).ResetPassword(t, nil)
	expect(t, r, http.StatusOK, "")
	if r.Body.Notified {
		t.Fatalf("reset without notify answered %s", r.Raw)
	}
	firstLogin(t, account, r.Body.TemporaryPassword, "a passphrase after an unsent reset")
	settle()
	if after := len(mailsTo(t, email)); after != before {
		t.Fatalf("%d mails sent without notify", after-before)
	}
}

// Delete and reset share the target rule of SPEC.md section 1: the super admin acts
// on anyone but itself, a platform admin on members only, a member on no one. A
// refused request leaves the target's password working; an allowed one removes the
// target or makes its next sign-in replace the temporary password.
func TestDeleteAndResetRules(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	tests := targetRuleCases(t)
	for _, tt := range tests {
		t.Run("reset: "+tt.name, func(t *testing.T) {
			target, account := tt.target, ""
			if tt.accountType != "" {
				target, account, _ = newUser(t, root, tt.accountType)
			}
			r := tt.client.User(target).ResetPassword(t, &PasswordReset{})
			tt.expect(t, r, http.StatusOK)
			switch {
			case tt.allowed:
				firstLogin(t, account, r.Body.TemporaryPassword, "a passphrase after the reset")
			case account != "":
				login(t, account, chosenPassword)
			}
		})
		t.Run("delete: "+tt.name, func(t *testing.T) {
			target, account := tt.target, ""
			if tt.accountType != "" {
				target, account, _ = newUser(t, root, tt.accountType)
			}
			tt.expect(t, tt.client.User(target).Delete(t), http.StatusNoContent)
			switch {
			case tt.allowed:
				expect(t, root.User(target).Get(t), http.StatusNotFound, "not_found")
			case account != "":
				login(t, account, chosenPassword)
			}
		})
	}
	// The admins refused above are all still there, with their sessions.
	for _, tt := range tests {
		expect(t, tt.client.GetMe(t), http.StatusOK, "")
	}
}

// Bad input to either route is a 400 naming every bad field, and changes nothing.
func TestDeleteAndResetRefuseBadInput(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	id, account, _ := newUser(t, root, "member")
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		fields []string
	}{
		{"delete: bad id", "DELETE", "/v1/users/not-an-id", nil, []string{"id"}},
		{"delete: a body", "DELETE", "/v1/users/" + id, map[string]any{"force": true}, []string{"force"}},
		{"delete: bad id and a body", "DELETE", "/v1/users/x", map[string]any{"force": true}, []string{"id", "force"}},
		{"delete: malformed body", "DELETE", "/v1/users/" + id, `{"x"`, []string{"body"}},
		{"reset: bad id", "POST", "/v1/users/nope/password-reset", nil, []string{"id"}},
		{"reset: notify not a boolean", "POST", "/v1/users/" + id + "/password-reset", map[string]any{"notify": "yes"}, []string{"notify"}},
		{"reset: unknown fields", "POST", "/v1/users/" + id + "/password-reset", map[string]any{"password": "mine", "notify": 1},
			[]string{"password", "notify"}},
		{"reset: not an object", "POST", "/v1/users/" + id + "/password-reset", `[true]`, []string{"body"}},
		{"reset: bad id and body", "POST", "/v1/users/x/password-reset", map[string]any{"notify": "yes"}, []string{"id", "notify"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectFields(t, root.Send(t, tt.method, tt.path, tt.body), tt.fields...)
		})
	}
	// Nothing happened: the user is there and its password unchanged.
	expect(t, root.User(id).Get(t), http.StatusOK, "")
	login(t, account, chosenPassword)
}
