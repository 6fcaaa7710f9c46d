package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// member creates a member account signed in for the first time.
func member(t *testing.T) (id, token string) {
	t.Helper()
	id, _, token = newUser(t, superAdmin(t), "member")
	return id, token
}

// newTeam creates a team as the super admin, with owner as its first owner unless "".
func newTeam(t *testing.T, owner string) (id, name string) {
	t.Helper()
	name = unique("Team ")
	body := map[string]any{"name": name}
	if owner != "" {
		body["ownerId"] = owner
	}
	r := call(t, superAdmin(t), "POST", "/v1/teams", body)
	expect(t, r, http.StatusCreated, "")
	return r.str("id"), name
}

// join adds userID to a team with roles, as the super admin.
func join(t *testing.T, teamID, userID string, roles ...string) {
	t.Helper()
	r := call(t, superAdmin(t), "POST", "/v1/teams/"+teamID+"/members", map[string]any{"userId": userID, "roleIds": roles})
	expect(t, r, http.StatusCreated, "")
}

// myTeams answers the caller's teams from GET /v1/me, by team id.
func myTeams(t *testing.T, token string) map[string]map[string]any {
	t.Helper()
	r := call(t, token, "GET", "/v1/me", nil)
	expect(t, r, http.StatusOK, "")
	out := map[string]map[string]any{}
	for _, v := range r.get("teams").([]any) {
		team := v.(map[string]any)
		out[team["id"].(string)] = team
	}
	return out
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, len(list))
	for i, s := range list {
		out[i], _ = s.(string)
	}
	return out
}

// pageAll walks a list route to its end with the given page size.
func pageAll(t *testing.T, token, path string, query url.Values, limit int) []map[string]any {
	t.Helper()
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("limit", fmt.Sprint(limit))
	var all []map[string]any
	for pages := 0; ; pages++ {
		if pages > 200 {
			t.Fatal("pagination does not end")
		}
		r := call(t, token, "GET", path+"?"+q.Encode(), nil)
		expect(t, r, http.StatusOK, "")
		if len(r.items()) > limit {
			t.Fatalf("page of %d items, limit %d", len(r.items()), limit)
		}
		all = append(all, r.items()...)
		next, _ := r.Body["nextCursor"].(string)
		if next == "" {
			return all
		}
		q.Set("cursor", next)
	}
}

func field(items []map[string]any, path ...string) []string {
	out := make([]string, len(items))
	for i, item := range items {
		out[i] = response{Body: item}.str(path...)
	}
	return out
}

func TestTeamLifecycle(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	ownerID, owner := member(t)
	_, outsider := member(t)
	_, reader := member(t)

	teamID, name := newTeam(t, ownerID)
	r := call(t, root, "GET", "/v1/teams/"+teamID, nil)
	expect(t, r, http.StatusOK, "")
	if r.str("name") != name || r.str("loginUrl") != apiURL+"/login?team="+teamID {
		t.Fatalf("team view %s", r.Raw)
	}
	mine := myTeams(t, owner)[teamID]
	if mine == nil || !slices.Equal(strs(mine["roles"]), []string{"owner"}) || !slices.Equal(strs(mine["permissions"]), []string{"*"}) {
		t.Fatalf("owner's /v1/me teams: %v", mine)
	}

	// Names are unique ignoring case, on create and on rename.
	expect(t, call(t, root, "POST", "/v1/teams", map[string]any{"name": strings.ToUpper(name)}), http.StatusConflict, "team_name_taken")
	otherID, otherName := newTeam(t, "")
	expect(t, call(t, root, "PATCH", "/v1/teams/"+otherID, map[string]any{"name": strings.ToLower(name)}), http.StatusConflict, "team_name_taken")

	// The owner renames (team:update); a plain member may read but not rename; an
	// outsider is told the team does not exist, exactly as for a team that does not.
	renamed := unique("Renamed ")
	r = call(t, owner, "PATCH", "/v1/teams/"+teamID, map[string]any{"name": renamed, "description": "North region"})
	expect(t, r, http.StatusOK, "")
	if r.str("name") != renamed || r.str("description") != "North region" {
		t.Fatalf("renamed team %s", r.Raw)
	}
	// The old name is free again.
	expect(t, call(t, root, "PATCH", "/v1/teams/"+otherID, map[string]any{"name": name}), http.StatusOK, "")
	readerID := selfID(t, reader)
	join(t, teamID, readerID, "member")
	expect(t, call(t, reader, "GET", "/v1/teams/"+teamID, nil), http.StatusOK, "")
	expect(t, call(t, reader, "PATCH", "/v1/teams/"+teamID, map[string]any{"name": unique("x")}), http.StatusForbidden, "forbidden")
	hidden := call(t, outsider, "GET", "/v1/teams/"+teamID, nil)
	missing := call(t, outsider, "GET", "/v1/teams/aaaaaaaaaaaaaaaaaaaaaaaaaa", nil)
	expect(t, hidden, http.StatusNotFound, "not_found")
	expect(t, missing, http.StatusNotFound, "not_found")
	if hidden.str("error", "message") != missing.str("error", "message") {
		t.Fatalf("a hidden team answers differently from a missing one: %s vs %s", hidden.Raw, missing.Raw)
	}
	expect(t, call(t, outsider, "PATCH", "/v1/teams/"+teamID, map[string]any{"name": unique("x")}), http.StatusNotFound, "not_found")
	expect(t, call(t, outsider, "GET", "/v1/teams/"+teamID+"/members", nil), http.StatusNotFound, "not_found")

	// Only admins create and delete teams.
	expect(t, call(t, owner, "POST", "/v1/teams", map[string]any{"name": unique("Mine ")}), http.StatusForbidden, "forbidden")
	expect(t, call(t, owner, "DELETE", "/v1/teams/"+teamID, nil), http.StatusForbidden, "forbidden")

	// Lists: admins see every team, by name prefix; members only their own.
	all := pageAll(t, root, "/v1/teams", url.Values{"q": {strings.ToUpper(renamed[:12])}}, 1)
	if !slices.Equal(field(all, "id"), []string{teamID}) {
		t.Fatalf("admin's prefix list: %v", field(all, "name"))
	}
	if got := field(pageAll(t, root, "/v1/teams", url.Values{"q": {otherName[:5]}}, 2), "name"); len(got) == 0 || !slices.IsSorted(got) {
		// Names of other tests' teams share the prefix: they must come in name order.
		if !slices.IsSortedFunc(got, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
			t.Fatalf("admin's list not by name: %v", got)
		}
	}
	if got := field(pageAll(t, owner, "/v1/teams", nil, 1), "id"); !slices.Equal(got, []string{teamID}) {
		t.Fatalf("owner's list %v, want only %s", got, teamID)
	}
	if got := field(pageAll(t, owner, "/v1/teams", url.Values{"q": {"zzz"}}, 5), "id"); len(got) != 0 {
		t.Fatalf("owner's filtered list %v", got)
	}
	if got := pageAll(t, outsider, "/v1/teams", nil, 5); len(got) != 0 {
		t.Fatalf("outsider's list %v", got)
	}

	// Deleting a team takes its memberships, codes and pending invitations with it.
	r = call(t, owner, "POST", "/v1/teams/"+teamID+"/invitation-codes", map[string]any{"roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	code := r.str("code")
	r = call(t, owner, "POST", "/v1/teams/"+teamID+"/invitations", map[string]any{"roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	token := r.str("link")[strings.LastIndex(r.str("link"), "/")+1:]
	expect(t, call(t, root, "DELETE", "/v1/teams/"+teamID, nil), http.StatusNoContent, "")
	expect(t, call(t, root, "GET", "/v1/teams/"+teamID, nil), http.StatusNotFound, "not_found")
	expect(t, call(t, root, "DELETE", "/v1/teams/"+teamID, nil), http.StatusNotFound, "not_found")
	if _, still := myTeams(t, owner)[teamID]; still {
		t.Fatal("the owner is still in the deleted team")
	}
	expect(t, call(t, outsider, "POST", "/v1/teams/join", map[string]any{"code": code}), http.StatusNotFound, "not_found")
	expect(t, call(t, "", "GET", "/v1/invitations/"+token, nil), http.StatusNotFound, "not_found")
	// Its name is free again.
	expect(t, call(t, root, "POST", "/v1/teams", map[string]any{"name": renamed}), http.StatusCreated, "")
}

// selfID is the caller's own user id.
func selfID(t *testing.T, token string) string {
	t.Helper()
	r := call(t, token, "GET", "/v1/me", nil)
	expect(t, r, http.StatusOK, "")
	return r.str("user", "id")
}
