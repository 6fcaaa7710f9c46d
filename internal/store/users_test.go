package store_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/user"
)

// created is when newUser's users were made: each call is a millisecond later, so that
// "newest first" has one answer.
var (
	clockMu sync.Mutex
	clock   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

func newUser(login, email string, t user.AccountType, s user.Status) user.User {
	clockMu.Lock()
	clock = clock.Add(time.Millisecond)
	at := clock
	clockMu.Unlock()
	return user.User{
		ID: ids.New(), Username: "U_" + login, LoginAccount: login, Email: email,
		AccountType: t, Status: s, CreatedAt: at,
	}
}

func TestCreateUserUniqueness(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, table := storetest.Table(t)
	s := store.New(db, table)
	first := newUser("Alice", "alice@example.com", user.Member, user.Active)
	if err := s.CreateUser(ctx, first, false); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		login      string
		email      string
		wantCode   apperr.Code
		wantFields []string
	}{
		{"login account in other case", "ALICE", "", apperr.CodeLoginAccountTaken, []string{"loginAccount"}},
		{"email in other case", "bob", "Alice@Example.COM", apperr.CodeEmailTaken, []string{"email"}},
		{"both taken, both named", "alice", "alice@example.com", apperr.CodeLoginAccountTaken, []string{"email", "loginAccount"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUser(tt.login, tt.email, user.Member, user.Active)
			err := s.CreateUser(ctx, u, false)
			e := apperr.As(err)
			if e == nil || e.Code != tt.wantCode || e.Kind != apperr.Conflict {
				t.Fatalf("err = %v, want %s", err, tt.wantCode)
			}
			if got := slices.Sorted(maps.Keys(e.Fields)); !slices.Equal(got, tt.wantFields) {
				t.Fatalf("fields = %v, want %v", got, tt.wantFields)
			}
			// Nothing of the refused user was written, or it was removed again (its
			// search items go in before the transaction).
			if _, err := s.User(ctx, u.ID); !errors.Is(err, apperr.CodeNotFound) {
				t.Fatalf("refused user was written: %v", err)
			}
			left, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
				FilterExpression:          aws.String("userId = :id"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: u.ID}}})
			if err != nil || len(left.Items) != 0 {
				t.Fatalf("items of the refused user remain: %v, %v", left.Items, err)
			}
		})
	}
	id, err := s.UserIDByLogin(ctx, "aLiCe")
	if err != nil || id != first.ID {
		t.Fatalf("UserIDByLogin = %q, %v; want %q", id, err, first.ID)
	}
}

func TestConcurrentClaimsOneWins(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// Each racer has its own email, the same login account in its own case.
			login := "racer"
			if i%2 == 1 {
				login = strings.ToUpper(login)
			}
			errs[i] = s.CreateUser(ctx, newUser(login, fmt.Sprintf("r%d@example.com", i), user.Member, user.Active), false)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, apperr.CodeLoginAccountTaken):
		default:
			t.Fatalf("racer got %v, want success or login_account_taken", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d racers won, want exactly 1 (%v)", won, errs)
	}
}

func TestSuperAdminOnlyOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	if err := s.CreateUser(ctx, newUser("root", "", user.SuperAdmin, user.Active), true); err != nil {
		t.Fatal(err)
	}
	// Even with a fresh login account, the slot is taken.
	err := s.CreateUser(ctx, newUser("root2", "", user.SuperAdmin, user.Active), true)
	if !errors.Is(err, apperr.CodeAlreadyBootstrapped) {
		t.Fatalf("second super admin: %v", err)
	}
}

func TestDeleteUserRecordsFreesClaims(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	u := newUser("carol", "carol@example.com", user.Member, user.Active)
	if err := s.CreateUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUserRecords(ctx, u, false, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.User(ctx, u.ID); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("user still there: %v", err)
	}
	if _, err := s.UserIDByLogin(ctx, "carol"); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("login claim still there: %v", err)
	}
	// Deleting twice is fine (undo after a partial failure), and the claims are free.
	if err := s.DeleteUserRecords(ctx, u, false, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, newUser("CAROL", "Carol@example.com", user.Member, user.Active), false); err != nil {
		t.Fatalf("claims not freed: %v", err)
	}
	users, _, err := s.ListUsers(ctx, store.UserFilter{Query: "carol"}, store.Page{Limit: 10})
	if err != nil || len(users) != 1 || users[0].LoginAccount != "CAROL" {
		t.Fatalf("search after delete = %v, %v; want only the new CAROL", users, err)
	}
}

// listAll walks a list page by page.
func listAll(t *testing.T, s *store.Store, f store.UserFilter, limit int) []user.User {
	t.Helper()
	ctx := t.Context()
	var all []user.User
	p := store.Page{Limit: limit}
	for range 1000 {
		users, next, err := s.ListUsers(ctx, f, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(users) > limit {
			t.Fatalf("page of %d, limit %d", len(users), limit)
		}
		all = append(all, users...)
		if next == "" {
			return all
		}
		p.Cursor = next
	}
	t.Fatal("pagination does not end")
	return nil
}

func logins(users []user.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.LoginAccount
	}
	return out
}

func TestListUsers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	// Created in this order, so newest first is the reverse.
	fixtures := []struct {
		login, email string
		t            user.AccountType
		s            user.Status
	}{
		{"ann", "ann@example.com", user.Member, user.Active},
		{"anna", "", user.PlatformAdmin, user.Active},
		{"bert", "annex@example.com", user.Member, user.Frozen}, // found by "ann" through its email only
		{"carl", "", user.Member, user.Active},
		{"annie", "annie@example.com", user.Member, user.Frozen}, // three terms share "ann": listed once
		{"dora", "", user.SuperAdmin, user.Active},
	}
	for _, f := range fixtures {
		if err := s.CreateUser(ctx, newUser(f.login, f.email, f.t, f.s), f.t == user.SuperAdmin); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		filter store.UserFilter
		want   []string // in list order
	}{
		{"everyone, newest first", store.UserFilter{}, []string{"dora", "annie", "carl", "bert", "anna", "ann"}},
		{"members", store.UserFilter{AccountType: user.Member}, []string{"annie", "carl", "bert", "ann"}},
		{"frozen", store.UserFilter{Status: user.Frozen}, []string{"annie", "bert"}},
		{"active members", store.UserFilter{AccountType: user.Member, Status: user.Active}, []string{"carl", "ann"}},
		{"active", store.UserFilter{Status: user.Active}, []string{"dora", "carl", "anna", "ann"}},
		{"frozen members", store.UserFilter{AccountType: user.Member, Status: user.Frozen}, []string{"annie", "bert"}},
		{"frozen admins", store.UserFilter{AccountType: user.PlatformAdmin, Status: user.Frozen}, nil},
		{"prefix, term order", store.UserFilter{Query: "ANN"}, []string{"ann", "anna", "bert", "annie"}},
		{"prefix and type", store.UserFilter{Query: "ann", AccountType: user.Member}, []string{"ann", "bert", "annie"}},
		{"prefix and status", store.UserFilter{Query: "ann", Status: user.Frozen}, []string{"bert", "annie"}},
		{"no match", store.UserFilter{Query: "zed"}, nil},
	}
	for _, tt := range tests {
		for _, limit := range []int{1, 2, 5, 100} {
			t.Run(fmt.Sprintf("%s/limit %d", tt.name, limit), func(t *testing.T) {
				t.Parallel()
				got := logins(listAll(t, s, tt.filter, limit))
				if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			})
		}
	}
}

func TestBadCursors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	for _, login := range []string{"eve", "evan", "evelyn"} {
		if err := s.CreateUser(ctx, newUser(login, "", user.Member, user.Active), false); err != nil {
			t.Fatal(err)
		}
	}
	_, membersCursor, err := s.ListUsers(ctx, store.UserFilter{AccountType: user.Member}, store.Page{Limit: 1})
	if err != nil || membersCursor == "" {
		t.Fatalf("first page: %q, %v", membersCursor, err)
	}
	_, searchCursor, err := s.ListUsers(ctx, store.UserFilter{Query: "ev"}, store.Page{Limit: 1})
	if err != nil || searchCursor == "" {
		t.Fatalf("first search page: %q, %v", searchCursor, err)
	}
	tests := []struct {
		name   string
		filter store.UserFilter
		cursor string
	}{
		{"not base64", store.UserFilter{}, "!!!"},
		{"base64 of junk", store.UserFilter{}, "bm90IGpzb24"},
		{"another list's cursor", store.UserFilter{AccountType: user.PlatformAdmin}, membersCursor},
		{"a search cursor on a plain list", store.UserFilter{AccountType: user.Member}, searchCursor},
		{"another search's cursor", store.UserFilter{Query: "eva"}, searchCursor},
		{"oversize", store.UserFilter{}, strings.Repeat("A", 4096)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := s.ListUsers(ctx, tt.filter, store.Page{Limit: 1, Cursor: tt.cursor})
			e := apperr.As(err)
			if e == nil || e.Kind != apperr.Invalid || e.Fields["cursor"] == "" {
				t.Fatalf("err = %v, want 400 naming cursor", err)
			}
		})
	}
}
