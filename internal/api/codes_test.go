package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/roster-dev/roster/internal/accounts"
	"github.com/roster-dev/roster/internal/api"
	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/identity/cognito"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/mail/mailtest"
	"github.com/roster-dev/roster/internal/outbox"
	"github.com/roster-dev/roster/internal/outbox/outboxtest"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/user"
)

// The rules that take minutes or hours to show (expiry, re-sending, codes per
// hour) are tested here, in process, against a table of the test's own and the local
// stack's pool, with the App's clock moved by hand and the outbox's mail handed to the
// real mailer, which records it instead of sending it.

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type harness struct {
	t      *testing.T
	api    *api.Directory
	clock  *clock
	mail   *mailtest.Recorder
	mailer *outbox.Mailer
	db     *dynamodb.Client
	table  string
	source string
}

// newHarness starts the clock at the top of an hour in the future, so that rate
// limit windows are fresh.
func newHarness(t *testing.T) *harness {
	t.Helper()
	a := stackApp(t)
	db, table := storetest.StreamedTable(t)
	a.Store = store.New(db, table)
	start := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(randomByte()) * time.Hour)
	c := &clock{now: start}
	a.Now = c.Now
	rec := &mailtest.Recorder{}
	return &harness{t: t, api: api.NewDirectory(a, cognito.Load(a)), clock: c, mail: rec, mailer: outbox.New(a.Store, rec, c.Now),
		db: db, table: table, source: "198.51.100.20"}
}

// deliver sends what the outbox holds, as the stream and the mailer would.
func (h *harness) deliver() {
	h.t.Helper()
	if failed := outboxtest.Deliver(h.t, h.mailer, h.db, h.table); len(failed) > 0 {
		h.t.Fatalf("%d mails failed", len(failed))
	}
}

func randomByte() byte {
	b := make([]byte, 1)
	_, _ = rand.Read(b)
	return b[0]
}

func (h *harness) do(op httpapi.Operation, body any) events.APIGatewayV2HTTPResponse {
	h.t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		h.t.Fatal(err)
	}
	req := events.APIGatewayV2HTTPRequest{Body: string(data)}
	req.RequestContext.HTTP.SourceIP = h.source
	resp, err := httpapi.Handle(op)(h.t.Context(), req)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

func (h *harness) want(resp events.APIGatewayV2HTTPResponse, status int, retryAfter string) {
	h.t.Helper()
	if resp.StatusCode != status || resp.Headers["Retry-After"] != retryAfter {
		h.t.Fatalf("answer %d (Retry-After %q) %s, want %d (Retry-After %q)",
			resp.StatusCode, resp.Headers["Retry-After"], resp.Body, status, retryAfter)
	}
}

var codePattern = regexp.MustCompile(`\b[0-9]{6}\b`)

// lastCode is the code in the newest email to addr.
func (h *harness) lastCode(addr string) string {
	h.t.Helper()
	h.deliver()
	sent := h.mail.To(addr)
	if len(sent) == 0 {
		h.t.Fatalf("no email to %s", addr)
	}
	return codePattern.FindString(sent[len(sent)-1].Text)
}

func uniqueName(prefix string) string { return prefix + strings.ToLower(rand.Text()[:10]) }

func (h *harness) register(email, code string) events.APIGatewayV2HTTPResponse {
	const password = "a passphrase of my own"
	return h.do(h.api.Register, map[string]string{
		"username": "Tester", "loginAccount": uniqueName("clk"), "email": email,
		"password": password, "confirmPassword": password, "verificationCode": code,
	})
}

func TestCodeLifetime(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	email := uniqueName("life") + "@example.com"
	ask := func() events.APIGatewayV2HTTPResponse {
		return h.do(h.api.SendVerificationCode, map[string]string{"email": email})
	}
	h.want(ask(), http.StatusAccepted, "")
	first := h.lastCode(email)

	h.clock.advance(20 * time.Second)
	h.want(ask(), http.StatusTooManyRequests, "40")
	h.clock.advance(40 * time.Second)
	h.want(ask(), http.StatusAccepted, "")
	second := h.lastCode(email)
	if first == second {
		// One chance in a million; the rest of the test needs two codes.
		t.Skip("the two codes happen to be equal")
	}
	// Only the newest code counts, and only for 10 minutes.
	h.want(h.register(email, first), http.StatusBadRequest, "")
	h.clock.advance(10 * time.Minute)
	h.want(h.register(email, second), http.StatusBadRequest, "")

	h.want(ask(), http.StatusAccepted, "")
	h.clock.advance(10*time.Minute - time.Second)
	h.want(h.register(email, h.lastCode(email)), http.StatusCreated, "")
}

func TestCodesPerAddressAndHour(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	email := uniqueName("hourly") + "@example.com"
	for range 5 {
		h.want(h.do(h.api.SendVerificationCode, map[string]string{"email": email}), http.StatusAccepted, "")
		h.clock.advance(time.Minute)
	}
	// 5 codes in 5 minutes: the sixth waits for the hour to end.
	h.want(h.do(h.api.SendVerificationCode, map[string]string{"email": email}), http.StatusTooManyRequests, "3300")
	h.clock.advance(55 * time.Minute)
	h.want(h.do(h.api.SendVerificationCode, map[string]string{"email": email}), http.StatusAccepted, "")

	// Password reset codes are counted per login account, whether or not it exists.
	account := uniqueName("nobody")
	for range 5 {
		h.want(h.do(h.api.ForgotPassword, map[string]string{"loginAccount": account}), http.StatusAccepted, "")
		h.clock.advance(time.Minute)
	}
	h.want(h.do(h.api.ForgotPassword, map[string]string{"loginAccount": account}), http.StatusTooManyRequests, "3300")
}

// A code's email is queued in the code's own write, and the request waits on no email
// service: SES failing leaves the code issued and its email in the outbox, sent once
// SES is back. A request refused by the re-send rule queues nothing.
func TestCodeMailWaitsInTheOutbox(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	email := uniqueName("down") + "@example.com"
	h.mail.Err = errors.New("SES is down")
	h.want(h.do(h.api.SendVerificationCode, map[string]string{"email": email}), http.StatusAccepted, "")
	if failed := outboxtest.Deliver(t, h.mailer, h.db, h.table); len(failed) != 1 {
		t.Fatalf("%d failures while SES is down, want 1", len(failed))
	}
	h.want(h.do(h.api.SendVerificationCode, map[string]string{"email": email}), http.StatusTooManyRequests, "60")
	if pending := outboxtest.Pending(t, h.db, h.table); len(pending) != 1 || pending[0].Attempts != 1 {
		t.Fatalf("outbox holds %+v, want the one mail, tried once", pending)
	}
	h.mail.Err = nil
	if code := h.lastCode(email); code == "" {
		t.Fatal("no code in the email")
	}
	if sent := h.mail.To(email); len(sent) != 1 {
		t.Fatalf("%d emails, want 1", len(sent))
	}
	if pending := outboxtest.Pending(t, h.db, h.table); len(pending) != 0 {
		t.Fatalf("a sent mail stays in the outbox: %+v", pending)
	}
}

// failingPasswords is the real Cognito directory whose SetPassword fails, as when
// Cognito is unavailable between creating a sign-in account and making its
// password permanent.
type failingPasswords struct{ accounts.Directory }

func (failingPasswords) SetPassword(context.Context, string, string, bool) error {
	return errors.New("cognito is unavailable")
}

// A registration that fails after its code was redeemed leaves no account behind
// (records, login account and Cognito user are all undone) and gives the code back.
func TestFailedRegistrationGivesBackItsCode(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	email := uniqueName("undo") + "@example.com"
	h.want(h.do(h.api.SendVerificationCode, map[string]string{"email": email}), http.StatusAccepted, "")
	code := h.lastCode(email)

	working := h.api.Accounts
	h.api.Accounts = accounts.New(h.api.Store, failingPasswords{h.api.Identity})
	const password = "a passphrase of my own"
	body := map[string]string{
		"username": "Undone", "loginAccount": uniqueName("undo"), "email": email,
		"password": password, "confirmPassword": password, "verificationCode": code,
	}
	h.want(h.do(h.api.Register, body), http.StatusInternalServerError, "")
	if _, err := h.api.Store.UserIDByLogin(t.Context(), body["loginAccount"]); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("login account after a failed registration: %v, want not_found", err)
	}
	if taken, err := h.api.Store.EmailTaken(t.Context(), email); err != nil || taken {
		t.Fatalf("email after a failed registration: taken %v, %v", taken, err)
	}

	h.api.Accounts = working
	h.want(h.do(h.api.Register, body), http.StatusCreated, "")
}

// wire records the DynamoDB calls a store makes: each operation, and for a transaction
// the kind of each of its items.
type wire struct {
	inner interface {
		Do(*http.Request) (*http.Response, error)
	}
	mu    sync.Mutex
	calls []string
}

func (w *wire) Do(req *http.Request) (*http.Response, error) {
	op := strings.TrimPrefix(req.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	if op == "TransactWriteItems" && req.Body != nil {
		data, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(data))
		var in struct{ TransactItems []map[string]json.RawMessage }
		if err := json.Unmarshal(data, &in); err != nil {
			return nil, err
		}
		var kinds []string
		for _, item := range in.TransactItems {
			for kind := range item {
				kinds = append(kinds, kind)
			}
		}
		op += "[" + strings.Join(kinds, " ") + "]"
	}
	w.mu.Lock()
	w.calls = append(w.calls, op)
	w.mu.Unlock()
	return w.inner.Do(req)
}

// taking returns the calls op makes for body, from a source of its own.
func (h *harness) taking(op httpapi.Operation, body any) []string {
	h.t.Helper()
	w := &wire{}
	working := h.api.Store
	h.api.Store = store.New(dynamodb.New(h.db.Options(), func(o *dynamodb.Options) {
		w.inner = o.HTTPClient
		o.HTTPClient = w
	}), h.table)
	defer func() { h.api.Store = working }()
	h.source = newSource()
	h.want(h.do(op, body), http.StatusAccepted, "")
	return w.calls
}

// TestCodeRequestsCallAlikeForAnyone: forgot password and verification codes make the
// same DynamoDB calls, in number and kind, whether the account or address exists or
// not (the email's letter or an empty one, written the same way), and no call to
// another service: nothing in their calls tells who has an account.
func TestCodeRequestsCallAlikeForAnyone(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := t.Context()
	withEmail, withoutEmail := user.User{ID: ids.New(), Username: "Known", LoginAccount: uniqueName("known"), Email: uniqueName("known") + "@example.com",
		AccountType: user.Member, Status: user.Active, CreatedAt: h.clock.Now()}, user.User{}
	withoutEmail = withEmail
	withoutEmail.ID, withoutEmail.LoginAccount, withoutEmail.Email = ids.New(), uniqueName("noaddr"), ""
	for _, u := range []user.User{withEmail, withoutEmail} {
		if err := h.api.Store.CreateUser(ctx, u, false); err != nil {
			t.Fatal(err)
		}
	}
	groups := []struct {
		name  string
		op    httpapi.Operation
		field string
		cases map[string]string // what the subject is: its value
	}{
		{"forgot password", h.api.ForgotPassword, "loginAccount", map[string]string{
			"an account with an address": withEmail.LoginAccount, "an account without one": withoutEmail.LoginAccount, "no account": uniqueName("nobody"),
		}},
		{"verification code", h.api.SendVerificationCode, "email", map[string]string{
			"a registered address": withEmail.Email, "a free address": uniqueName("free") + "@example.com",
		}},
	}
	for _, g := range groups {
		var first []string
		var firstName string
		for name, subject := range g.cases {
			calls := h.taking(g.op, map[string]string{g.field: subject})
			if first == nil {
				first, firstName = calls, name
				continue
			}
			if !slices.Equal(calls, first) {
				t.Errorf("%s: for %s the calls are\n%v\nfor %s\n%v", g.name, name, calls, firstName, first)
			}
		}
		t.Logf("%s: %v", g.name, first)
	}
	// What was queued: a code to the account with an address, a notice to the registered
	// address, a code to the free one, and nothing (an empty letter) for the others.
	h.deliver()
	for addr, want := range map[string]int{withEmail.Email: 2} {
		if got := len(h.mail.To(addr)); got != want {
			t.Errorf("%d emails to %s, want %d", got, addr, want)
		}
	}
	if got := len(h.mail.Messages()); got != 3 {
		t.Errorf("%d emails in all, want 3", got)
	}
}
