package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

func logins(users []ListedUser) []string {
	return pick(users, func(u ListedUser) string { return u.LoginAccount })
}

func userIDs(users []ListedUser) []string {
	return pick(users, func(u ListedUser) string { return u.ID })
}

func TestUserListFiltersAndPagination(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	prefix := unique("flt")
	// Five members and two platform admins whose login accounts share a prefix, and
	// one member found by the prefix of its email only.
	var want, wantAdmins, wantMembers []string
	create := func(login, accountType, email string) string {
		return ok(t, root.CreateUser(t, NewUser{Username: "List_" + login, LoginAccount: login, AccountType: accountType,
			Email: email, Password: generated}), http.StatusCreated).User.ID
	}
	for i := range 5 {
		login := fmt.Sprintf("%s-m%d", prefix, i)
		// The email shares the prefix too: the user must still be listed once.
		create(login, "member", login+"@example.com")
		want, wantMembers = append(want, login), append(wantMembers, login)
	}
	for i := range 2 {
		login := fmt.Sprintf("%s-a%d", prefix, i)
		create(login, "platform_admin", "")
		want, wantAdmins = append(want, login), append(wantAdmins, login)
	}
	byEmail := unique("other")
	create(byEmail, "member", prefix+"-mail@example.com")
	want, wantMembers = append(want, byEmail), append(wantMembers, byEmail)

	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	tests := []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"prefix", url.Values{"q": {prefix}}, want},
		{"prefix in other case", url.Values{"q": {strings.ToUpper(prefix)}}, want},
		{"prefix and type", url.Values{"q": {prefix}, "accountType": {"platform_admin"}}, wantAdmins},
		{"prefix, type and status", url.Values{"q": {prefix}, "accountType": {"member"}, "status": {"active"}}, wantMembers},
		{"prefix and frozen", url.Values{"q": {prefix}, "status": {"frozen"}}, nil},
		{"no match", url.Values{"q": {prefix + "zzz"}}, nil},
	}
	for _, tt := range tests {
		for _, limit := range []int{1, 2, 3, 100} {
			t.Run(fmt.Sprintf("%s/limit %d", tt.name, limit), func(t *testing.T) {
				got := logins(all(t, root.ListUsers, tt.query, limit))
				if !slices.Equal(sorted(got), sorted(tt.want)) {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			})
		}
	}

	// Without a search, lists are newest first and filtered by index; our users are
	// among the most recent, so walk whole lists and check membership and order.
	for _, tt := range []struct {
		query url.Values
		want  []string
		check func(ListedUser) bool
	}{
		{url.Values{"accountType": {"platform_admin"}}, wantAdmins, func(u ListedUser) bool { return u.AccountType == "platform_admin" }},
		{url.Values{"accountType": {"member"}, "status": {"active"}}, wantMembers, func(u ListedUser) bool {
			return u.AccountType == "member" && u.Status == "active"
		}},
		{url.Values{"status": {"active"}}, want, func(u ListedUser) bool { return u.Status == "active" }},
		{url.Values{}, want, func(ListedUser) bool { return true }},
	} {
		t.Run("index "+tt.query.Encode(), func(t *testing.T) {
			users := all(t, root.ListUsers, tt.query, 7)
			seen := map[string]bool{}
			var created []string
			for i, u := range users {
				if seen[u.ID] {
					t.Fatalf("user %s listed twice", u.ID)
				}
				seen[u.ID] = true
				if !tt.check(u) {
					t.Fatalf("user %+v does not match the filter", u)
				}
				if i > 0 && u.CreatedAt > users[i-1].CreatedAt {
					t.Fatalf("not newest first at %d", i)
				}
				if slices.Contains(tt.want, u.LoginAccount) {
					created = append(created, u.LoginAccount)
				}
			}
			if !slices.Equal(sorted(created), sorted(tt.want)) {
				t.Fatalf("found %v of %v", created, tt.want)
			}
		})
	}
}

func TestBadInputIsRefusedAndWritesNothing(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	login := unique("bad")
	valid := func() map[string]any {
		return map[string]any{"username": "Bad_Input", "loginAccount": login, "accountType": "member",
			"password": map[string]any{"generate": true}}
	}
	with := func(changes map[string]any) map[string]any {
		b := valid()
		for k, v := range changes {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		fields []string
	}{
		{"empty body", "POST", "/v1/users", "", []string{"body"}},
		{"malformed JSON", "POST", "/v1/users", `{"username": "x",`, []string{"body"}},
		{"not an object", "POST", "/v1/users", `["x"]`, []string{"body"}},
		{"oversize body", "POST", "/v1/users", `{"username":"` + strings.Repeat("x", 70000) + `"}`, []string{"body"}},
		{"unknown field", "POST", "/v1/users", with(map[string]any{"role": "boss"}), []string{"role"}},
		{"wrong types", "POST", "/v1/users", with(map[string]any{"username": 5, "notify": "yes", "password": "secret"}),
			[]string{"username", "notify", "password"}},
		{"every bad field", "POST", "/v1/users", map[string]any{"username": "x", "loginAccount": "有", "accountType": "super_admin",
			"email": "not-an-email", "mobile": "12345", "password": map[string]any{"value": "short"}},
			[]string{"username", "loginAccount", "accountType", "email", "mobile", "password.value"}},
		{"password both ways", "POST", "/v1/users", with(map[string]any{"password": map[string]any{"generate": true, "value": "a long enough value"}}), []string{"password"}},
		{"password missing", "POST", "/v1/users", with(map[string]any{"password": nil}), []string{"password"}},
		{"password contains login", "POST", "/v1/users", with(map[string]any{"password": map[string]any{"value": "my " + strings.ToUpper(login) + " pass"}}), []string{"password.value"}},
		{"notify without email", "POST", "/v1/users", with(map[string]any{"notify": true}), []string{"notify"}},
		{"invalid id", "GET", "/v1/users/not-an-id", nil, []string{"id"}},
		{"bad cursor", "GET", "/v1/users?cursor=garbage", nil, []string{"cursor"}},
		{"bad limit", "GET", "/v1/users?limit=101", nil, []string{"limit"}},
		{"zero limit", "GET", "/v1/users?limit=0", nil, []string{"limit"}},
		{"bad filters", "GET", "/v1/users?accountType=boss&status=sleeping&sort=name", nil, []string{"accountType", "status", "sort"}},
		{"empty q", "GET", "/v1/users?q=", nil, []string{"q"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectFields(t, root.Send(t, tt.method, tt.path, tt.body), tt.fields...)
		})
	}
	// A cursor of one list is refused by another.
	page := ok(t, root.ListUsers(t, url.Values{"limit": {"1"}, "accountType": {"member"}}), http.StatusOK)
	if next := deref(page.NextCursor); next != "" {
		expect(t, root.ListUsers(t, url.Values{"limit": {"1"}, "accountType": {"platform_admin"}, "cursor": {next}}), http.StatusBadRequest, "invalid_request")
	}
	// Nothing was written: the login account is still free.
	if found := all(t, root.ListUsers, url.Values{"q": {login}}, 100); len(found) != 0 {
		t.Fatalf("refused requests wrote users: %v", logins(found))
	}
	expect(t, root.Send(t, "POST", "/v1/users", valid()), http.StatusCreated, "")
	expect(t, root.User(strings.Repeat("a", 26)).Get(t), http.StatusNotFound, "not_found")
}

func TestConcurrentCreatesOfOneLoginAccount(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	login := unique("race")
	const n = 10
	answers := make([]Answer[CreatedUser], n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// Different cases and emails: only the login account collides.
			account := login
			if i%2 == 1 {
				account = strings.ToUpper(login)
			}
			answers[i] = root.CreateUser(t, NewUser{Username: "Racer", LoginAccount: account, AccountType: "member",
				Email: fmt.Sprintf("%s-%d@example.com", login, i), Password: generated})
		})
	}
	wg.Wait()
	if got := statuses(answers); got[http.StatusCreated] != 1 || got[http.StatusConflict] != n-1 {
		t.Fatalf("statuses %v: want exactly one 201 and the rest 409", got)
	}
	if found := all(t, root.ListUsers, url.Values{"q": {login}}, 100); len(found) != 1 {
		t.Fatalf("%d users hold the login account", len(found))
	}
}
