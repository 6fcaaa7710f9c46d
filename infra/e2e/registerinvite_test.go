package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// inviteLink makes a link to teamID as the super admin, bound to email unless "", and
// answers its token: from the email for a bound link, as the invitee would follow it.
func inviteLink(t *testing.T, teamID, email string, roles ...string) string {
	t.Helper()
	body := map[string]any{"roleIds": roles}
	if email != "" {
		body["email"] = email
	}
	var before int
	if email != "" {
		before = len(mailsTo(t, email))
	}
	r := call(t, superAdmin(t), "POST", "/v1/teams/"+teamID+"/invitations", body)
	expect(t, r, http.StatusCreated, "")
	if email == "" {
		return tokenOf(r.str("link"))
	}
	return tokenIn(t, nthMailTo(t, email, before+1))
}

func TestRegisterThroughABoundLink(t *testing.T) {
	t.Parallel()
	teamID, _ := newTeam(t, "")
	email := newEmail("bound")
	token := inviteLink(t, teamID, email, "member")

	// The link was sent to the address: it proves it, no verification code needed.
	account := unique("inv")
	body := registration(account, strings.ToUpper(email), "")
	delete(body, "verificationCode")
	body["invitationToken"] = token
	client := fromNewIP()
	r := callWith(t, client, "", "POST", "/v1/auth/register", body)
	expect(t, r, http.StatusCreated, "")
	if r.get("user", "emailVerified") != true || r.str("membership", "team", "id") != teamID {
		t.Fatalf("registered %s", r.Raw)
	}
	access, _, _ := login(t, account, selfPassword)
	if _, ok := myTeams(t, access)[teamID]; !ok {
		t.Fatal("the new member is not in the team")
	}
	// The link is used up.
	again := registration(unique("inv"), newEmail("again"), "")
	delete(again, "verificationCode")
	again["invitationToken"] = token
	expect(t, callWith(t, client, "", "POST", "/v1/auth/register", again), http.StatusGone, "invitation_used")
}

func TestRegisterThroughALinkForAnotherAddress(t *testing.T) {
	t.Parallel()
	teamID, _ := newTeam(t, "")
	token := inviteLink(t, teamID, newEmail("meant"), "member")
	client := fromNewIP()
	other := newEmail("other")
	body := registration(unique("inv"), other, requestCode(t, client, other))
	body["invitationToken"] = token
	expect(t, callWith(t, client, "", "POST", "/v1/auth/register", body), http.StatusForbidden, "forbidden")
	// Nothing was made or spent: the same registration without the link goes through.
	delete(body, "invitationToken")
	r := callWith(t, client, "", "POST", "/v1/auth/register", body)
	expect(t, r, http.StatusCreated, "")
	if r.get("membership") != nil {
		t.Fatalf("joined without an invitation: %s", r.Raw)
	}
}

func TestRegisterThroughAnOpenLinkOrACode(t *testing.T) {
	t.Parallel()
	teamID, _ := newTeam(t, "")
	client := fromNewIP()

	// An open link proves no address: the verification code is required.
	token := inviteLink(t, teamID, "", "member")
	email := newEmail("open")
	body := registration(unique("open"), email, "")
	delete(body, "verificationCode")
	body["invitationToken"] = token
	r := callWith(t, client, "", "POST", "/v1/auth/register", body)
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if r.get("error", "fields", "verificationCode") == nil {
		t.Fatalf("fields %s", r.Raw)
	}
	body["verificationCode"] = requestCode(t, client, email)
	r = callWith(t, client, "", "POST", "/v1/auth/register", body)
	expect(t, r, http.StatusCreated, "")
	if r.str("membership", "team", "id") != teamID {
		t.Fatalf("registered %s", r.Raw)
	}

	// A code, with the verification code.
	r = call(t, superAdmin(t), "POST", "/v1/teams/"+teamID+"/invitation-codes", map[string]any{"roleIds": []string{"admin"}})
	expect(t, r, http.StatusCreated, "")
	code := r.str("code")
	email = newEmail("code")
	body = registration(unique("code"), email, requestCode(t, client, email))
	body["invitationCode"] = code
	r = callWith(t, client, "", "POST", "/v1/auth/register", body)
	expect(t, r, http.StatusCreated, "")
	if roles, _ := r.get("membership", "roles").([]any); len(roles) != 1 || roles[0].(map[string]any)["id"] != "admin" {
		t.Fatalf("registered %s", r.Raw)
	}
	if r.str("membership", "team", "id") != teamID {
		t.Fatalf("registered %s", r.Raw)
	}

	// A code with a custom role: the new membership reads the role back (on AWS this needs
	// dynamodb:BatchGetItem, which RegisterFunction's policy once lacked).
	custom := newRole(t, "team:read", "miniprogram:publish")
	r = call(t, superAdmin(t), "POST", "/v1/teams/"+teamID+"/invitation-codes", map[string]any{"roleIds": []string{custom}})
	expect(t, r, http.StatusCreated, "")
	email = newEmail("custom")
	body = registration(unique("custom"), email, requestCode(t, client, email))
	body["invitationCode"] = r.str("code")
	r = callWith(t, client, "", "POST", "/v1/auth/register", body)
	expect(t, r, http.StatusCreated, "")
	if roles, _ := r.get("membership", "roles").([]any); len(roles) != 1 || roles[0].(map[string]any)["id"] != custom {
		t.Fatalf("registered with a custom role: %s", r.Raw)
	}

	// A used code refuses the registration and gives the verification code back.
	email = newEmail("late")
	verification := requestCode(t, client, email)
	body = registration(unique("late"), email, verification)
	body["invitationCode"] = code
	expect(t, callWith(t, client, "", "POST", "/v1/auth/register", body), http.StatusGone, "invitation_used")
	delete(body, "invitationCode")
	expect(t, callWith(t, client, "", "POST", "/v1/auth/register", body), http.StatusCreated, "")

	// Both at once is refused, naming both.
	body = registration(unique("both"), newEmail("both"), "123456")
	body["invitationCode"], body["invitationToken"] = code, token
	r = callWith(t, client, "", "POST", "/v1/auth/register", body)
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if r.get("error", "fields", "invitationCode") == nil || r.get("error", "fields", "invitationToken") == nil {
		t.Fatalf("fields %s", r.Raw)
	}
}

// TestAcceptABoundLinkWithTheVerifiedAddress: a registered member whose verified email
// is the invited one accepts the link followed from its email.
func TestAcceptABoundLinkWithTheVerifiedAddress(t *testing.T) {
	t.Parallel()
	account, email := registerMember(t)
	access, _, _ := login(t, account, selfPassword)
	teamID, _ := newTeam(t, "")
	token := inviteLink(t, teamID, strings.ToUpper(email), "member")
	r := call(t, access, "POST", "/v1/invitations/"+token+"/accept", nil)
	expect(t, r, http.StatusCreated, "")
	if _, ok := myTeams(t, access)[teamID]; !ok {
		t.Fatal("not in the team after accepting")
	}
}
