package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// askEmailChange asks for a code at email for the user of c and returns it.
func askEmailChange(t *testing.T, c Client, email string) string {
	t.Helper()
	before := len(mailsTo(t, email))
	expect(t, c.from(newIP()).ChangeEmail(t, email), http.StatusAccepted, "")
	m := nthMailTo(t, email, before+1)
	if !strings.Contains(m.Subject, "Confirm your new Roster email address") {
		t.Fatalf("email-change mail subject %q", m.Subject)
	}
	return codeIn(t, m)
}

func TestChangeEmail(t *testing.T) {
	t.Parallel()
	// An address that was never sent a registration code, so that its re-send rule
	// does not hold up the registration at the end.
	old := newEmail("old")
	account, temporary := adminCreated(t, old)
	access := firstLogin(t, account, temporary, selfPassword)
	next := newEmail("Moved")
	code := askEmailChange(t, access, next)

	tests := []struct {
		name   string
		path   string
		body   any
		fields []string
	}{
		{"same address", "/v1/me/email", map[string]string{"email": strings.ToUpper(old)}, []string{"email"}},
		{"bad address", "/v1/me/email", map[string]string{"email": "nowhere"}, []string{"email"}},
		{"wrong code", "/v1/me/email/verify", map[string]string{"email": next, "code": wrongCode(code)}, []string{"code"}},
		{"code for another address", "/v1/me/email/verify", map[string]string{"email": newEmail("elsewhere"), "code": code}, []string{"code"}},
		{"nothing given", "/v1/me/email/verify", map[string]string{}, []string{"email", "code"}},
	}
	for _, tt := range tests {
		r := access.Send(t, "POST", tt.path, tt.body)
		expect(t, r, http.StatusBadRequest, "invalid_request")
		if m := missing(r, tt.fields...); len(m) > 0 {
			t.Errorf("%s: fields %q missing: %s", tt.name, m, r.Raw)
		}
	}
	expect(t, Client{}.ChangeEmail(t, next), http.StatusUnauthorized, "")

	noticed := len(mailsTo(t, old))
	r := access.VerifyEmailChange(t, next, code)
	expect(t, r, http.StatusOK, "")
	if deref(r.Body.Email) != next || !r.Body.EmailVerified || r.Body.LoginAccount != account {
		t.Fatalf("verified user: %s", r.Raw)
	}
	if me := access.GetMe(t); deref(me.Body.User.Email) != next {
		t.Fatalf("/v1/me after the change: %s", me.Raw)
	}

	// The old address is told, without being given the new one.
	notice := nthMailTo(t, old, noticed+1)
	if !strings.Contains(notice.Subject, "email address was changed") || strings.Contains(notice.Text, next) ||
		!strings.Contains(notice.Text, next[:1]+"*") {
		t.Fatalf("notice to the old address: %q\n%s", notice.Subject, notice.Text)
	}

	// The old address is free: registering it gets a code, not a "someone tried".
	client := fromNewIP()
	code = requestCode(t, client, old)
	expect(t, client.Register(t, registration(unique("reuse"), old, code)), http.StatusCreated, "")
	// A member found by email in the admin's list is found by the new address.
	list := superAdmin(t).ListUsers(t, url.Values{"q": {next}})
	if items := list.Body.Items; len(items) != 1 || items[0].LoginAccount != account {
		t.Fatalf("search by the new address: %s", list.Raw)
	}
}

// An address is claimed when it is verified: if someone else has it by then, the
// change is refused, and of two users verifying one address at once, one wins.
func TestChangeEmailToATakenAddress(t *testing.T) {
	t.Parallel()
	_, taken := registerMember(t)
	a, _ := registerMember(t)
	accessA := signIn(t, a, selfPassword)
	code := askEmailChange(t, accessA, taken)
	r := accessA.VerifyEmailChange(t, taken, code)
	expect(t, r, http.StatusConflict, "email_taken")
	if !named(r, "email") {
		t.Fatalf("email_taken without fields.email: %s", r.Raw)
	}

	b, _ := registerMember(t)
	c, _ := registerMember(t)
	wanted := newEmail("wanted")
	var clients []Client
	var codes []string
	for _, account := range []string{b, c} {
		access := signIn(t, account, selfPassword)
		clients = append(clients, access)
		codes = append(codes, askEmailChange(t, access, wanted))
	}
	got := statuses(race(2, func(i int) Answer[User] {
		return clients[i].VerifyEmailChange(t, wanted, codes[i])
	}))
	if got[http.StatusOK] != 1 || got[http.StatusConflict] != 1 {
		t.Fatalf("statuses %v, want one 200 and one 409", got)
	}
}

// A user created without an address gets its first one; there is no one to notify.
func TestFirstEmailAddress(t *testing.T) {
	t.Parallel()
	_, _, access := newUser(t, superAdmin(t), "member")
	email := newEmail("first")
	code := askEmailChange(t, access, email)
	r := access.VerifyEmailChange(t, email, code)
	expect(t, r, http.StatusOK, "")
	if deref(r.Body.Email) != email {
		t.Fatalf("first address: %s", r.Raw)
	}
}
