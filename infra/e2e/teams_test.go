package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func teamIDs(teams []Team) []string { return pick(teams, func(t Team) string { return t.ID }) }

func TestTeamLifecycle(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	ownerID, owner := member(t)
	_, outsider := member(t)
	_, reader := member(t)

	teamID, name := newTeam(t, ownerID)
	r := root.Team(teamID).Get(t)
	expect(t, r, http.StatusOK, "")
	if r.Body.Name != name || r.Body.LoginURL != apiURL+"/login?team="+teamID {
		t.Fatalf("team view %s", r.Raw)
	}
	mine, in := myTeams(t, owner)[teamID]
	if !in || !slices.Equal(mine.Roles, []string{"owner"}) || !slices.Equal(mine.Permissions, []string{"*"}) {
		t.Fatalf("owner's /v1/me teams: %+v", mine)
	}

	// Names are unique ignoring case, on create and on rename.
	expect(t, root.CreateTeam(t, TeamInput{Name: strings.ToUpper(name)}), http.StatusConflict, "team_name_taken")
	otherID, otherName := newTeam(t, "")
	expect(t, root.Team(otherID).Update(t, TeamInput{Name: strings.ToLower(name)}), http.StatusConflict, "team_name_taken")

	// The owner renames (team:update); a plain member may read but not rename; an
	// outsider is told the team does not exist, exactly as for a team that does not.
	renamed := unique("Renamed ")
	r = owner.Team(teamID).Update(t, TeamInput{Name: renamed, Description: "North region"})
	expect(t, r, http.StatusOK, "")
	if r.Body.Name != renamed || r.Body.Description != "North region" {
		t.Fatalf("renamed team %s", r.Raw)
	}
	// The old name is free again.
	expect(t, root.Team(otherID).Update(t, TeamInput{Name: name}), http.StatusOK, "")
	readerID := selfID(t, reader)
	join(t, teamID, readerID, "member")
	expect(t, reader.Team(teamID).Get(t), http.StatusOK, "")
	expect(t, reader.Team(teamID).Update(t, TeamInput{Name: unique("x")}), http.StatusForbidden, "forbidden")
	hidden := outsider.Team(teamID).Get(t)
	missing := outsider.Team("aaaaaaaaaaaaaaaaaaaaaaaaaa").Get(t)
	expect(t, hidden, http.StatusNotFound, "not_found")
	expect(t, missing, http.StatusNotFound, "not_found")
	if hidden.Error.Message != missing.Error.Message {
		t.Fatalf("a hidden team answers differently from a missing one: %s vs %s", hidden.Raw, missing.Raw)
	}
	expect(t, outsider.Team(teamID).Update(t, TeamInput{Name: unique("x")}), http.StatusNotFound, "not_found")
	expect(t, outsider.Team(teamID).ListMembers(t, nil), http.StatusNotFound, "not_found")

	// Only admins create and delete teams.
	expect(t, owner.CreateTeam(t, TeamInput{Name: unique("Mine ")}), http.StatusForbidden, "forbidden")
	expect(t, owner.Team(teamID).Delete(t), http.StatusForbidden, "forbidden")

	// Lists: admins see every team, by name prefix; members only their own.
	listed := all(t, root.ListTeams, url.Values{"q": {strings.ToUpper(renamed[:12])}}, 1)
	if !slices.Equal(teamIDs(listed), []string{teamID}) {
		t.Fatalf("admin's prefix list: %v", pick(listed, func(t Team) string { return t.Name }))
	}
	if got := pick(all(t, root.ListTeams, url.Values{"q": {otherName[:5]}}, 2), func(t Team) string { return t.Name }); len(got) == 0 || !slices.IsSorted(got) {
		// Names of other tests' teams share the prefix: they must come in name order.
		if !slices.IsSortedFunc(got, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
			t.Fatalf("admin's list not by name: %v", got)
		}
	}
	if got := teamIDs(all(t, owner.ListTeams, nil, 1)); !slices.Equal(got, []string{teamID}) {
		t.Fatalf("owner's list %v, want only %s", got, teamID)
	}
	if got := teamIDs(all(t, owner.ListTeams, url.Values{"q": {"zzz"}}, 5)); len(got) != 0 {
		t.Fatalf("owner's filtered list %v", got)
	}
	if got := all(t, outsider.ListTeams, nil, 5); len(got) != 0 {
		t.Fatalf("outsider's list %+v", got)
	}

	// Deleting a team takes its memberships, codes and pending invitations with it.
	code := ok(t, owner.Team(teamID).CreateInvitationCode(t, "member"), http.StatusCreated).Code
	link := ok(t, owner.Team(teamID).CreateInvitation(t, InvitationInput{RoleIDs: []string{"member"}}), http.StatusCreated).Link
	token := tokenOf(deref(link))
	expect(t, root.Team(teamID).Delete(t), http.StatusNoContent, "")
	expect(t, root.Team(teamID).Get(t), http.StatusNotFound, "not_found")
	expect(t, root.Team(teamID).Delete(t), http.StatusNotFound, "not_found")
	if _, still := myTeams(t, owner)[teamID]; still {
		t.Fatal("the owner is still in the deleted team")
	}
	expect(t, outsider.JoinTeam(t, code), http.StatusNotFound, "not_found")
	expect(t, Client{}.GetInvitation(t, token), http.StatusNotFound, "not_found")
	// Its name is free again.
	expect(t, root.CreateTeam(t, TeamInput{Name: renamed}), http.StatusCreated, "")
}
