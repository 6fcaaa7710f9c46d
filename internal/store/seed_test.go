package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/user"
)

// TestSeedUsers: seeded users are what CreateUser would have written: listed, found
// by search and login account, and their claims refuse a second user.
func TestSeedUsers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	var seeded []user.User
	for i := range 30 { // more than one batch of 25 items
		seeded = append(seeded, newUser(fmt.Sprintf("seed%02d", i), fmt.Sprintf("seed%02d@example.com", i), user.Member, user.Active))
	}
	if err := s.SeedUsers(ctx, seeded); err != nil {
		t.Fatal(err)
	}

	page, _, err := s.ListUsers(ctx, store.UserFilter{AccountType: user.Member}, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != len(seeded) || page[0].ID != seeded[len(seeded)-1].ID {
		t.Errorf("list: %d users, first %q; want %d, newest first", len(page), page[0].ID, len(seeded))
	}
	found, _, err := s.ListUsers(ctx, store.UserFilter{Query: "SEED07@"}, store.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].ID != seeded[7].ID {
		t.Errorf("search seed07@: %+v", found)
	}
	id, err := s.UserIDByLogin(ctx, "Seed12")
	if err != nil || id != seeded[12].ID {
		t.Errorf("UserIDByLogin(Seed12) = %q, %v; want %q", id, err, seeded[12].ID)
	}
	again := newUser("SEED03", "other@example.com", user.Member, user.Active)
	if err := s.CreateUser(ctx, again, false); !errors.Is(err, apperr.CodeLoginAccountTaken) {
		t.Errorf("CreateUser with a seeded login account: %v", err)
	}
}
