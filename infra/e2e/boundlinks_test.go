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
	links := manager.Team(teamID)
	email := newEmail("bound")

	r := links.CreateInvitation(t, InvitationInput{Email: email, RoleIDs: []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	// Its email is queued with it, and sent after the answer: the list says so.
	if r.Body.Link != nil || deref(r.Body.Emailed) != "queued" || deref(r.Body.Email) != email {
		t.Fatalf("a bound link's creation answered %s", r.Raw)
	}
	id, mailed := r.Body.ID, tokenIn(t, mailTo(t, email))
	emailedBecomes(t, links, id, "sent")
	if strings.Contains(r.Raw, mailed) {
		t.Fatalf("the answer holds the mailed token: %s", r.Raw)
	}
	resent := links.ResendInvitation(t, id)
	expect(t, resent, http.StatusOK, "")
	if resent.Body.Link != nil || deref(resent.Body.Emailed) != "queued" || resent.Body.ExpiresAt == "" {
		t.Fatalf("a bound link's resend answered %s", resent.Raw)
	}
	renewed := tokenIn(t, nthMailTo(t, email, 2))
	emailedBecomes(t, links, id, "sent")
	if renewed == mailed || strings.Contains(resent.Raw, renewed) {
		t.Fatalf("resend answered %s, mailed a new token: %v", resent.Raw, renewed != mailed)
	}
	expect(t, Client{}.GetInvitation(t, renewed), http.StatusOK, "")
	// The list shows the address, never a link.
	for _, inv := range all(t, links.ListInvitations, nil, 10) {
		if inv.Link != nil {
			t.Fatalf("listed with a link: %+v", inv)
		}
	}

	// An open link is answered, on creation and on resend.
	r = links.CreateInvitation(t, InvitationInput{RoleIDs: []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	if !strings.HasPrefix(deref(r.Body.Link), apiURL+"/invitations/") {
		t.Fatalf("an open link's creation answered %s", r.Raw)
	}
	resent = links.ResendInvitation(t, r.Body.ID)
	expect(t, resent, http.StatusOK, "")
	if !strings.HasPrefix(deref(resent.Body.Link), apiURL+"/invitations/") {
		t.Fatalf("an open link's resend answered %s", resent.Raw)
	}
}

// TestAcceptABoundLinkWithAnUnverifiedAddress: an account whose address an admin typed
// (so unverified) accepts a link sent to that address: following it proves the
// address, which is verified from then on. Another account still may not.
func TestAcceptABoundLinkWithAnUnverifiedAddress(t *testing.T) {
	t.Parallel()
	email := newEmail("typed")
	account, temporary := adminCreated(t, email)
	access := firstLogin(t, account, temporary, chosenPassword)
	if me := ok(t, access.GetMe(t), http.StatusOK); me.User.EmailVerified {
		t.Fatalf("an admin-typed address is verified: %+v", me.User)
	}
	teamID, _ := newTeam(t, "")
	token := inviteLink(t, teamID, strings.ToUpper(email[:1])+email[1:], "member")

	_, other := member(t)
	expect(t, other.AcceptInvitation(t, token), http.StatusForbidden, "forbidden")
	r := access.AcceptInvitation(t, token)
	expect(t, r, http.StatusCreated, "")
	if r.Body.Team.ID != teamID {
		t.Fatalf("accepted %s", r.Raw)
	}
	me := access.GetMe(t)
	expect(t, me, http.StatusOK, "")
	if !me.Body.User.EmailVerified || deref(me.Body.User.Email) != email {
		t.Fatalf("after accepting the link: %s", me.Raw)
	}
	if _, in := myTeams(t, access)[teamID]; !in {
		t.Fatal("not in the team after accepting")
	}
}

// emailedBecomes waits until the team's list shows the invitation's email as state
// (the mailer writes it once SES has answered, just after the mail is in the mailbox).
func emailedBecomes(t *testing.T, links TeamAPI, id, state string) {
	t.Helper()
	var got *string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		for _, inv := range all(t, links.ListInvitations, nil, 100) {
			if inv.ID == id {
				got = inv.Emailed
			}
		}
		if deref(got) == state {
			return
		}
	}
	t.Fatalf("invitation %s: emailed %v, want %s", id, deref(got), state)
}
