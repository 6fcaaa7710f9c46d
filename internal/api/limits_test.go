package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/roster-dev/roster/internal/api"
	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/identity/cognito"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/outbox/outboxtest"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/user"
)

// newFutureHarness is a teamHarness on a table of its own, with a super admin of its
// own, whose clock stands at the start of an hour of its own, years ahead: every count
// in that hour's windows, the platform's and the admin's included, is this test's
// alone, and so is the outbox.
func newFutureHarness(t *testing.T) (*teamHarness, func(address string) int) {
	t.Helper()
	a := stackApp(t)
	db, table := storetest.StreamedTable(t)
	a.Store = store.New(db, table)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	c := &clock{now: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(binary.BigEndian.Uint32(b)%1_000_000) * time.Hour)}
	a.Now = c.Now
	admin := user.User{ID: ids.New(), Username: "Future admin", LoginAccount: "future" + strings.ToLower(ids.New()[:12]),
		AccountType: user.SuperAdmin, Status: user.Active, CreatedAt: c.Now()}
	if err := a.Store.CreateUser(context.Background(), admin, true); err != nil {
		t.Fatal(err)
	}
	h := &teamHarness{t: t, a: a, h: api.NewDirectory(a, cognito.Load(a)), clock: c, adminID: admin.ID}
	// queued counts the mail to address waiting in the outbox.
	queued := func(address string) int {
		n := 0
		for _, o := range outboxtest.Pending(t, db, table) {
			if o.Letter.To == address {
				n++
			}
		}
		return n
	}
	return h, queued
}

// newSource returns a source IP no other test uses (from 198.18.0.0/15, for benchmarks).
func newSource() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("198.%d.%d.%d", 18+b[0]%2, b[1], b[2])
}

// teamWithCode makes a team and a live invitation code of it, as the super admin.
func (h *teamHarness) teamWithCode() (teamID, code string) {
	h.t.Helper()
	admin := h.admin()
	r := h.call(h.h.CreateTeam, admin, nil, map[string]any{"name": "Limits " + ids.New()[:10]})
	h.expect(r, http.StatusCreated, "")
	teamID = r.str("id")
	r = h.call(h.h.CreateInvitationCode, admin, map[string]string{"id": teamID}, map[string]any{"roleIds": []string{"member"}})
	h.expect(r, http.StatusCreated, "")
	return teamID, r.str("code")
}

// wrongCode is a well-formed code that is not code.
func wrongCode(code string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	guess := fmt.Sprintf("%08d", binary.BigEndian.Uint32(b)%100_000_000)
	if guess == code {
		return wrongCode(code)
	}
	return guess
}

// refused fails the test unless r is Roster's 429 with a Retry-After.
func (h *teamHarness) refused(r teamResult) {
	h.t.Helper()
	h.expect(r, http.StatusTooManyRequests, "rate_limited")
	if r.header["Retry-After"] == "" {
		h.t.Fatalf("no Retry-After: %v", r.header)
	}
}

// fill takes l's tries for subject until it refuses, as earlier attempts would have.
func (h *teamHarness) fill(l store.Limit, subject string) {
	h.t.Helper()
	for range l.Max + 1 {
		_, err := h.a.Store.Take(context.Background(), l, subject, h.clock.Now())
		if e := apperr.As(err); e != nil && e.Kind == apperr.RateLimited {
			return
		}
		if err != nil {
			h.t.Fatal(err)
		}
	}
	h.t.Fatalf("%s never refused", l.Name)
}

// lookups counts the reads of invitation codes a store makes: the guesses it checks.
type lookups struct {
	inner interface {
		Do(*http.Request) (*http.Response, error)
	}
	n atomic.Int32
}

func (l *lookups) Do(req *http.Request) (*http.Response, error) {
	if req.Header.Get("X-Amz-Target") == "DynamoDB_20120810.GetItem" && req.Body != nil {
		data, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(data)) // the same bytes, sent on
		if bytes.Contains(data, []byte(`"INVCODE#`)) {
			l.n.Add(1)
		}
	}
	return l.inner.Do(req)
}

// 30 wrong codes sent at once by one user: no more than its 10 are looked up. The
// look-ups are counted on the wire, because the answers alone cannot tell: counting
// each failure after its look-up, the code before this let all 30 be looked up and
// answered 429 to those that went over (a right code among them got in).
func TestInvitationCodeGuessesHoldUnderConcurrency(t *testing.T) {
	t.Parallel()
	h, _ := newFutureHarness(t)
	h.source = newSource()
	_, code := h.teamWithCode()
	guesser := h.memberUser("")
	counter := &lookups{}
	h.a.Store = store.New(dynamodb.New(storetest.Client(t).Options(), func(o *dynamodb.Options) {
		counter.inner = o.HTTPClient
		o.HTTPClient = counter
	}), h.a.Store.Table())

	answers := make([]teamResult, 30)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() { answers[i] = h.call(h.h.JoinTeam, guesser, nil, map[string]any{"code": wrongCode(code)}) })
	}
	wg.Wait()
	for _, r := range answers {
		if r.status != http.StatusNotFound && (r.status != http.StatusTooManyRequests || r.code() != "rate_limited") {
			t.Fatalf("a guess answered %d %s", r.status, r.raw)
		}
	}
	switch n := counter.n.Load(); {
	case n == 0:
		t.Fatal("no look-up was counted: the counter sees nothing")
	case n > 10:
		t.Fatalf("%d of 30 concurrent codes were looked up, want at most 10", n)
	}
}

// One address with many cheap accounts: 20 failed codes from it stop every code from
// it, whoever sends it; other addresses are not affected.
func TestInvitationCodeGuessesAreLimitedPerAddress(t *testing.T) {
	t.Parallel()
	h, _ := newFutureHarness(t)
	h.source = newSource()
	_, code := h.teamWithCode()
	for range 2 {
		guesser := h.memberUser("")
		for range 10 {
			h.expect(h.call(h.h.JoinTeam, guesser, nil, map[string]any{"code": wrongCode(code)}), http.StatusNotFound, "not_found")
		}
	}
	joiner := h.memberUser("")
	h.refused(h.call(h.h.JoinTeam, joiner, nil, map[string]any{"code": code}))
	h.source = newSource()
	h.expect(h.call(h.h.JoinTeam, joiner, nil, map[string]any{"code": code}), http.StatusCreated, "")
}

// Many addresses with many accounts: once the platform's failures in a window reach
// its budget, every code is refused, the right one from a fresh account and address
// too, until the window ends; the refused code is not used up.
func TestInvitationCodeGuessesAreLimitedOnThePlatform(t *testing.T) {
	t.Parallel()
	h, _ := newFutureHarness(t)
	_, code := h.teamWithCode()
	// The budget spent but for three failures, which users from three addresses make.
	for range api.CodeFailuresOnPlatform.Max - 3 {
		if _, err := h.a.Store.Take(context.Background(), api.CodeFailuresOnPlatform, api.PlatformSubject, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		h.source = newSource()
		h.expect(h.call(h.h.JoinTeam, h.memberUser(""), nil, map[string]any{"code": wrongCode(code)}), http.StatusNotFound, "not_found")
	}
	h.source = newSource()
	joiner := h.memberUser("")
	r := h.call(h.h.JoinTeam, joiner, nil, map[string]any{"code": code})
	h.refused(r)
	if r.header["Retry-After"] != fmt.Sprint(int(api.CodeFailuresOnPlatform.Window.Seconds())) {
		t.Fatalf("Retry-After %s, want the whole window", r.header["Retry-After"])
	}
	h.clock.advance(api.CodeFailuresOnPlatform.Window)
	h.expect(h.call(h.h.JoinTeam, joiner, nil, map[string]any{"code": code}), http.StatusCreated, "")
}

// Every email a manager or an admin causes is refused with 429, before anything
// changes, once its recipient address or its sender (the team, or the admin) has had
// its share.
func TestManagerMailIsLimited(t *testing.T) {
	t.Parallel()
	type sending struct {
		send    func() teamResult
		sender  string
		address string
	}
	routes := []struct {
		name  string
		setup func(h *teamHarness) sending
	}{
		{"invitation", func(h *teamHarness) sending {
			teamID, _ := h.teamWithCode()
			addr := "inv-" + strings.ToLower(ids.New()) + "@example.com"
			return sending{func() teamResult {
				return h.call(h.h.CreateInvitation, h.admin(), map[string]string{"id": teamID}, map[string]any{"email": addr, "roleIds": []string{"member"}})
			}, api.TeamSender(teamID), addr}
		}},
		{"resent invitation", func(h *teamHarness) sending {
			teamID, _ := h.teamWithCode()
			addr := "resend-" + strings.ToLower(ids.New()) + "@example.com"
			r := h.call(h.h.CreateInvitation, h.admin(), map[string]string{"id": teamID}, map[string]any{"email": addr, "roleIds": []string{"member"}})
			h.expect(r, http.StatusCreated, "")
			path := map[string]string{"id": teamID, "invitationId": r.str("id")}
			return sending{func() teamResult { return h.call(h.h.ResendInvitation, h.admin(), path, nil) }, api.TeamSender(teamID), addr}
		}},
		{"new member notified", func(h *teamHarness) sending {
			teamID, _ := h.teamWithCode()
			addr := "member-" + strings.ToLower(ids.New()) + "@example.com"
			return sending{func() teamResult {
				return h.call(h.h.AddTeamMember, h.admin(), map[string]string{"id": teamID}, map[string]any{"roleIds": []string{"member"},
					"newUser": map[string]any{"username": "Mailed", "loginAccount": "mailed" + strings.ToLower(ids.New()[:12]), "email": addr,
						"password": map[string]any{"generate": true}, "notify": true}})
			}, api.TeamSender(teamID), addr}
		}},
		{"new user notified", func(h *teamHarness) sending {
			addr := "user-" + strings.ToLower(ids.New()) + "@example.com"
			return sending{func() teamResult {
				return h.call(h.h.CreateUser, h.admin(), nil, map[string]any{"username": "Mailed", "loginAccount": "mailed" + strings.ToLower(ids.New()[:12]),
					"accountType": "member", "email": addr, "password": map[string]any{"generate": true}, "notify": true})
			}, api.AdminSender(h.admin()), addr}
		}},
		{"password reset notified", func(h *teamHarness) sending {
			addr := "reset-" + strings.ToLower(ids.New()) + "@example.com"
			target := h.memberUser(addr)
			return sending{func() teamResult {
				return h.call(h.h.ResetUserPassword, h.admin(), map[string]string{"id": target}, map[string]any{"notify": true})
			}, api.AdminSender(h.admin()), addr}
		}},
	}
	for _, route := range routes {
		for _, full := range []string{"address", "sender"} {
			t.Run(route.name+", "+full, func(t *testing.T) {
				t.Parallel()
				h, queued := newFutureHarness(t) // an hour of its own: the admin's count is this test's
				s := route.setup(h)
				sentBefore := queued(s.address)
				if full == "address" {
					h.fill(api.MailsPerAddress, strings.ToLower(s.address))
				} else {
					h.fill(api.MailsPerSender, s.sender)
				}
				h.refused(s.send())
				if got := queued(s.address); got != sentBefore {
					t.Fatalf("%d emails queued past the limit", got-sentBefore)
				}
			})
		}
	}
}
