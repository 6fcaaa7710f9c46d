package store_test

import (
	"testing"

	"github.com/roster-dev/roster/internal/locale"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/user"
)

// TestUserLocale: a user's locale is stored as given, changed by SaveUser alone (no
// other field moves), and a record written before users had one reads as the default.
func TestUserLocale(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	u := newUser("speaker", "speaker@example.com", user.Member, user.Active)
	u.Locale = locale.SimplifiedChinese
	if err := s.CreateUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	got, err := s.User(ctx, u.ID)
	if err != nil || got.Locale != locale.SimplifiedChinese {
		t.Fatalf("created: locale %q, %v", got.Locale, err)
	}
	next := got
	next.Locale = locale.English
	saved, err := s.SaveUser(ctx, got, next, store.Effects{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err = s.User(ctx, u.ID); err != nil || got != saved || got.Locale != locale.English || got.Version != u.Version+1 {
		t.Fatalf("stored %+v, %v; answered %+v", got, err, saved)
	}

	// A user made with no locale, and one whose record has none, read as the default.
	bare := newUser("bare", "", user.Member, user.Active)
	if err := s.CreateUser(ctx, bare, false); err != nil {
		t.Fatal(err)
	}
	if err := s.DropLocale(ctx, bare.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.User(ctx, bare.ID); err != nil || got.Locale != locale.Default {
		t.Fatalf("a record without a locale: %q, %v", got.Locale, err)
	}
}
