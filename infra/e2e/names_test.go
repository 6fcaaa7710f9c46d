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
	for _, kind := range []struct{ path, taken string }{{"/v1/teams", "team_name_taken"}, {"/v1/roles", "role_name_taken"}} {
		t.Run(strings.TrimPrefix(kind.path, "/v1/"), func(t *testing.T) {
			t.Parallel()
			create := func(name string) response {
				body := map[string]any{"name": name}
				if kind.path == "/v1/roles" {
					body["permissions"] = []string{"team:read"}
				}
				return call(t, root, "POST", kind.path, body)
			}
			// "Sales" and its look-alikes; the suffix keeps the test's names its own.
			suffix := unique("")
			sales := "Sales " + suffix
			r := create(sales)
			expect(t, r, http.StatusCreated, "")
			salesID := r.str("id")
			for _, lookAlike := range []string{"SALES " + suffix, "ｓａｌｅｓ " + strings.ToUpper(suffix), "Sales  " + suffix, "Sales\u00a0" + suffix} {
				expect(t, create(lookAlike), http.StatusConflict, kind.taken)
			}
			for _, hidden := range []string{"Sa\u200bles " + suffix, "\u202eSales " + suffix, "Sales\u2066 " + suffix, "Sales\u3164" + suffix, "Sales\ufeff " + suffix} {
				r := create(hidden)
				expect(t, r, http.StatusBadRequest, "invalid_request")
				if r.str("error", "fields", "name") == "" {
					t.Fatalf("%q refused without naming the field: %s", hidden, r.Raw)
				}
			}

			// "é" composed and decomposed: the first is stored in NFC, the second is taken.
			r = create("Cafe\u0301 " + suffix)
			expect(t, r, http.StatusCreated, "")
			if got := r.str("name"); got != "Caf\u00e9 "+suffix {
				t.Fatalf("name stored as %q, want it composed (NFC)", got)
			}
			expect(t, create("CAF\u00c9 "+suffix), http.StatusConflict, kind.taken)

			// A rename into a look-alike is refused too; into its own name in other case, not.
			method := "PATCH"
			other := create("Other " + suffix)
			expect(t, other, http.StatusCreated, "")
			expect(t, call(t, root, method, kind.path+"/"+other.str("id"), map[string]any{"name": "sales " + suffix}), http.StatusConflict, kind.taken)
			expect(t, call(t, root, method, kind.path+"/"+other.str("id"), map[string]any{"name": "O\u200bther " + suffix}), http.StatusBadRequest, "invalid_request")
			r = call(t, root, method, kind.path+"/"+salesID, map[string]any{"name": "SALES " + suffix})
			expect(t, r, http.StatusOK, "")
		})
	}

	t.Run("usernames", func(t *testing.T) {
		t.Parallel()
		_, _, token := newUser(t, root, "member")
		for _, bad := range []string{"alice\u202etxt.exe", "ali\u200bce", "\u3164\u3164\u3164", "ali\ufe0fce"} {
			login := unique("n")
			r := call(t, root, "POST", "/v1/users", map[string]any{"username": bad, "loginAccount": login, "accountType": "member",
				"password": map[string]any{"generate": true}})
			expect(t, r, http.StatusBadRequest, "invalid_request")
			if r.str("error", "fields", "username") == "" {
				t.Fatalf("username %q refused without naming the field: %s", bad, r.Raw)
			}
			r = call(t, token, "PATCH", "/v1/me", map[string]any{"username": bad})
			expect(t, r, http.StatusBadRequest, "invalid_request")
			if r.str("error", "fields", "username") == "" {
				t.Fatalf("username %q refused without naming the field: %s", bad, r.Raw)
			}
		}
		r := call(t, token, "PATCH", "/v1/me", map[string]any{"username": "Jose\u0301"})
		expect(t, r, http.StatusOK, "")
		if got := r.str("username"); got != "Jos\u00e9" {
			t.Fatalf("username stored as %q (%s), want it composed (NFC)", got, r.Raw)
		}
	})
}
