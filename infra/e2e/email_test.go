package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// askEmailChange asks for a code at email for the user holding access and answers it.
func askEmailChange(t *testing.T, access, email string) string {
	t.Helper()
	before := len(mailsTo(t, email))
	r := callWith(t, fromNewIP(), access, "POST", "/v1/me/email", map[string]string{"email": email})
	expect(t, r, http.StatusAccepted, "")
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
		r := call(t, access, "POST", tt.path, tt.body)
		expect(t, r, http.StatusBadRequest, "invalid_request")
		for _, f := range tt.fields {
			if r.get("error", "fields", f) == nil {
				t.Errorf("%s: fields.%s missing: %s", tt.name, f, r.Raw)
			}
		}
	}
	expect(t, call(t, "", "POST", "/v1/me/email", map[string]string{"email": next}), http.StatusUnauthorized, "")

	noticed := len(mailsTo(t, old))
	r := call(t, access, "POST", "/v1/me/email/verify", map[string]string{"email": next, "code": code})
	expect(t, r, http.StatusOK, "")
	if r.str("email") != next || r.get("emailVerified") != true || r.str("loginAccount") != account {
		t.Fatalf("verified user: %s", r.Raw)
	}
	me := call(t, access, "GET", "/v1/me", nil)
	if me.str("user", "email") != next {
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
	expect(t, callWith(t, client, "", "POST", "/v1/auth/register", registration(unique("reuse"), old, code)), http.StatusCreated, "")
	// A member found by email in the admin's list is found by the new address.
	list := call(t, superAdmin(t), "GET", "/v1/users?q="+url.QueryEscape(next), nil)
	if items := list.items(); len(items) != 1 || items[0]["loginAccount"] != account {
		t.Fatalf("search by the new address: %s", list.Raw)
	}
}

// An address is claimed when it is verified: if someone else has it by then, the
// change is refused, and of two users verifying one address at once, one wins.
func TestChangeEmailToATakenAddress(t *testing.T) {
	t.Parallel()
	_, taken := registerMember(t)
	a, _ := registerMember(t)
	accessA, _, _ := login(t, a, selfPassword)
	code := askEmailChange(t, accessA, taken)
	r := call(t, accessA, "POST", "/v1/me/email/verify", map[string]string{"email": taken, "code": code})
	expect(t, r, http.StatusConflict, "email_taken")
	if r.get("error", "fields", "email") == nil {
		t.Fatalf("email_taken without fields.email: %s", r.Raw)
	}

	b, _ := registerMember(t)
	c, _ := registerMember(t)
	wanted := newEmail("wanted")
	var tokens, codes []string
	for _, account := range []string{b, c} {
		access, _, _ := login(t, account, selfPassword)
		tokens = append(tokens, access)
		codes = append(codes, askEmailChange(t, access, wanted))
	}
	got := statuses(race(2, func(i int) response {
		return call(t, tokens[i], "POST", "/v1/me/email/verify", map[string]string{"email": wanted, "code": codes[i]})
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
	r := call(t, access, "POST", "/v1/me/email/verify", map[string]string{"email": email, "code": code})
	expect(t, r, http.StatusOK, "")
	if r.str("email") != email {
		t.Fatalf("first address: %s", r.Raw)
	}
}
