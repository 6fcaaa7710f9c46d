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
	team := root.Team(teamID)

	// A team's login page.
	if want, got := apiURL+"/login?team="+teamID, ok(t, team.Get(t), http.StatusOK).LoginURL; got != want {
		t.Fatalf("loginUrl %q, want %q", got, want)
	}
	for _, listed := range all(t, root.ListTeams, nil, 100) {
		if !strings.HasPrefix(listed.LoginURL, apiURL+"/login?team=") {
			t.Fatalf("listed loginUrl %q", listed.LoginURL)
		}
	}

	// An open invitation's link, on creation and on resend, leads to a page of the
	// console whose token the API knows.
	inv := ok(t, team.CreateInvitation(t, InvitationInput{RoleIDs: []string{"member"}}), http.StatusCreated)
	if !strings.HasPrefix(deref(inv.Link), apiURL+"/invitations/") {
		t.Fatalf("link %q", deref(inv.Link))
	}
	resent := ok(t, team.ResendInvitation(t, inv.ID), http.StatusOK)
	if !strings.HasPrefix(deref(resent.Link), apiURL+"/invitations/") {
		t.Fatalf("resent link %q", deref(resent.Link))
	}
	expect(t, Client{}.GetInvitation(t, tokenOf(deref(resent.Link))), http.StatusOK, "")

	// A bound invitation's email.
	email := newEmail("linked")
	expect(t, team.CreateInvitation(t, InvitationInput{Email: email, RoleIDs: []string{"member"}}), http.StatusCreated, "")
	m := mailTo(t, email)
	token := tokenIn(t, m)
	wantLink(t, m, apiURL+"/invitations/"+token)

	// A temporary password's email, and the notice to a registered address.
	account := unique("linked")
	expect(t, root.CreateUser(t, NewUser{
		Username: "Linked_" + account, LoginAccount: account, AccountType: "member",
		Email: email, Password: generated, Notify: true,
	}), http.StatusCreated, "")
	m = nthMailTo(t, email, 2)
	wantLink(t, m, apiURL+"/login")
	expect(t, fromNewIP().SendVerificationCode(t, email), http.StatusAccepted, "")
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
