package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestBoundLinksAreSeenOnlyInTheirEmail: a link bound to an address proves the address,
// so its maker never sees it, neither when it is made nor when it is resent; an open
// link is answered, to be copied. The bound link works from the email.
func TestBoundLinksAreSeenOnlyInTheirEmail(t *testing.T) {
	t.Parallel()
	managerID, manager := member(t)
	teamID, _ := newTeam(t, "")
	join(t, teamID, managerID, "admin")
	links := "/v1/teams/" + teamID + "/invitations"
	email := newEmail("bound")

	r := call(t, manager, "POST", links, map[string]any{"email": email, "roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	// Its email is queued with it, and sent after the answer: the list says so.
	if _, shown := r.Body["link"]; shown || r.get("emailed") != "queued" || r.str("email") != email {
		t.Fatalf("a bound link's creation answered %s", r.Raw)
	}
	id, mailed := r.str("id"), tokenIn(t, mailTo(t, email))
	emailedBecomes(t, manager, links, id, "sent")
	if strings.Contains(r.Raw, mailed) {
		t.Fatalf("the answer holds the mailed token: %s", r.Raw)
	}
	r = call(t, manager, "POST", links+"/"+id+"/resend", nil)
	expect(t, r, http.StatusOK, "")
	if _, shown := r.Body["link"]; shown || r.get("emailed") != "queued" || r.str("expiresAt") == "" {
		t.Fatalf("a bound link's resend answered %s", r.Raw)
	}
	renewed := tokenIn(t, nthMailTo(t, email, 2))
	emailedBecomes(t, manager, links, id, "sent")
	if renewed == mailed || strings.Contains(r.Raw, renewed) {
		t.Fatalf("resend answered %s, mailed a new token: %v", r.Raw, renewed != mailed)
	}
	expect(t, call(t, "", "GET", "/v1/invitations/"+renewed, nil), http.StatusOK, "")
	// The list shows the address, never a link.
	for _, inv := range pageAll(t, manager, links, nil, 10) {
		if _, shown := inv["link"]; shown {
			t.Fatalf("listed with a link: %v", inv)
		}
	}

	// An open link is answered, on creation and on resend.
	r = call(t, manager, "POST", links, map[string]any{"roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	if !strings.HasPrefix(r.str("link"), apiURL+"/invitations/") {
		t.Fatalf("an open link's creation answered %s", r.Raw)
	}
	r = call(t, manager, "POST", links+"/"+r.str("id")+"/resend", nil)
	expect(t, r, http.StatusOK, "")
	if !strings.HasPrefix(r.str("link"), apiURL+"/invitations/") {
		t.Fatalf("an open link's resend answered %s", r.Raw)
	}
}

// TestAcceptABoundLinkWithAnUnverifiedAddress: an account whose address an admin typed
// (so unverified) accepts a link sent to that address: following it proves the
// address, which is verified from then on. Another account still may not.
func TestAcceptABoundLinkWithAnUnverifiedAddress(t *testing.T) {
	t.Parallel()
	email := newEmail("typed")
	account, temporary := adminCreated(t, email)
	access := firstLogin(t, account, temporary, "a fresh passphrase of my own")
	r := call(t, access, "GET", "/v1/me", nil)
	expect(t, r, http.StatusOK, "")
	if r.get("user", "emailVerified") != false {
		t.Fatalf("an admin-typed address is verified: %s", r.Raw)
	}
	teamID, _ := newTeam(t, "")
	token := inviteLink(t, teamID, strings.ToUpper(email[:1])+email[1:], "member")

	_, other := member(t)
	expect(t, call(t, other, "POST", "/v1/invitations/"+token+"/accept", nil), http.StatusForbidden, "forbidden")
	r = call(t, access, "POST", "/v1/invitations/"+token+"/accept", nil)
	expect(t, r, http.StatusCreated, "")
	if r.str("team", "id") != teamID {
		t.Fatalf("accepted %s", r.Raw)
	}
	r = call(t, access, "GET", "/v1/me", nil)
	expect(t, r, http.StatusOK, "")
	if r.get("user", "emailVerified") != true || r.str("user", "email") != email {
		t.Fatalf("after accepting the link: %s", r.Raw)
	}
	if _, in := myTeams(t, access)[teamID]; !in {
		t.Fatal("not in the team after accepting")
	}
}

// emailedBecomes waits until the team's list shows the invitation's email as state
// (the mailer writes it once SES has answered, just after the mail is in the mailbox).
func emailedBecomes(t *testing.T, token, links, id, state string) {
	t.Helper()
	var got any
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		for _, inv := range pageAll(t, token, links, nil, 100) {
			if inv["id"] == id {
				got = inv["emailed"]
			}
		}
		if got == state {
			return
		}
	}
	t.Fatalf("invitation %s: emailed %v, want %s", id, got, state)
}
