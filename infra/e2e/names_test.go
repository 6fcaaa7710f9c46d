package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// TestNamesThatLookAlikeAreOne: a team or role name that differs from an existing
// one only by case, by how an accent is encoded, by full-width letters or by
// invisible characters cannot be made beside it; invisible and text-direction
// characters are refused in every name; names are stored in NFC (SPEC.md section 2).
func TestNamesThatLookAlikeAreOne(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	// A named thing's routes, for teams and roles alike: the answers' ids and names.
	type thing struct{ ID, Name string }
	for _, kind := range []struct {
		name   string
		create func(t *testing.T, name string) Answer[thing]
		rename func(t *testing.T, id, name string) replied
		taken  string
	}{
		{"teams", func(t *testing.T, name string) Answer[thing] {
			r := root.CreateTeam(t, TeamInput{Name: name})
			return Answer[thing]{r.Reply, thing{r.Body.ID, r.Body.Name}}
		}, func(t *testing.T, id, name string) replied {
			return root.Team(id).Update(t, TeamInput{Name: name})
		}, "team_name_taken"},
		{"roles", func(t *testing.T, name string) Answer[thing] {
			r := root.CreateRole(t, RoleInput{Name: name, Permissions: []string{"team:read"}})
			return Answer[thing]{r.Reply, thing{r.Body.ID, r.Body.Name}}
		}, func(t *testing.T, id, name string) replied {
			return root.UpdateRole(t, id, RoleUpdate{Name: name})
		}, "role_name_taken"},
	} {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			create := func(name string) Answer[thing] { return kind.create(t, name) }
			// "Sales" and its look-alikes; the suffix keeps the test's names its own.
			suffix := unique("")
			sales := "Sales " + suffix
			salesID := ok(t, create(sales), http.StatusCreated).ID
			for _, lookAlike := range []string{"SALES " + suffix, "ｓａｌｅｓ " + strings.ToUpper(suffix), "Sales  " + suffix, "Sales\u00a0" + suffix} {
				expect(t, create(lookAlike), http.StatusConflict, kind.taken)
			}
			for _, hidden := range []string{"Sa\u200bles " + suffix, "\u202eSales " + suffix, "Sales\u2066 " + suffix, "Sales\u3164" + suffix, "Sales\ufeff " + suffix} {
				r := create(hidden)
				expect(t, r, http.StatusBadRequest, "invalid_request")
				if r.Error.Fields["name"] == "" {
					t.Fatalf("%q refused without naming the field: %s", hidden, r.Raw)
				}
			}

			// "é" composed and decomposed: the first is stored in NFC, the second is taken.
			if got := ok(t, create("Cafe\u0301 "+suffix), http.StatusCreated).Name; got != "Caf\u00e9 "+suffix {
				t.Fatalf("name stored as %q, want it composed (NFC)", got)
			}
			expect(t, create("CAF\u00c9 "+suffix), http.StatusConflict, kind.taken)

			// A rename into a look-alike is refused too; into its own name in other case, not.
			other := ok(t, create("Other "+suffix), http.StatusCreated)
			expect(t, kind.rename(t, other.ID, "sales "+suffix), http.StatusConflict, kind.taken)
			expect(t, kind.rename(t, other.ID, "O\u200bther "+suffix), http.StatusBadRequest, "invalid_request")
			expect(t, kind.rename(t, salesID, "SALES "+suffix), http.StatusOK, "")
		})
	}

	t.Run("usernames", func(t *testing.T) {
		t.Parallel()
		_, _, client := newUser(t, root, "member")
		for _, bad := range []string{"alice\u202etxt.exe", "ali\u200bce", "\u3164\u3164\u3164", "ali\ufe0fce"} {
			r := root.CreateUser(t, NewUser{Username: bad, LoginAccount: unique("n"), AccountType: "member", Password: generated})
			expect(t, r, http.StatusBadRequest, "invalid_request")
			if r.Error.Fields["username"] == "" {
				t.Fatalf("username %q refused without naming the field: %s", bad, r.Raw)
			}
			patched := client.UpdateMe(t, MeUpdate{Username: bad})
			expect(t, patched, http.StatusBadRequest, "invalid_request")
			if patched.Error.Fields["username"] == "" {
				t.Fatalf("username %q refused without naming the field: %s", bad, patched.Raw)
			}
		}
		r := client.UpdateMe(t, MeUpdate{Username: "Jose\u0301"})
		expect(t, r, http.StatusOK, "")
		if got := r.Body.Username; got != "Jos\u00e9" {
			t.Fatalf("username stored as %q (%s), want it composed (NFC)", got, r.Raw)
		}
	})
}
