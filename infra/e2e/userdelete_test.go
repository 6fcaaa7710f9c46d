package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// auditOf answers the audit events of one action on one target.
func auditOf(t *testing.T, targetID, action string) []map[string]any {
	t.Helper()
	return auditTrail(t, superAdmin(t), url.Values{"targetId": {targetID}, "action": {action}}, 20)
}

// expectFields fails the test unless r is a 400 naming exactly these fields.
func expectFields(t *testing.T, r response, fields ...string) {
	t.Helper()
	expect(t, r, http.StatusBadRequest, "invalid_request")
	got, _ := r.get("error", "fields").(map[string]any)
	for _, f := range fields {
		if got[f] == nil {
			t.Errorf("field %q not named: %s", f, r.Raw)
		}
	}
	if len(got) != len(fields) {
		t.Errorf("fields = %v, want exactly %v", got, fields)
	}
}

// A deleted user is gone from Cognito and from Roster: its sessions, tokens and
// memberships end, and its login account and email are free again at once. What
// it made in its team stays.
func TestDeleteUser(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	account, email := unique("del"), newEmail("del")
	r := call(t, root, "POST", "/v1/users", map[string]any{
		"username": "Doomed", "loginAccount": account, "accountType": "member", "email": email,
		"password": map[string]any{"generate": true},
	})
	expect(t, r, http.StatusCreated, "")
	id := r.str("user", "id")
	const password = "the doomed user's own passphrase"
	firstLogin(t, account, r.str("temporaryPassword"), password)
	access, _, refresh := login(t, account, password)

	// An owner of one team, and with a custom role in another: both memberships and
	// their role uses must go.
	owned, _ := newTeam(t, id)
	other, _ := newTeam(t, "")
	role := newRole(t, "team:read")
	join(t, other, id, role)
	r = call(t, access, "POST", "/v1/teams/"+owned+"/invitation-codes", map[string]any{"roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	code := r.str("code")
	r = call(t, access, "POST", "/v1/teams/"+owned+"/invitations", map[string]any{"roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	link := r.str("id")

	expect(t, call(t, root, "DELETE", "/v1/users/"+id, nil), http.StatusNoContent, "")

	expect(t, call(t, root, "GET", "/v1/users/"+id, nil), http.StatusNotFound, "not_found")
	expect(t, call(t, root, "DELETE", "/v1/users/"+id, nil), http.StatusNotFound, "not_found")
	expect(t, call(t, access, "GET", "/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	expect(t, call(t, "", "POST", "/v1/auth/refresh", map[string]string{"refreshToken": refresh}), http.StatusUnauthorized, "")
	expect(t, call(t, "", "POST", "/v1/auth/login", map[string]string{"loginAccount": account, "password": password}),
		http.StatusUnauthorized, "invalid_credentials")
	for _, team := range []string{owned, other} {
		if ids := field(pageAll(t, root, "/v1/teams/"+team+"/members", nil, 20), "user", "id"); slices.Contains(ids, id) {
			t.Fatalf("team %s still lists the deleted user: %v", team, ids)
		}
	}
	// No membership uses the custom role any more.
	expect(t, call(t, root, "DELETE", "/v1/roles/"+role, nil), http.StatusNoContent, "")
	// The invitations it made stay with the team, revoked: an issuer that is gone
	// grants nothing (see TestInvitationsOfIssuersFrozenRemovedOrDeleted).
	if got := field(pageAll(t, root, "/v1/teams/"+owned+"/invitations", url.Values{"status": {"revoked"}}, 20), "id"); !slices.Equal(got, []string{link}) {
		t.Fatalf("revoked links of the team %v, want its creator's %s", got, link)
	}
	if codes := field(pageAll(t, root, "/v1/teams/"+owned+"/invitation-codes", nil, 20), "code"); slices.Contains(codes, code) {
		t.Fatalf("invitation code %s of a deleted creator is live: %v", code, codes)
	}
	_, joiner := member(t)
	expect(t, call(t, joiner, "POST", "/v1/teams/join", map[string]any{"code": code}), http.StatusGone, "invitation_revoked")

	events := auditOf(t, id, "user.delete")
	if len(events) != 1 || events[0]["actorId"] != selfID(t, root) {
		t.Fatalf("audit events of the deletion: %v", events)
	}
	if changes, _ := events[0]["changes"].(map[string]any); changes["loginAccount"] == nil {
		t.Fatalf("audit event does not say who was deleted: %v", events[0])
	}

	// The login account and email are free at once, in any case.
	r = call(t, root, "POST", "/v1/users", map[string]any{
		"username": "Successor", "loginAccount": strings.ToUpper(account), "accountType": "member",
		"email": strings.ToUpper(email), "password": map[string]any{"generate": true},
	})
	expect(t, r, http.StatusCreated, "")
	successor := r.str("user", "id")
	found := listAll(t, root, url.Values{"q": {account}}, 100)
	if len(found) != 1 || found[0]["id"] != successor {
		t.Fatalf("search for the login account found %v, want only the successor", found)
	}
}

// A reset with notify emails a temporary password to the verified address; the next
// sign-in must replace it, and no session of before the reset survives.
func TestResetUserPassword(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	account, email := registerMember(t)
	access, _, refresh := login(t, account, selfPassword)
	id := selfID(t, access)

	before := len(mailsTo(t, email))
	r := call(t, root, "POST", "/v1/users/"+id+"/password-reset", map[string]any{"notify": true})
	expect(t, r, http.StatusOK, "")
	temporary := r.str("temporaryPassword")
	if len(temporary) < 12 || r.get("notified") != true {
		t.Fatalf("reset answered %s", r.Raw)
	}
	m := nthMailTo(t, email, before+1)
	if !strings.Contains(m.Text, temporary) || !strings.Contains(m.Text, account) {
		t.Fatalf("mail %q does not carry the login account and the temporary password", m.Text)
	}

	expect(t, call(t, "", "POST", "/v1/auth/refresh", map[string]string{"refreshToken": refresh}), http.StatusUnauthorized, "")
	expect(t, call(t, "", "POST", "/v1/auth/login", map[string]string{"loginAccount": account, "password": selfPassword}),
		http.StatusUnauthorized, "invalid_credentials")
	const chosen = "a passphrase chosen after the reset"
	firstLogin(t, account, temporary, chosen)
	login(t, account, chosen)

	events := auditOf(t, id, "user.password_reset")
	if len(events) != 1 {
		t.Fatalf("audit events of the reset: %v", events)
	}
	changes, _ := events[0]["changes"].(map[string]any)
	if notify, _ := changes["notify"].(map[string]any); notify["to"] != true {
		t.Fatalf("audit event does not record notify: %v", events[0])
	}
	if r := call(t, root, "GET", "/v1/audit-events?targetId="+id, nil); strings.Contains(r.Raw, temporary) {
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
	access, _, _ := login(t, account, password)
	id := selfID(t, access)

	expectFields(t, call(t, root, "POST", "/v1/users/"+id+"/password-reset", map[string]any{"notify": true}), "notify")
	login(t, account, password)

	before := len(mailsTo(t, email))
	r := call(t, root, "POST", "/v1/users/"+id+"/password-reset", nil)
	expect(t, r, http.StatusOK, "")
	if r.get("notified") != false {
		t.Fatalf("reset without notify answered %s", r.Raw)
	}
	firstLogin(t, account, r.str("temporaryPassword"), "a passphrase after an unsent reset")
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
	const ownPassword = "a fresh passphrase of my own" // newUser's
	tests := targetRuleCases(t)
	for _, tt := range tests {
		t.Run("reset: "+tt.name, func(t *testing.T) {
			target, account := tt.target, ""
			if tt.accountType != "" {
				target, account, _ = newUser(t, root, tt.accountType)
			}
			r := call(t, tt.token, "POST", "/v1/users/"+target+"/password-reset", map[string]any{})
			tt.expect(t, r, http.StatusOK)
			switch {
			case tt.allowed:
				firstLogin(t, account, r.str("temporaryPassword"), "a passphrase after the reset")
			case account != "":
				login(t, account, ownPassword)
			}
		})
		t.Run("delete: "+tt.name, func(t *testing.T) {
			target, account := tt.target, ""
			if tt.accountType != "" {
				target, account, _ = newUser(t, root, tt.accountType)
			}
			tt.expect(t, call(t, tt.token, "DELETE", "/v1/users/"+target, nil), http.StatusNoContent)
			switch {
			case tt.allowed:
				expect(t, call(t, root, "GET", "/v1/users/"+target, nil), http.StatusNotFound, "not_found")
			case account != "":
				login(t, account, ownPassword)
			}
		})
	}
	// The admins refused above are all still there, with their sessions.
	for _, tt := range tests {
		expect(t, call(t, tt.token, "GET", "/v1/me", nil), http.StatusOK, "")
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
			expectFields(t, call(t, root, tt.method, tt.path, tt.body), tt.fields...)
		})
	}
	// Nothing happened: the user is there and its password unchanged.
	expect(t, call(t, root, "GET", "/v1/users/"+id, nil), http.StatusOK, "")
	login(t, account, "a fresh passphrase of my own")
}
