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

// etagOf reads a user's ETag from GET /v1/users/{id}.
func etagOf(t *testing.T, c Client, id string) string {
	t.Helper()
	r := c.User(id).Get(t)
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
	return ok(t, superAdmin(t).CreateUser(t, NewUser{
		Username: "Mail_" + login, LoginAccount: login, AccountType: "member", Email: email, Password: generated,
	}), http.StatusCreated).User.ID
}

// listedIDs returns the ids of a whole user list.
func listedIDs(t *testing.T, c Client, query url.Values) []string {
	t.Helper()
	return userIDs(all(t, c.ListUsers, query, 100))
}

func mobile(m string) *string { return &m }

func TestEditUsers(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	adminID, _, admin := newUser(t, super, "platform_admin")
	otherAdminID, _, _ := newUser(t, super, "platform_admin")
	memberID, memberLogin, memberClient := newUser(t, super, "member")
	otherMemberID, _, _ := newUser(t, super, "member")
	superID := selfID(t, super)

	// SPEC.md section 1: who edits whose username and account type.
	tests := []struct {
		name   string
		client Client
		target string
		edit   UserUpdate
		status int
		code   string
	}{
		{"super admin renames a member", super, memberID, UserUpdate{Username: "Renamed_By_Super"}, 200, ""},
		{"super admin renames a platform admin", super, otherAdminID, UserUpdate{Username: "Admin_Renamed"}, 200, ""},
		{"super admin renames itself", super, superID, UserUpdate{Username: "Admin"}, 200, ""},
		{"platform admin renames a member", admin, otherMemberID, UserUpdate{Username: "由管理员改名", Mobile: mobile("+8613800138000")}, 200, ""},
		{"platform admin renames itself", admin, adminID, UserUpdate{Username: "Self_Renamed"}, 200, ""},
		{"platform admin renames another admin", admin, otherAdminID, UserUpdate{Username: "Nope"}, 403, "forbidden"},
		{"platform admin renames the super admin", admin, superID, UserUpdate{Username: "Nope"}, 403, "forbidden"},
		{"platform admin sets a member's mobile", admin, memberID, UserUpdate{Mobile: mobile("+14155550100")}, 200, ""},
		{"platform admin changes an account type", admin, memberID, UserUpdate{AccountType: "platform_admin"}, 403, "forbidden"},
		{"platform admin sends the same type", admin, memberID, UserUpdate{AccountType: "member"}, 403, "forbidden"},
		{"member renames another member", memberClient, otherMemberID, UserUpdate{Username: "Nope"}, 403, "forbidden"},
		{"member renames itself as an admin would", memberClient, memberID, UserUpdate{Username: "Nope"}, 403, "forbidden"},
		{"super admin changes its own type", super, superID, UserUpdate{AccountType: "platform_admin"}, 403, "forbidden"},
		{"anyone made super admin", super, memberID, UserUpdate{AccountType: "super_admin"}, 400, "invalid_request"},
		{"member to an unknown type", super, memberID, UserUpdate{AccountType: "owner"}, 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := super.User(tt.target).Get(t)
			r := tt.client.User(tt.target).Update(t, tt.edit)
			expect(t, r, tt.status, tt.code)
			after := super.User(tt.target).Get(t)
			if tt.status != 200 {
				if after.Raw != before.Raw {
					t.Fatalf("a refused edit wrote: %s -> %s", before.Raw, after.Raw)
				}
				return
			}
			// Every field sent is answered and stored as sent.
			for _, f := range []struct {
				name, sent, answered, stored string
				set                          bool
			}{
				{"username", tt.edit.Username, r.Body.Username, after.Body.User.Username, tt.edit.Username != ""},
				{"mobile", deref(tt.edit.Mobile), deref(r.Body.Mobile), deref(after.Body.User.Mobile), tt.edit.Mobile != nil},
				{"accountType", tt.edit.AccountType, r.Body.AccountType, after.Body.User.AccountType, tt.edit.AccountType != ""},
			} {
				if f.set && (f.answered != f.sent || f.stored != f.sent) {
					t.Fatalf("%s: answered %v, stored %v, want %v", f.name, f.answered, f.stored, f.sent)
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
	if len(events) != 1 || events[0].ActorID != adminID {
		t.Fatalf("audit events %+v", events)
	}
	changes := events[0].Changes
	if changes["username"].To != "由管理员改名" || changes["mobile"].From != nil ||
		changes["mobile"].To != "+8613800138000" || len(changes) != 2 {
		t.Fatalf("changes %v", changes)
	}
	// A mobile is removed with "".
	r := admin.User(otherMemberID).Update(t, UserUpdate{Mobile: mobile("")})
	expect(t, r, http.StatusOK, "")
	if r.Body.Mobile != nil {
		t.Fatalf("mobile not removed: %s", r.Raw)
	}
	// An edit that changes nothing writes nothing: same ETag, no event.
	tag := etagOf(t, super, otherMemberID)
	r = admin.User(otherMemberID).Update(t, UserUpdate{Username: "由管理员改名"})
	expect(t, r, http.StatusOK, "")
	if r.Header.Get("ETag") != tag || len(auditOf(t, otherMemberID, "user.update")) != 2 {
		t.Fatalf("a no-op edit wrote: ETag %q -> %q", tag, r.Header.Get("ETag"))
	}

	// PATCH /v1/me: anyone renames itself, members included.
	r = memberClient.UpdateMe(t, MeUpdate{Username: "  Trimmed_Self  "})
	expect(t, r, http.StatusOK, "")
	if r.Body.Username != "Trimmed_Self" || ok(t, memberClient.GetMe(t), http.StatusOK).User.Username != "Trimmed_Self" {
		t.Fatalf("rename of oneself: %s", r.Raw)
	}
}

func TestAccountTypeChanges(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	id, _, client := newUser(t, super, "member")
	inType := func(accountType string) bool {
		return slices.Contains(listedIDs(t, super, url.Values{"accountType": {accountType}, "status": {"active"}}), id)
	}

	// Promoted: the lists by type show it at once, and so does its own power.
	r := super.User(id).Update(t, UserUpdate{AccountType: "platform_admin"})
	expect(t, r, http.StatusOK, "")
	if r.Body.AccountType != "platform_admin" || !inType("platform_admin") || inType("member") {
		t.Fatalf("promotion not listed: %s", r.Raw)
	}
	expect(t, client.ListUsers(t, url.Values{"limit": {"1"}}), http.StatusOK, "")
	found := all(t, super.ListUsers, url.Values{"q": {r.Body.LoginAccount}, "accountType": {"platform_admin"}}, 10)
	if len(found) != 1 {
		t.Fatalf("search with the new type finds %d", len(found))
	}
	// Demoted back.
	expect(t, super.User(id).Update(t, UserUpdate{AccountType: "member"}), http.StatusOK, "")
	if !inType("member") || inType("platform_admin") {
		t.Fatal("demotion not listed")
	}
	expect(t, client.ListUsers(t, url.Values{"limit": {"1"}}), http.StatusForbidden, "forbidden")
	events := auditOf(t, id, "user.update")
	if len(events) != 2 || events[0].Changes["accountType"].From != "platform_admin" {
		t.Fatalf("audit events %+v", events)
	}

	// A member in a team is not made an admin, and nothing is written.
	teamID, _ := newTeam(t, "")
	join(t, teamID, id, "member")
	tag := etagOf(t, super, id)
	r = super.User(id).Update(t, UserUpdate{AccountType: "platform_admin", Username: "Would_Be_Admin"})
	expect(t, r, http.StatusConflict, "member_of_teams")
	if !named(r, "accountType") {
		t.Fatalf("the refusal does not name accountType: %s", r.Raw)
	}
	if etagOf(t, super, id) != tag || !inType("member") {
		t.Fatal("a refused promotion wrote")
	}
	// Once out of the team, it can be.
	expect(t, super.Team(teamID).RemoveMember(t, id), http.StatusNoContent, "")
	expect(t, super.User(id).Update(t, UserUpdate{AccountType: "platform_admin"}), http.StatusOK, "")
}

// version is the number an ETag carries.
func version(tag string) int {
	n, _ := strconv.Atoi(strings.Trim(tag, `"`))
	return n
}

// Two admins editing one user at once: no update is lost silently.
func TestConcurrentEditsOfOneUser(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	_, _, admin := newUser(t, super, "platform_admin")
	id, _, _ := newUser(t, super, "member")
	tag := etagOf(t, super, id)
	first := version(tag)

	// Both based on the same read (If-Match): exactly one wins, the other is told.
	const n = 8
	rs := race(n, func(i int) Answer[User] {
		editor := super
		if i%2 == 1 {
			editor = admin
		}
		return editor.with("If-Match", tag).User(id).Update(t, UserUpdate{Username: fmt.Sprintf("Editor_%d", i)})
	})
	if got := statuses(rs); got[200] != 1 || got[409] != n-1 {
		t.Fatalf("statuses %v, want one 200 and %d 409", got, n-1)
	}
	var winner string
	for _, r := range rs {
		if r.Status == 200 {
			winner = r.Body.Username
		} else if r.Error.Code != "version_conflict" {
			t.Fatalf("loser: %s", r.Raw)
		}
	}
	if got := ok(t, super.User(id).Get(t), http.StatusOK).User.Username; got != winner {
		t.Fatalf("stored %q, the winner was %q", got, winner)
	}
	// The losers retry with a fresh read, and get through.
	fresh := etagOf(t, super, id)
	expect(t, admin.with("If-Match", fresh).User(id).Update(t, UserUpdate{Mobile: mobile("+14155550123")}), http.StatusOK, "")
	// A stale tag is refused; "*" and a list holding the current tag are not.
	expect(t, super.with("If-Match", fresh).User(id).Update(t, UserUpdate{Username: "Stale"}), http.StatusConflict, "version_conflict")
	expect(t, super.with("If-Match", "*").User(id).Update(t, UserUpdate{Username: "Star"}), http.StatusOK, "")
	current := etagOf(t, super, id)
	expect(t, super.with("If-Match", `"1", W/`+current+`, `+current).User(id).Update(t, UserUpdate{Username: "Listed"}), http.StatusOK, "")
	// A weak tag never matches (RFC 9110's strong comparison).
	current = etagOf(t, super, id)
	expect(t, super.with("If-Match", "W/"+current).User(id).Update(t, UserUpdate{Username: "Weak"}), http.StatusConflict, "version_conflict")

	// Without If-Match, each edit is based on the record as its request read it: every
	// one that succeeds adds exactly one version, so none overwrote another unseen.
	before := version(etagOf(t, super, id))
	rs = race(n, func(i int) Answer[User] {
		return super.User(id).Update(t, UserUpdate{Username: fmt.Sprintf("Racer_%d", i)})
	})
	edits := 0
	for _, r := range rs {
		switch {
		case r.Status == 200:
			edits++
		case r.Status != 409 || r.Error.Code != "version_conflict":
			t.Fatalf("answer %d %s", r.Status, r.Raw)
		}
	}
	after := version(etagOf(t, super, id))
	if edits == 0 || after-before != edits {
		t.Fatalf("%d edits answered 200 but the version moved from %d to %d", edits, before, after)
	}
	if first >= before {
		t.Fatalf("versions do not grow: %d then %d", first, before)
	}
}

func TestFreezeAndRecover(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	adminID, _, admin := newUser(t, super, "platform_admin")
	id, account, client := newUser(t, super, "member")
	refresh := deref(login(t, account, chosenPassword).RefreshToken)
	teamID, _ := newTeam(t, "")
	join(t, teamID, id, "admin")

	r := admin.User(id).Freeze(t)
	expect(t, r, http.StatusOK, "")
	if r.Body.Status != "frozen" {
		t.Fatalf("freeze answered %s", r.Raw)
	}
	frozenTag := r.Header.Get("ETag")
	// From that moment: the token it holds is refused everywhere, sign-in is refused,
	// and so is a refresh (Cognito has disabled the account and revoked its tokens).
	for _, frozen := range []replied{
		client.GetMe(t),
		client.UpdateMe(t, MeUpdate{Username: "Frozen_Rename"}),
		client.ListTeams(t, nil),
		client.Team(teamID).ListMembers(t, nil),
	} {
		expect(t, frozen, http.StatusForbidden, "account_frozen")
	}
	expect(t, fromNewIP().Login(t, account, chosenPassword), http.StatusUnauthorized, "invalid_credentials")
	if r := (Client{}).Refresh(t, refresh); r.Status != 401 && r.Status != 403 {
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
	again := send[User](t, super, "POST", "/v1/users/"+id+"/freeze", "{}")
	expect(t, again, http.StatusOK, "")
	if again.Body.Status != "frozen" || again.Header.Get("ETag") != frozenTag || len(auditOf(t, id, "user.freeze")) != 1 {
		t.Fatalf("a second freeze wrote: %s", again.Raw)
	}

	r = admin.User(id).Recover(t)
	expect(t, r, http.StatusOK, "")
	if r.Body.Status != "active" {
		t.Fatalf("recover answered %s", r.Raw)
	}
	// Recovering again answers it unchanged.
	expect(t, admin.User(id).Recover(t), http.StatusOK, "")
	if len(auditOf(t, id, "user.recover")) != 1 {
		t.Fatal("a second recover was recorded")
	}
	// The revoked refresh token stays dead; a new sign-in works, with the memberships
	// the freeze never touched.
	expect(t, Client{}.Refresh(t, refresh), http.StatusUnauthorized, "")
	fresh := signIn(t, account, chosenPassword)
	if err := signInWithCognito(t, id, chosenPassword); err != nil {
		t.Fatalf("a recovered user signs in with Cognito: %v", err)
	}
	if teams := myTeams(t, fresh); !slices.Equal(teams[teamID].Roles, []string{"admin"}) {
		t.Fatalf("memberships after recover: %+v", teams)
	}
	for action, want := range map[string][2]any{"user.freeze": {"active", "frozen"}, "user.recover": {"frozen", "active"}} {
		events := auditOf(t, id, action)
		if len(events) == 0 {
			t.Fatalf("no %s event", action)
		}
		status := events[0].Changes["status"]
		if events[0].ActorID != adminID || status.From != want[0] || status.To != want[1] {
			t.Fatalf("%s events %+v", action, events)
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
	expect(t, super.User(id).Freeze(t), http.StatusOK, "")
	for _, refused := range []replied{
		admin.ListUsers(t, nil), admin.User(memberID).Get(t), admin.User(memberID).Freeze(t),
		admin.User(memberID).UnbindEmail(t), admin.ListAuditEvents(t, nil),
	} {
		expect(t, refused, http.StatusForbidden, "account_frozen")
	}
	if got := ok(t, super.User(memberID).Get(t), http.StatusOK).User.Status; got != "active" {
		t.Fatalf("a frozen admin froze a member: %s", got)
	}
}

func TestUnbindUserEmail(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	_, _, admin := newUser(t, super, "platform_admin")
	email := newEmail("Unbind")
	id := userWithEmail(t, email)

	expect(t, admin.User(id).UnbindEmail(t), http.StatusNoContent, "")
	r := super.User(id).Get(t)
	expect(t, r, http.StatusOK, "")
	if r.Body.User.Email != nil || r.Body.User.EmailVerified {
		t.Fatalf("after unbinding: %s", r.Raw)
	}
	if got := listedIDs(t, super, url.Values{"q": {email}}); len(got) != 0 {
		t.Fatalf("search still finds the address: %v", got)
	}
	events := auditOf(t, id, "user.email_unbind")
	if len(events) != 1 || events[0].Changes["email"].From != email {
		t.Fatalf("audit events %+v", events)
	}
	// The address is free at once: for an admin's new user, and for a registration.
	other := userWithEmail(t, strings.ToUpper(email))
	expect(t, super.User(other).UnbindEmail(t), http.StatusNoContent, "")
	client := fromNewIP()
	code := requestCode(t, client, email)
	expect(t, client.Register(t, registration(unique("reg"), email, code)), http.StatusCreated, "")
	// Unbinding from a user without an address changes nothing.
	expect(t, admin.User(id).UnbindEmail(t), http.StatusNoContent, "")
	if len(auditOf(t, id, "user.email_unbind")) != 1 {
		t.Fatal("a second unbind was recorded")
	}
}

func TestUserEditRoutesRefuseBadInput(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	id, _, memberClient := newUser(t, super, "member")
	before := super.User(id).Get(t)
	missing := strings.Repeat("b", 26)
	tests := []struct {
		name         string
		client       Client
		method, path string
		ifMatch      string
		body         any
		fields       []string
	}{
		{"me: empty body", memberClient, "PATCH", "/v1/me", "", "", []string{"body"}},
		{"me: nothing to change", memberClient, "PATCH", "/v1/me", "", map[string]any{}, []string{"body"}},
		{"me: bad username and unknown field", memberClient, "PATCH", "/v1/me", "", map[string]any{"username": "x!", "accountType": "platform_admin"}, []string{"username", "accountType"}},
		{"me: wrong type", memberClient, "PATCH", "/v1/me", "", `{"username": 42}`, []string{"username"}},
		{"me: bad If-Match", memberClient, "PATCH", "/v1/me", "7", map[string]any{"username": "Fine_Name"}, []string{"If-Match"}},
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
			client := tt.client
			if tt.ifMatch != "" {
				client = client.with("If-Match", tt.ifMatch)
			}
			expectFields(t, client.Send(t, tt.method, tt.path, tt.body), tt.fields...)
		})
	}
	// Unknown ids are 404 for admins, and 403 for members, who may not learn which exist.
	for _, route := range []func(c Client) replied{
		func(c Client) replied { return c.User(missing).Update(t, UserUpdate{Username: "Nobody_Here"}) },
		func(c Client) replied { return c.User(missing).Freeze(t) },
		func(c Client) replied { return c.User(missing).Recover(t) },
		func(c Client) replied { return c.User(missing).UnbindEmail(t) },
	} {
		expect(t, route(super), http.StatusNotFound, "not_found")
		expect(t, route(memberClient), http.StatusForbidden, "forbidden")
	}
	if after := super.User(id).Get(t); after.Raw != before.Raw {
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
				target = ok(t, super.CreateUser(t, NewUser{
					Username: "Rule_" + login, LoginAccount: login, AccountType: tt.accountType,
					Email: login + "@example.com", Password: generated,
				}), http.StatusCreated).User.ID
			}
			before := super.User(target).Get(t)
			user := tt.client.User(target)
			for _, step := range []struct {
				name   string
				call   func() Answer[User]
				status string
			}{
				{"freeze", func() Answer[User] { return user.Freeze(t) }, "frozen"},
				{"recover", func() Answer[User] { return user.Recover(t) }, "active"},
			} {
				r := step.call()
				tt.expect(t, r, http.StatusOK)
				if tt.allowed && r.Body.Status != step.status {
					t.Fatalf("%s answered %s", step.name, r.Raw)
				}
			}
			tt.expect(t, user.UnbindEmail(t), http.StatusNoContent)
			after := super.User(target).Get(t)
			switch {
			case tt.allowed && (after.Body.User.Email != nil || after.Body.User.Status != "active"):
				t.Fatalf("after freeze, recover and unbind: %s", after.Raw)
			case !tt.allowed && !reflect.DeepEqual(after.Body.User, before.Body.User):
				t.Fatalf("a refused request wrote: %s -> %s", before.Raw, after.Raw)
			}
		})
	}
}
