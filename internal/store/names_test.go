package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/team"
)

// Team and role names that look alike are one name (validate.NameKey): the second of
// each pair is refused, whichever the first was.
func TestLookAlikeNamesAreTaken(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pairs := []struct{ name, first, second string }{
		{"case", "Sales", "SALES"},
		{"decomposed accent", "Caf\u00e9", "CAFE\u0301"},
		{"full-width", "ＳＡＬＥＳ", "sales"},
		{"sharp s", "Straße", "STRASSE"},
		{"spaces", "Sales East", "Sales\u00a0 East"},
	}
	for _, tt := range pairs {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := storetest.New(t)
			if err := s.CreateTeam(ctx, team.Team{ID: ids.New(), Name: tt.first, CreatedAt: time.Now()}, nil, store.Effects{}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateTeam(ctx, team.Team{ID: ids.New(), Name: tt.second, CreatedAt: time.Now()}, nil, store.Effects{}); !errors.Is(err, apperr.CodeTeamNameTaken) {
				t.Fatalf("team %q beside %q: %v, want team_name_taken", tt.second, tt.first, err)
			}
			if err := s.CreateRole(ctx, team.Role{ID: ids.New(), Name: tt.first, Permissions: []string{}, CreatedAt: time.Now()}, store.Effects{}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateRole(ctx, team.Role{ID: ids.New(), Name: tt.second, Permissions: []string{}, CreatedAt: time.Now()}, store.Effects{}); !errors.Is(err, apperr.CodeRoleNameTaken) {
				t.Fatalf("role %q beside %q: %v, want role_name_taken", tt.second, tt.first, err)
			}
			// Renaming into the other's name is refused the same way.
			other := team.Team{ID: ids.New(), Name: "Other " + tt.name, CreatedAt: time.Now()}
			if err := s.CreateTeam(ctx, other, nil, store.Effects{}); err != nil {
				t.Fatal(err)
			}
			read, err := s.Team(ctx, other.ID)
			if err != nil {
				t.Fatal(err)
			}
			renamed := read
			renamed.Name = tt.second
			if err := s.UpdateTeam(ctx, read, renamed, store.Effects{}); !errors.Is(err, apperr.CodeTeamNameTaken) {
				t.Fatalf("renaming a team to %q beside %q: %v, want team_name_taken", tt.second, tt.first, err)
			}
		})
	}
	s := storetest.New(t)
	if err := s.CreateRole(ctx, team.Role{ID: ids.New(), Name: "ＯＷＮＥＲ", Permissions: []string{}, CreatedAt: time.Now()}, store.Effects{}); !errors.Is(err, apperr.CodeRoleNameTaken) {
		t.Fatalf("a role named like the built-in owner: %v, want role_name_taken", err)
	}
}

// Teams and roles written before names were keyed by validate.NameKey hold their
// claim under the lower-cased name: a rename or deletion releases that claim, not
// the one their name would have now, which may be another's.
func TestLegacyNameClaimsAreReleased(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, role := range []bool{false, true} {
		s := storetest.New(t)
		// "ＳＡＬＥＳ" was claimed as "ｓａｌｅｓ"; its key is "sales" now.
		legacy := ids.New()
		if err := s.WriteLegacyName(ctx, legacy, "ＳＡＬＥＳ", role); err != nil {
			t.Fatal(err)
		}
		rename := func(id, to string) error {
			if role {
				r, v, err := s.Role(ctx, id)
				if err != nil {
					return err
				}
				next := r
				next.Name = to
				return s.UpdateRole(ctx, r, v, next, store.Effects{})
			}
			tm, err := s.Team(ctx, id)
			if err != nil {
				return err
			}
			next := tm
			next.Name = to
			return s.UpdateTeam(ctx, tm, next, store.Effects{})
		}
		// Renamed to a name with the key it has now: claimed under it, the old claim freed.
		if err := rename(legacy, "Sales"); err != nil {
			t.Fatalf("role %v: renaming the legacy item: %v", role, err)
		}
		if id, err := s.NameClaim(ctx, "sales", role); err != nil || id != legacy {
			t.Fatalf("role %v: claim of sales held by %q (%v), want the renamed item", role, id, err)
		}
		if id, err := s.NameClaim(ctx, "ｓａｌｅｓ", role); err != nil || id != "" {
			t.Fatalf("role %v: the legacy claim is still held by %q (%v)", role, id, err)
		}

		// Written again under its own name (the re-keying README describes), a legacy
		// item moves its claim to its name's key.
		same := ids.New()
		if err := s.WriteLegacyName(ctx, same, "Ｆｉｎａｎｃｅ", role); err != nil {
			t.Fatal(err)
		}
		if err := rename(same, "Ｆｉｎａｎｃｅ"); err != nil {
			t.Fatalf("role %v: re-keying a legacy item: %v", role, err)
		}
		if id, err := s.NameClaim(ctx, "finance", role); err != nil || id != same {
			t.Fatalf("role %v: claim of finance held by %q (%v) after re-keying", role, id, err)
		}
		if id, err := s.NameClaim(ctx, "ｆｉｎａｎｃｅ", role); err != nil || id != "" {
			t.Fatalf("role %v: the legacy claim is still held by %q (%v) after re-keying", role, id, err)
		}

		// A legacy item deleted releases its own claim and leaves alone the claim its
		// name's key now names, held by another.
		gone := ids.New()
		if err := s.WriteLegacyName(ctx, gone, "Ｍａｒｋｅｔｉｎｇ", role); err != nil {
			t.Fatal(err)
		}
		holder := ids.New()
		if role {
			if err := s.CreateRole(ctx, team.Role{ID: holder, Name: "Marketing", Permissions: []string{}, CreatedAt: time.Now()}, store.Effects{}); err != nil {
				t.Fatal(err)
			}
			r, _, err := s.Role(ctx, gone)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteRole(ctx, r, store.Effects{}); err != nil {
				t.Fatal(err)
			}
		} else {
			if err := s.CreateTeam(ctx, team.Team{ID: holder, Name: "Marketing", CreatedAt: time.Now()}, nil, store.Effects{}); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteTeam(ctx, gone, store.Effects{}); err != nil {
				t.Fatal(err)
			}
		}
		if id, err := s.NameClaim(ctx, "ｍａｒｋｅｔｉｎｇ", role); err != nil || id != "" {
			t.Fatalf("role %v: the deleted legacy item's claim is held by %q (%v)", role, id, err)
		}
		if id, err := s.NameClaim(ctx, "marketing", role); err != nil || id != holder {
			t.Fatalf("role %v: claim of marketing held by %q (%v), want the other item's", role, id, err)
		}
	}
}
