package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// withHeader is a client that adds one header to every request (If-Match, say).
func withHeader(name, value string) *http.Client {
	return &http.Client{Timeout: httpClient.Timeout, Transport: headerTransport{name, value}}
}

type headerTransport struct{ name, value string }

func (h headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set(h.name, h.value)
	return http.DefaultTransport.RoundTrip(req)
}

// etagOf reads a user's ETag from GET /v1/users/{id}.
func etagOf(t *testing.T, token, id string) string {
	t.Helper()
	r := call(t, token, "GET", "/v1/users/"+id, nil)
	expect(t, r, http.StatusOK, "")
	tag := r.Header.Get("ETag")
	if _, err := strconv.Atoi(strings.Trim(tag, `"`)); err != nil || !strings.HasPrefix(tag, `"`) {
		t.Fatalf("ETag %q is not a strong tag of a version", tag)
	}
	return tag
}

// userWithEmail creates a member with an email address as the super admin.
func userWithEmail(t *testing.T, email string) string {
	t.Helper()
	login := unique("em")
	r := call(t, superAdmin(t), "POST", "/v1/users", map[string]any{
		"username": "Mail_" + login, "loginAccount": login, "accountType": "member", "email": email,
		"password": map[string]any{"generate": true},
	})
	expect(t, r, http.StatusCreated, "")
	return r.str("user", "id")
}

// listedIDs answers the ids of a whole user list.
func listedIDs(t *testing.T, token string, query url.Values) []string {
	t.Helper()
	var out []string
	for _, u := range listAll(t, token, query, 100) {
		out = append(out, u["id"].(string))
	}
	return out
}

func TestEditUsers(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	adminID, _, admin := newUser(t, super, "platform_admin")
	otherAdminID, _, _ := newUser(t, super, "platform_admin")
	memberID, memberLogin, memberTok := newUser(t, super, "member")
	otherMemberID, _, _ := newUser(t, super, "member")
	superID := selfID(t, super)

	// SPEC.md section 1: who edits whose username and account type.
	tests := []struct {
		name   string
		token  string
		target string
		body   map[string]any
		status int
		code   string
	}{
		{"super admin renames a member", super, memberID, map[string]any{"username": "Renamed_By_Super"}, 200, ""},
		{"super admin renames a platform admin", super, otherAdminID, map[string]any{"username": "Admin_Renamed"}, 200, ""},
		{"super admin renames itself", super, superID, map[string]any{"username": "Admin"}, 200, ""},
		{"platform admin renames a member", admin, otherMemberID, map[string]any{"username": "由管理员改名", "mobile": "+8613800138000"}, 200, ""},
		{"platform admin renames itself", admin, adminID, map[string]any{"username": "Self_Renamed"}, 200, ""},
		{"platform admin renames another admin", admin, otherAdminID, map[string]any{"username": "Nope"}, 403, "forbidden"},
		{"platform admin renames the super admin", admin, superID, map[string]any{"username": "Nope"}, 403, "forbidden"},
		{"platform admin sets a member's mobile", admin, memberID, map[string]any{"mobile": "+14155550100"}, 200, ""},
		{"platform admin changes an account type", admin, memberID, map[string]any{"accountType": "platform_admin"}, 403, "forbidden"},
		{"platform admin sends the same type", admin, memberID, map[string]any{"accountType": "member"}, 403, "forbidden"},
		{"member renames another member", memberTok, otherMemberID, map[string]any{"username": "Nope"}, 403, "forbidden"},
		{"member renames itself as an admin would", memberTok, memberID, map[string]any{"username": "Nope"}, 403, "forbidden"},
		{"super admin changes its own type", super, superID, map[string]any{"accountType": "platform_admin"}, 403, "forbidden"},
		{"anyone made super admin", super, memberID, map[string]any{"accountType": "super_admin"}, 400, "invalid_request"},
		{"member to an unknown type", super, memberID, map[string]any{"accountType": "owner"}, 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := call(t, super, "GET", "/v1/users/"+tt.target, nil)
			r := call(t, tt.token, "PATCH", "/v1/users/"+tt.target, tt.body)
			expect(t, r, tt.status, tt.code)
			after := call(t, super, "GET", "/v1/users/"+tt.target, nil)
			if tt.status != 200 {
				if after.Raw != before.Raw {
					t.Fatalf("a refused edit wrote: %s -> %s", before.Raw, after.Raw)
				}
				return
			}
			for field, want := range tt.body {
				if r.get(field) != want || after.get("user", field) != want {
					t.Fatalf("%s: answered %v, stored %v, want %v", field, r.get(field), after.get("user", field), want)
				}
			}
			if r.Header.Get("ETag") != after.Header.Get("ETag") {
				t.Fatalf("ETag of the answer %q, of a read %q", r.Header.Get("ETag"), after.Header.Get("ETag"))
			}
		})
	}

	// Renames are found by the new name at once, and no longer by the old one.
	if got := listedIDs(t, super, url.Values{"q": {"renamed_by_super"}}); !slices.Contains(got, memberID) {
		t.Fatalf("search by the new name: %v", got)
	}
	if got := listedIDs(t, super, url.Values{"q": {"user_" + memberLogin}}); slices.Contains(got, memberID) {
		t.Fatalf("search by the old name still finds the user")
	}
	// Audited with the fields that changed, by whom.
	events := auditOf(t, otherMemberID, "user.update")
	if len(events) != 1 || events[0]["actorId"] != adminID {
		t.Fatalf("audit events %v", events)
	}
	changes := events[0]["changes"].(map[string]any)
	if changes["username"].(map[string]any)["to"] != "由管理员改名" || changes["mobile"].(map[string]any)["from"] != nil ||
		changes["mobile"].(map[string]any)["to"] != "+8613800138000" || len(changes) != 2 {
		t.Fatalf("changes %v", changes)
	}
	// A mobile is removed with "".
	r := call(t, admin, "PATCH", "/v1/users/"+otherMemberID, map[string]any{"mobile": ""})
	expect(t, r, http.StatusOK, "")
	if r.get("mobile") != nil {
		t.Fatalf("mobile not removed: %s", r.Raw)
	}
	// An edit that changes nothing writes nothing: same ETag, no event.
	tag := etagOf(t, super, otherMemberID)
	r = call(t, admin, "PATCH", "/v1/users/"+otherMemberID, map[string]any{"username": "由管理员改名"})
	expect(t, r, http.StatusOK, "")
	if r.Header.Get("ETag") != tag || len(auditOf(t, otherMemberID, "user.update")) != 2 {
		t.Fatalf("a no-op edit wrote: ETag %q -> %q", tag, r.Header.Get("ETag"))
	}

	// PATCH /v1/me: anyone renames itself, members included.
	r = call(t, memberTok, "PATCH", "/v1/me", map[string]any{"username": "  Trimmed_Self  "})
	expect(t, r, http.StatusOK, "")
	if r.str("username") != "Trimmed_Self" || call(t, memberTok, "GET", "/v1/me", nil).str("user", "username") != "Trimmed_Self" {
		t.Fatalf("rename of oneself: %s", r.Raw)
	}
}

func TestAccountTypeChanges(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	id, _, token := newUser(t, super, "member")
	inType := func(accountType string) bool {
		return slices.Contains(listedIDs(t, super, url.Values{"accountType": {accountType}, "status": {"active"}}), id)
	}

	// Promoted: the lists by type show it at once, and so does its own power.
	r := call(t, super, "PATCH", "/v1/users/"+id, map[string]any{"accountType": "platform_admin"})
	expect(t, r, http.StatusOK, "")
	if r.str("accountType") != "platform_admin" || !inType("platform_admin") || inType("member") {
		t.Fatalf("promotion not listed: %s", r.Raw)
	}
	expect(t, call(t, token, "GET", "/v1/users?limit=1", nil), http.StatusOK, "")
	found := listAll(t, super, url.Values{"q": {r.str("loginAccount")}, "accountType": {"platform_admin"}}, 10)
	if len(found) != 1 {
		t.Fatalf("search with the new type finds %d", len(found))
	}
	// Demoted back.
	r = call(t, super, "PATCH", "/v1/users/"+id, map[string]any{"accountType": "member"})
	expect(t, r, http.StatusOK, "")
	if !inType("member") || inType("platform_admin") {
		t.Fatal("demotion not listed")
	}
	expect(t, call(t, token, "GET", "/v1/users?limit=1", nil), http.StatusForbidden, "forbidden")
	events := auditOf(t, id, "user.update")
	if len(events) != 2 || events[0]["changes"].(map[string]any)["accountType"].(map[string]any)["from"] != "platform_admin" {
		t.Fatalf("audit events %v", events)
	}

	// A member in a team is not made an admin, and nothing is written.
	teamID, _ := newTeam(t, "")
	join(t, teamID, id, "member")
	tag := etagOf(t, super, id)
	r = call(t, super, "PATCH", "/v1/users/"+id, map[string]any{"accountType": "platform_admin", "username": "Would_Be_Admin"})
	expect(t, r, http.StatusConflict, "member_of_teams")
	if r.get("error", "fields", "accountType") == nil {
		t.Fatalf("the refusal does not name accountType: %s", r.Raw)
	}
	if etagOf(t, super, id) != tag || !inType("member") {
		t.Fatal("a refused promotion wrote")
	}
	// Once out of the team, it can be.
	expect(t, call(t, super, "DELETE", "/v1/teams/"+teamID+"/members/"+id, nil), http.StatusNoContent, "")
	expect(t, call(t, super, "PATCH", "/v1/users/"+id, map[string]any{"accountType": "platform_admin"}), http.StatusOK, "")
}

// Two admins editing one user at once: no update is lost silently.
func TestConcurrentEditsOfOneUser(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	_, _, admin := newUser(t, super, "platform_admin")
	id, _, _ := newUser(t, super, "member")
	tag := etagOf(t, super, id)
	version, _ := strconv.Atoi(strings.Trim(tag, `"`))

	// Both based on the same read (If-Match): exactly one wins, the other is told.
	const n = 8
	rs := race(n, func(i int) response {
		token := super
		if i%2 == 1 {
			token = admin
		}
		return callWith(t, withHeader("If-Match", tag), token, "PATCH", "/v1/users/"+id, map[string]any{"username": fmt.Sprintf("Editor_%d", i)})
	})
	if got := statuses(rs); got[200] != 1 || got[409] != n-1 {
		t.Fatalf("statuses %v, want one 200 and %d 409", got, n-1)
	}
	var winner string
	for _, r := range rs {
		if r.Status == 200 {
			winner = r.str("username")
		} else if r.str("error", "code") != "version_conflict" {
			t.Fatalf("loser: %s", r.Raw)
		}
	}
	if got := call(t, super, "GET", "/v1/users/"+id, nil).str("user", "username"); got != winner {
		t.Fatalf("stored %q, the winner was %q", got, winner)
	}
	// The losers retry with a fresh read, and get through.
	fresh := etagOf(t, super, id)
	r := callWith(t, withHeader("If-Match", fresh), admin, "PATCH", "/v1/users/"+id, map[string]any{"mobile": "+14155550123"})
	expect(t, r, http.StatusOK, "")
	// A stale tag is refused; "*" and a list holding the current tag are not.
	expect(t, callWith(t, withHeader("If-Match", fresh), super, "PATCH", "/v1/users/"+id, map[string]any{"username": "Stale"}), http.StatusConflict, "version_conflict")
	expect(t, callWith(t, withHeader("If-Match", "*"), super, "PATCH", "/v1/users/"+id, map[string]any{"username": "Star"}), http.StatusOK, "")
	current := etagOf(t, super, id)
	expect(t, callWith(t, withHeader("If-Match", `"1", W/`+current+`, `+current), super, "PATCH", "/v1/users/"+id, map[string]any{"username": "Listed"}), http.StatusOK, "")
	// A weak tag never matches (RFC 9110's strong comparison).
	current = etagOf(t, super, id)
	expect(t, callWith(t, withHeader("If-Match", "W/"+current), super, "PATCH", "/v1/users/"+id, map[string]any{"username": "Weak"}), http.StatusConflict, "version_conflict")

	// Without If-Match, each edit is based on the record as its request read it: every
	// one that succeeds adds exactly one version, so none overwrote another unseen.
	before, _ := strconv.Atoi(strings.Trim(etagOf(t, super, id), `"`))
	rs = race(n, func(i int) response {
		return call(t, super, "PATCH", "/v1/users/"+id, map[string]any{"username": fmt.Sprintf("Racer_%d", i)})
	})
	ok := 0
	for _, r := range rs {
		switch {
		case r.Status == 200:
			ok++
		case r.Status != 409 || r.str("error", "code") != "version_conflict":
			t.Fatalf("answer %d %s", r.Status, r.Raw)
		}
	}
	after, _ := strconv.Atoi(strings.Trim(etagOf(t, super, id), `"`))
	if ok == 0 || after-before != ok {
		t.Fatalf("%d edits answered 200 but the version moved from %d to %d", ok, before, after)
	}
	if version >= before {
		t.Fatalf("versions do not grow: %d then %d", version, before)
	}
}

func TestFreezeAndRecover(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	adminID, _, admin := newUser(t, super, "platform_admin")
	id, account, token := newUser(t, super, "member")
	_, _, refresh := login(t, account, chosenPassword)
	teamID, _ := newTeam(t, "")
	join(t, teamID, id, "admin")

	r := call(t, admin, "POST", "/v1/users/"+id+"/freeze", nil)
	expect(t, r, http.StatusOK, "")
	if r.str("status") != "frozen" {
		t.Fatalf("freeze answered %s", r.Raw)
	}
	frozenTag := r.Header.Get("ETag")
	// From that moment: the token it holds is refused everywhere, sign-in is refused,
	// and so is a refresh (Cognito has disabled the account and revoked its tokens).
	for _, route := range [][2]string{{"GET", "/v1/me"}, {"PATCH", "/v1/me"}, {"GET", "/v1/teams"}, {"GET", "/v1/teams/" + teamID + "/members"}} {
		var body any
		if route[0] == "PATCH" {
			body = map[string]any{"username": "Frozen_Rename"}
		}
		expect(t, call(t, token, route[0], route[1], body), http.StatusForbidden, "account_frozen")
	}
	expect(t, callFrom(t, newIP(), "", "POST", "/v1/auth/login", map[string]string{"loginAccount": account, "password": chosenPassword}),
		http.StatusUnauthorized, "invalid_credentials")
	if r := call(t, "", "POST", "/v1/auth/refresh", map[string]string{"refreshToken": refresh}); r.Status != 401 && r.Status != 403 {
		t.Fatalf("refresh of a frozen user: %d %s", r.Status, r.Raw)
	}
	// Cognito has disabled the account: its sign-in flow, asked of Cognito straight, fails too.
	if err := signInWithCognito(t, id, chosenPassword); err == nil {
		t.Fatal("a frozen user signed in with Cognito directly")
	}
	// The lists by status show it at once.
	if !slices.Contains(listedIDs(t, super, url.Values{"status": {"frozen"}, "accountType": {"member"}}), id) ||
		slices.Contains(listedIDs(t, super, url.Values{"status": {"active"}, "q": {account}}), id) {
		t.Fatal("the frozen user is not listed as frozen")
	}
	// Freezing again answers the user unchanged.
	r = call(t, super, "POST", "/v1/users/"+id+"/freeze", "{}")
	expect(t, r, http.StatusOK, "")
	if r.str("status") != "frozen" || r.Header.Get("ETag") != frozenTag || len(auditOf(t, id, "user.freeze")) != 1 {
		t.Fatalf("a second freeze wrote: %s", r.Raw)
	}

	r = call(t, admin, "POST", "/v1/users/"+id+"/recover", nil)
	expect(t, r, http.StatusOK, "")
	if r.str("status") != "active" {
		t.Fatalf("recover answered %s", r.Raw)
	}
	// Recovering again answers it unchanged.
	r = call(t, admin, "POST", "/v1/users/"+id+"/recover", nil)
	expect(t, r, http.StatusOK, "")
	if len(auditOf(t, id, "user.recover")) != 1 {
		t.Fatal("a second recover was recorded")
	}
	// The revoked refresh token stays dead; a new sign-in works, with the memberships
	// the freeze never touched.
	expect(t, call(t, "", "POST", "/v1/auth/refresh", map[string]string{"refreshToken": refresh}), http.StatusUnauthorized, "")
	fresh, _, _ := login(t, account, chosenPassword)
	if err := signInWithCognito(t, id, chosenPassword); err != nil {
		t.Fatalf("a recovered user signs in with Cognito: %v", err)
	}
	if teams := myTeams(t, fresh); teams[teamID] == nil || !slices.Equal(strs(teams[teamID]["roles"]), []string{"admin"}) {
		t.Fatalf("memberships after recover: %v", teams)
	}
	for action, want := range map[string][2]any{"user.freeze": {"active", "frozen"}, "user.recover": {"frozen", "active"}} {
		events := auditOf(t, id, action)
		status := events[0]["changes"].(map[string]any)["status"].(map[string]any)
		if events[0]["actorId"] != adminID || status["from"] != want[0] || status["to"] != want[1] {
			t.Fatalf("%s events %v", action, events)
		}
	}
}

// A frozen platform admin is refused on every route with the token it holds, even
// those it was allowed before.
func TestFrozenAdminIsRefused(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	id, _, admin := newUser(t, super, "platform_admin")
	memberID, _, _ := newUser(t, super, "member")
	expect(t, call(t, super, "POST", "/v1/users/"+id+"/freeze", nil), http.StatusOK, "")
	for _, route := range [][2]string{
		{"GET", "/v1/users"}, {"GET", "/v1/users/" + memberID}, {"POST", "/v1/users/" + memberID + "/freeze"},
		{"DELETE", "/v1/users/" + memberID + "/email"}, {"GET", "/v1/audit-events"},
	} {
		expect(t, call(t, admin, route[0], route[1], nil), http.StatusForbidden, "account_frozen")
	}
	if got := call(t, super, "GET", "/v1/users/"+memberID, nil).str("user", "status"); got != "active" {
		t.Fatalf("a frozen admin froze a member: %s", got)
	}
}

func TestUnbindUserEmail(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	_, _, admin := newUser(t, super, "platform_admin")
	email := newEmail("Unbind")
	id := userWithEmail(t, email)

	expect(t, call(t, admin, "DELETE", "/v1/users/"+id+"/email", nil), http.StatusNoContent, "")
	r := call(t, super, "GET", "/v1/users/"+id, nil)
	if r.get("user", "email") != nil || r.get("user", "emailVerified") != false {
		t.Fatalf("after unbinding: %s", r.Raw)
	}
	if got := listedIDs(t, super, url.Values{"q": {email}}); len(got) != 0 {
		t.Fatalf("search still finds the address: %v", got)
	}
	events := auditOf(t, id, "user.email_unbind")
	if len(events) != 1 || events[0]["changes"].(map[string]any)["email"].(map[string]any)["from"] != email {
		t.Fatalf("audit events %v", events)
	}
	// The address is free at once: for an admin's new user, and for a registration.
	other := userWithEmail(t, strings.ToUpper(email))
	expect(t, call(t, super, "DELETE", "/v1/users/"+other+"/email", nil), http.StatusNoContent, "")
	client := fromNewIP()
	code := requestCode(t, client, email)
	expect(t, callWith(t, client, "", "POST", "/v1/auth/register", registration(unique("reg"), email, code)), http.StatusCreated, "")
	// Unbinding from a user without an address changes nothing.
	expect(t, call(t, admin, "DELETE", "/v1/users/"+id+"/email", nil), http.StatusNoContent, "")
	if len(auditOf(t, id, "user.email_unbind")) != 1 {
		t.Fatal("a second unbind was recorded")
	}
}

func TestUserEditRoutesRefuseBadInput(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	id, _, memberTok := newUser(t, super, "member")
	before := call(t, super, "GET", "/v1/users/"+id, nil)
	missing := strings.Repeat("b", 26)
	tests := []struct {
		name         string
		token        string
		method, path string
		ifMatch      string
		body         any
		fields       []string
	}{
		{"me: empty body", memberTok, "PATCH", "/v1/me", "", "", []string{"body"}},
		{"me: nothing to change", memberTok, "PATCH", "/v1/me", "", map[string]any{}, []string{"body"}},
		{"me: bad username and unknown field", memberTok, "PATCH", "/v1/me", "", map[string]any{"username": "x!", "accountType": "platform_admin"}, []string{"username", "accountType"}},
		{"me: wrong type", memberTok, "PATCH", "/v1/me", "", `{"username": 42}`, []string{"username"}},
		{"me: bad If-Match", memberTok, "PATCH", "/v1/me", "7", map[string]any{"username": "Fine_Name"}, []string{"If-Match"}},
		{"user: nothing to change", super, "PATCH", "/v1/users/" + id, "", map[string]any{}, []string{"body"}},
		{"user: malformed JSON", super, "PATCH", "/v1/users/" + id, "", `{"username":`, []string{"body"}},
		{"user: every bad field", super, "PATCH", "/v1/users/not-an-id", `"x"`, map[string]any{
			"username": "有", "accountType": "super_admin", "mobile": "12345", "status": "frozen",
		}, []string{"id", "username", "accountType", "mobile", "status", "If-Match"}},
		{"user: wrong types", super, "PATCH", "/v1/users/" + id, "", `{"username": true, "mobile": 8613800138000, "accountType": ["member"]}`,
			[]string{"username", "mobile", "accountType"}},
		{"freeze: bad id and a body", super, "POST", "/v1/users/nope/freeze", "", map[string]any{"reason": "x"}, []string{"id", "reason"}},
		{"recover: bad id", super, "POST", "/v1/users/nope/recover", "", nil, []string{"id"}},
		{"unbind email: a body", super, "DELETE", "/v1/users/" + id + "/email", "", `[1]`, []string{"body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := httpClient
			if tt.ifMatch != "" {
				client = withHeader("If-Match", tt.ifMatch)
			}
			r := callWith(t, client, tt.token, tt.method, tt.path, tt.body)
			expectFields(t, r, tt.fields...)
		})
	}
	// Unknown ids are 404 for admins, and 403 for members, who may not learn which exist.
	for _, route := range [][2]string{{"PATCH", ""}, {"POST", "/freeze"}, {"POST", "/recover"}, {"DELETE", "/email"}} {
		var body any
		if route[0] == "PATCH" {
			body = map[string]any{"username": "Nobody_Here"}
		}
		expect(t, call(t, super, route[0], "/v1/users/"+missing+route[1], body), http.StatusNotFound, "not_found")
		expect(t, call(t, memberTok, route[0], "/v1/users/"+missing+route[1], body), http.StatusForbidden, "forbidden")
	}
	if after := call(t, super, "GET", "/v1/users/"+id, nil); after.Raw != before.Raw {
		t.Fatalf("refused requests wrote: %s -> %s", before.Raw, after.Raw)
	}
}

// Freeze, recover and unbind email share the target rule of reset password (SPEC.md
// section 1): the super admin acts on anyone but itself, a platform admin on members
// only, a member on no one. A refused request changes nothing.
func TestFreezeRecoverAndUnbindEmailRules(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	tests := targetRuleCases(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			target := tt.target
			if tt.accountType != "" {
				login := unique("rule")
				r := call(t, super, "POST", "/v1/users", map[string]any{
					"username": "Rule_" + login, "loginAccount": login, "accountType": tt.accountType,
					"email": login + "@example.com", "password": map[string]any{"generate": true},
				})
				expect(t, r, http.StatusCreated, "")
				target = r.str("user", "id")
			}
			before := call(t, super, "GET", "/v1/users/"+target, nil)
			for _, step := range []struct{ method, path, status string }{
				{"POST", "/freeze", "frozen"}, {"POST", "/recover", "active"}, {"DELETE", "/email", ""},
			} {
				ok := http.StatusOK
				if step.method == "DELETE" {
					ok = http.StatusNoContent
				}
				r := call(t, tt.token, step.method, "/v1/users/"+target+step.path, nil)
				tt.expect(t, r, ok)
				if tt.allowed && ok == http.StatusOK && r.str("status") != step.status {
					t.Fatalf("%s answered %s", step.path, r.Raw)
				}
			}
			after := call(t, super, "GET", "/v1/users/"+target, nil)
			switch {
			case tt.allowed && (after.get("user", "email") != nil || after.str("user", "status") != "active"):
				t.Fatalf("after freeze, recover and unbind: %s", after.Raw)
			case !tt.allowed && !reflect.DeepEqual(after.Body["user"], before.Body["user"]):
				t.Fatalf("a refused request wrote: %s -> %s", before.Raw, after.Raw)
			}
		})
	}
}
