package store_test

import (
	"errors"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
)

func TestCodeRules(t *testing.T) {
	t.Parallel()
	if store.CodeValidity != mail.CodeValidity {
		t.Fatalf("codes last %v but the emails say %v", store.CodeValidity, mail.CodeValidity)
	}
	seen := map[string]bool{}
	for range 200 {
		c := store.NewCodeSecret()
		if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(c) {
			t.Fatalf("code %q is not 6 digits", c)
		}
		seen[c] = true
	}
	if len(seen) < 190 {
		t.Fatalf("200 codes had only %d distinct values", len(seen))
	}
}

func TestCodeRedeemOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	grant := store.Code{Purpose: store.PasswordResetCode, Subject: "alice", UserID: "u1"}
	if err := s.IssueCode(ctx, grant, "123456", now, mail.NoLetter()); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		code   store.Code
		secret string
	}{
		{"wrong secret", grant, "654321"},
		{"other subject", store.Code{Purpose: store.PasswordResetCode, Subject: "bob"}, "123456"},
		{"other purpose", store.Code{Purpose: store.RegistrationCode, Subject: "alice"}, "123456"},
	}
	for _, tt := range tests {
		if _, err := s.RedeemCode(ctx, tt.code, tt.secret, now); !errors.Is(err, store.ErrCodeInvalid) {
			t.Errorf("%s: %v, want ErrCodeInvalid", tt.name, err)
		}
	}
	got, err := s.RedeemCode(ctx, store.Code{Purpose: store.PasswordResetCode, Subject: "alice"}, "123456", now.Add(time.Minute))
	if err != nil || got.UserID != "u1" {
		t.Fatalf("redeem: %+v, %v; want the grant for u1", got, err)
	}
	if _, err := s.RedeemCode(ctx, grant, "123456", now.Add(time.Minute)); !errors.Is(err, store.ErrCodeInvalid) {
		t.Fatalf("second redemption: %v, want ErrCodeInvalid", err)
	}
	// A restored code can be redeemed again, once.
	if err := s.RestoreCode(ctx, got); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RedeemCode(ctx, grant, "123456", now.Add(time.Minute)); err != nil {
		t.Fatalf("redeem after restore: %v", err)
	}
}

func TestCodeExpiresAtReadTime(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	now := time.Now()
	grant := store.Code{Purpose: store.RegistrationCode, Subject: "late@example.com", Email: "late@example.com"}
	if err := s.IssueCode(ctx, grant, "111111", now, mail.NoLetter()); err != nil {
		t.Fatal(err)
	}
	// The item is still there (TTL has not run), but its time is up.
	if _, err := s.RedeemCode(ctx, grant, "111111", now.Add(store.CodeValidity)); !errors.Is(err, store.ErrCodeInvalid) {
		t.Fatalf("expired code: %v, want ErrCodeInvalid", err)
	}
	if _, err := s.RedeemCode(ctx, grant, "111111", now.Add(store.CodeValidity-time.Second)); err != nil {
		t.Fatalf("code a second before expiry: %v", err)
	}
}

func TestCodeBoundToEmail(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	now := time.Now()
	grant := store.Code{Purpose: store.EmailChangeCode, Subject: "user1", Email: "new@example.com", UserID: "user1"}
	if err := s.IssueCode(ctx, grant, "222222", now, mail.NoLetter()); err != nil {
		t.Fatal(err)
	}
	other := grant
	other.Email = "other@example.com"
	if _, err := s.RedeemCode(ctx, other, "222222", now); !errors.Is(err, store.ErrCodeInvalid) {
		t.Fatalf("code for another address: %v, want ErrCodeInvalid", err)
	}
	if _, err := s.RedeemCode(ctx, grant, "222222", now); err != nil {
		t.Fatalf("code for its address: %v", err)
	}
}

func TestCodeFiveWrongTriesKillIt(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	now := time.Now()
	grant := store.Code{Purpose: store.RegistrationCode, Subject: "a@example.com", Email: "a@example.com"}
	if err := s.IssueCode(ctx, grant, "333333", now, mail.NoLetter()); err != nil {
		t.Fatal(err)
	}
	for range store.CodeMaxTries {
		if _, err := s.RedeemCode(ctx, grant, "000000", now); !errors.Is(err, store.ErrCodeInvalid) {
			t.Fatalf("wrong code: %v", err)
		}
	}
	if _, err := s.RedeemCode(ctx, grant, "333333", now); !errors.Is(err, store.ErrCodeInvalid) {
		t.Fatalf("right code after %d wrong tries: %v, want ErrCodeInvalid", store.CodeMaxTries, err)
	}
}

// However many guesses arrive at once, at most CodeMaxTries are compared, and of
// concurrent right answers exactly one wins.
func TestCodeConcurrentRedemptions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	now := time.Now()
	grant := store.Code{Purpose: store.RegistrationCode, Subject: "c@example.com", Email: "c@example.com"}
	if err := s.IssueCode(ctx, grant, "444444", now, mail.NoLetter()); err != nil {
		t.Fatal(err)
	}
	var wins, refusals atomic.Int32
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.RedeemCode(ctx, grant, "444444", now)
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, store.ErrCodeInvalid):
				refusals.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 || refusals.Load() != 11 {
		t.Fatalf("%d wins and %d refusals of 12, want 1 and 11", wins.Load(), refusals.Load())
	}

	// A flood of wrong guesses uses up the tries of a fresh code; the right code
	// arriving in the middle of it is compared only if a try was left for it.
	brute := store.Code{Purpose: store.RegistrationCode, Subject: "d@example.com", Email: "d@example.com"}
	if err := s.IssueCode(ctx, brute, "555555", now, mail.NoLetter()); err != nil {
		t.Fatal(err)
	}
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = s.RedeemCode(ctx, brute, "999999", now)
		}()
	}
	wg.Wait()
	if _, err := s.RedeemCode(ctx, brute, "555555", now); !errors.Is(err, store.ErrCodeInvalid) {
		t.Fatalf("right code after 30 concurrent wrong guesses: %v, want ErrCodeInvalid", err)
	}
}

func TestCodeResend(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	now := time.Now().Truncate(time.Millisecond) // as stored
	grant := store.Code{Purpose: store.RegistrationCode, Subject: "r@example.com", Email: "r@example.com"}
	if err := s.IssueCode(ctx, grant, "666666", now, mail.NoLetter()); err != nil {
		t.Fatal(err)
	}
	err := s.IssueCode(ctx, grant, "777777", now.Add(20*time.Second), mail.NoLetter())
	if e := apperr.As(err); e == nil || e.Kind != apperr.RateLimited || e.RetryAfter != 40*time.Second {
		t.Fatalf("resend after 20s: %v, want rate_limited retrying after 40s", err)
	}
	if err := s.IssueCode(ctx, grant, "888888", now.Add(store.CodeResendAfter), mail.NoLetter()); err != nil {
		t.Fatalf("resend after %v: %v", store.CodeResendAfter, err)
	}
	// Only the newest code is valid.
	if _, err := s.RedeemCode(ctx, grant, "666666", now.Add(store.CodeResendAfter)); !errors.Is(err, store.ErrCodeInvalid) {
		t.Fatalf("replaced code: %v, want ErrCodeInvalid", err)
	}
	if _, err := s.RedeemCode(ctx, grant, "888888", now.Add(store.CodeResendAfter)); err != nil {
		t.Fatalf("newest code: %v", err)
	}
}
