package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// The local stack runs with ConsoleUrl empty, as a default deploy does: every link
// Roster writes starts with the address the request came in on, which is the API's
// own (Roster serves its console there).

// hrefs are the href values of an HTML part.
func hrefs(page string) []string {
	var out []string
	for _, part := range strings.Split(page, `href="`)[1:] {
		v, _, _ := strings.Cut(part, `"`)
		out = append(out, v)
	}
	return out
}

// wantLink fails unless both parts of m carry want.
func wantLink(t *testing.T, m mail, want string) {
	t.Helper()
	if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, `href="`+want) {
		t.Fatalf("email %q does not link to %s in both parts:\n%s", m.Subject, want, m.Text)
	}
}

func TestLinksUseTheRequestAddress(t *testing.T) {
	t.Parallel()
	if strings.HasSuffix(apiURL, "/") || !strings.HasPrefix(apiURL, "http://") {
		t.Fatalf("ROSTER_API_URL %q", apiURL)
	}
	root := superAdmin(t)
	teamID, _ := newTeam(t, "")

	// A team's login page.
	r := call(t, root, "GET", "/v1/teams/"+teamID, nil)
	expect(t, r, http.StatusOK, "")
	if want := apiURL + "/login?team=" + teamID; r.str("loginUrl") != want {
		t.Fatalf("loginUrl %q, want %q", r.str("loginUrl"), want)
	}
	for _, team := range pageAll(t, root, "/v1/teams", nil, 100) {
		if url, _ := team["loginUrl"].(string); !strings.HasPrefix(url, apiURL+"/login?team=") {
			t.Fatalf("listed loginUrl %q", url)
		}
	}

	// An open invitation's link, on creation and on resend, leads to a page of the
	// console whose token the API knows.
	r = call(t, root, "POST", "/v1/teams/"+teamID+"/invitations", map[string]any{"roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	if !strings.HasPrefix(r.str("link"), apiURL+"/invitations/") {
		t.Fatalf("link %q", r.str("link"))
	}
	r = call(t, root, "POST", "/v1/teams/"+teamID+"/invitations/"+r.str("id")+"/resend", nil)
	expect(t, r, http.StatusOK, "")
	if !strings.HasPrefix(r.str("link"), apiURL+"/invitations/") {
		t.Fatalf("resent link %q", r.str("link"))
	}
	expect(t, call(t, "", "GET", "/v1/invitations/"+tokenOf(r.str("link")), nil), http.StatusOK, "")

	// A bound invitation's email.
	email := newEmail("linked")
	expect(t, call(t, root, "POST", "/v1/teams/"+teamID+"/invitations", map[string]any{"email": email, "roleIds": []string{"member"}}), http.StatusCreated, "")
	m := mailTo(t, email)
	token := tokenIn(t, m)
	wantLink(t, m, apiURL+"/invitations/"+token)

	// A temporary password's email, and the notice to a registered address.
	account := unique("linked")
	r = call(t, root, "POST", "/v1/users", map[string]any{
		"username": "Linked_" + account, "loginAccount": account, "accountType": "member",
		"email": email, "password": map[string]any{"generate": true}, "notify": true,
	})
	expect(t, r, http.StatusCreated, "")
	m = nthMailTo(t, email, 2)
	wantLink(t, m, apiURL+"/login")
	client := fromNewIP()
	expect(t, callWith(t, client, "", "POST", "/v1/auth/verification-codes", map[string]string{"email": email}), http.StatusAccepted, "")
	m = nthMailTo(t, email, 3)
	wantLink(t, m, apiURL+"/login")
	wantLink(t, m, apiURL+"/forgot-password")

	// The emails link nowhere else.
	for _, m := range mailsTo(t, email) {
		for _, h := range hrefs(m.HTML) {
			if !strings.HasPrefix(h, apiURL+"/") {
				t.Fatalf("email %q links to %q", m.Subject, h)
			}
		}
	}
}
