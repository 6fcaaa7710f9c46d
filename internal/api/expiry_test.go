package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/api"
	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/identity/cognito"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/user"
)

// Expiry is decided by App.Now, the one clock. These tests run the real handlers in
// this process against the local stack's DynamoDB Local with a clock they move, so
// codes and links expire while their items still exist: what DynamoDB's TTL, which
// removes items late, must never decide. Nothing in a deployed function can set this
// clock; the end-to-end tests cover expiry through the gateway with items written in
// the past instead.

// teamHarness calls handlers as the API Gateway would, as a given user.
type teamHarness struct {
	t     *testing.T
	a     *app.App
	h     *api.Directory
	clock *clock
	// source is the source IP of the calls; 192.0.2.1 when empty.
	source string
	// adminID is the super admin of the harness's own table; "" on the stack's table,
	// whose admin is the bootstrapped one.
	adminID string
}

func newTeamHarness(t *testing.T) *teamHarness {
	t.Helper()
	a := stackApp(t)
	c := &clock{now: time.Now().UTC().Truncate(time.Millisecond)}
	a.Now = c.Now
	return &teamHarness{t: t, a: a, h: api.NewDirectory(a, cognito.Load(a)), clock: c}
}

type teamResult struct {
	status int
	header map[string]string
	body   map[string]any
	raw    string
}

func (r teamResult) str(key string) string { s, _ := r.body[key].(string); return s }

func (r teamResult) code() string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (h *teamHarness) call(op httpapi.Operation, as string, path map[string]string, body any) teamResult {
	h.t.Helper()
	req := events.APIGatewayV2HTTPRequest{PathParameters: path}
	req.RequestContext.HTTP.SourceIP = "192.0.2.1"
	if h.source != "" {
		req.RequestContext.HTTP.SourceIP = h.source
	}
	if as != "" {
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{
				"token_use": "access", "client_id": h.a.ClientID, "username": as,
			}},
		}
	}
	if body != nil {
		data, _ := json.Marshal(body)
		req.Body = string(data)
	}
	resp, err := httpapi.Handle(op)(context.Background(), req)
	if err != nil {
		h.t.Fatal(err)
	}
	out := teamResult{status: resp.StatusCode, header: resp.Headers, raw: resp.Body}
	_ = json.Unmarshal([]byte(resp.Body), &out.body)
	return out
}

func (h *teamHarness) expect(r teamResult, status int, code string) {
	h.t.Helper()
	if r.status != status || (code != "" && r.code() != code) {
		h.t.Fatalf("answer %d %s, want %d %s", r.status, r.raw, status, code)
	}
}

// memberUser writes a member's records; the handlers only read them.
func (h *teamHarness) memberUser(email string) string {
	h.t.Helper()
	u := user.User{ID: ids.New(), Username: "Clock_" + strings.ToLower(ids.New()[:6]), AccountType: user.Member,
		Status: user.Active, CreatedAt: h.clock.Now(), Email: email, EmailVerified: email != ""}
	u.LoginAccount = "clk" + u.ID[:12]
	if err := h.a.Store.CreateUser(context.Background(), u, false); err != nil {
		h.t.Fatal(err)
	}
	return u.ID
}

func (h *teamHarness) admin() string {
	h.t.Helper()
	if h.adminID != "" {
		return h.adminID
	}
	id, err := h.a.Store.UserIDByLogin(context.Background(), os.Getenv("ROSTER_ADMIN_LOGIN"))
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

func TestInvitationCodesExpireByTheClock(t *testing.T) {
	t.Parallel()
	h := newTeamHarness(t)
	admin, joiner, late := h.admin(), h.memberUser(""), h.memberUser("")
	r := h.call(h.h.CreateTeam, admin, nil, map[string]any{"name": "Clock codes " + ids.New()[:8]})
	h.expect(r, http.StatusCreated, "")
	team := map[string]string{"id": r.str("id")}
	r = h.call(h.h.CreateInvitationCode, admin, team, map[string]any{"roleIds": []string{"member"}})
	h.expect(r, http.StatusCreated, "")
	expiring := r.str("code")
	h.clock.advance(time.Hour)
	r = h.call(h.h.CreateInvitationCode, admin, team, map[string]any{"roleIds": []string{"member"}})
	h.expect(r, http.StatusCreated, "")
	fresh := r.str("code")

	// One millisecond before 24 hours the first code still works...
	h.clock.advance(23*time.Hour - time.Millisecond)
	listed := h.call(h.h.ListInvitationCodes, admin, team, nil)
	h.expect(listed, http.StatusOK, "")
	if n := len(listed.body["items"].([]any)); n != 2 {
		t.Fatalf("%d live codes before expiry, want 2: %s", n, listed.raw)
	}
	// ...and at 24 hours it is refused, although its item is still in the table.
	h.clock.advance(time.Millisecond)
	h.expect(h.call(h.h.JoinTeam, late, nil, map[string]any{"code": expiring}), http.StatusGone, "invitation_expired")
	if _, err := h.a.Store.InvitationCode(context.Background(), expiring); err != nil {
		t.Fatalf("the expired code's item is gone already (%v): the test proves nothing", err)
	}
	listed = h.call(h.h.ListInvitationCodes, admin, team, nil)
	if items := listed.body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["code"] != fresh {
		t.Fatalf("live codes after expiry: %s", listed.raw)
	}
	h.expect(h.call(h.h.RevokeInvitationCode, admin, map[string]string{"id": team["id"], "code": expiring}, nil), http.StatusGone, "invitation_expired")
	h.expect(h.call(h.h.JoinTeam, joiner, nil, map[string]any{"code": fresh}), http.StatusCreated, "")
}

func TestInvitationLinksExpireByTheClock(t *testing.T) {
	t.Parallel()
	h := newTeamHarness(t)
	admin, joiner := h.admin(), h.memberUser("")
	r := h.call(h.h.CreateTeam, admin, nil, map[string]any{"name": "Clock links " + ids.New()[:8]})
	h.expect(r, http.StatusCreated, "")
	team := r.str("id")
	r = h.call(h.h.CreateInvitation, admin, map[string]string{"id": team}, map[string]any{"roleIds": []string{"member"}, "validForHours": 1})
	h.expect(r, http.StatusCreated, "")
	invitation := r.str("id")
	old := tokenOf(r.str("link"))
	if want := h.clock.Now().Add(time.Hour); r.str("expiresAt") != user.Timestamp(want) {
		t.Fatalf("expiresAt %s, want %s", r.str("expiresAt"), user.Timestamp(want))
	}
	h.expect(h.call(h.h.GetInvitation, "", map[string]string{"token": old}, nil), http.StatusOK, "")

	h.clock.advance(time.Hour)
	h.expect(h.call(h.h.GetInvitation, "", map[string]string{"token": old}, nil), http.StatusGone, "invitation_expired")
	h.expect(h.call(h.h.AcceptInvitation, joiner, map[string]string{"token": old}, nil), http.StatusGone, "invitation_expired")
	listed := h.call(h.h.ListInvitations, admin, map[string]string{"id": team}, nil)
	if items := listed.body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["status"] != "expired" {
		t.Fatalf("list after expiry: %s", listed.raw)
	}

	// Resending an expired link gives it a new token, valid as long again; the old
	// token is dead for good.
	r = h.call(h.h.ResendInvitation, admin, map[string]string{"id": team, "invitationId": invitation}, nil)
	h.expect(r, http.StatusOK, "")
	renewed := tokenOf(r.str("link"))
	if r.str("expiresAt") != user.Timestamp(h.clock.Now().Add(time.Hour)) {
		t.Fatalf("resent expiresAt %s", r.str("expiresAt"))
	}
	h.expect(h.call(h.h.GetInvitation, "", map[string]string{"token": old}, nil), http.StatusGone, "invitation_revoked")
	h.expect(h.call(h.h.AcceptInvitation, joiner, map[string]string{"token": renewed}, nil), http.StatusCreated, "")
	h.expect(h.call(h.h.AcceptInvitation, joiner, map[string]string{"token": renewed}, nil), http.StatusGone, "invitation_used")
}

func tokenOf(link string) string { return link[strings.LastIndex(link, "/")+1:] }
