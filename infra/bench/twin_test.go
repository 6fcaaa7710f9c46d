package bench

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/user"
)

// TestTwinMakesTheDirectCalls runs the twin function's handler as its binary does,
// against DynamoDB Local through the counting proxy: an operation's event makes the
// calls that operation's Direct makes from the bench's process, and the events it
// cannot run get an error status, not a false success.
func TestTwinMakesTheDirectCalls(t *testing.T) {
	table, ledger, db := proxiedTable(t)
	for name, v := range map[string]string{
		"TABLE_NAME": table, "USER_POOL_ID": "us-east-1_twin", "USER_POOL_CLIENT_ID": "twin",
		"SENDER_EMAIL": "twin@roster.local", "CONSOLE_URL": "http://console.local", "LOGIN_EVENT_RETENTION_DAYS": "30",
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		"AWS_ENDPOINT_URL_DYNAMODB": *db.Options().BaseEndpoint,
	} {
		t.Setenv(name, v)
	}
	ctx := context.Background()
	handle, err := TwinHandler(ctx)
	if err != nil {
		t.Fatal(err)
	}

	st := store.New(db, table)
	admin := user.User{ID: ids.New(), Username: "Twin admin", LoginAccount: "twinadmin", Email: "twin@example.com",
		AccountType: user.PlatformAdmin, Status: user.Active, CreatedAt: time.Now()}
	if err := st.CreateUser(ctx, admin, false); err != nil {
		t.Fatal(err)
	}
	op, ok := directOp("GET /v1/users")
	if !ok {
		t.Fatal("GET /v1/users has no direct calls")
	}
	e := &Env{Store: st, Admin: Account{ID: admin.ID}}
	ledger.Begin("direct")
	err = op.Direct(ctx, e, Request{})
	direct := ledger.End("direct")
	if err != nil {
		t.Fatal(err)
	}

	event := func(body any) events.APIGatewayV2HTTPRequest {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		return events.APIGatewayV2HTTPRequest{Body: string(data)}
	}
	ledger.Begin("twin")
	resp, err := handle(ctx, event(twinCall(op, e, Request{})))
	twin := ledger.End("twin")
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("twin of GET /v1/users: %d %s, %v", resp.StatusCode, resp.Body, err)
	}
	if !sameCalls(twin, direct) || twin.Count("dynamodb") == 0 {
		t.Errorf("the twin made %s, the direct calls %s", callList(twin), callList(direct))
	}

	for _, tc := range []struct {
		name   string
		event  events.APIGatewayV2HTTPRequest
		status int
		says   string
	}{
		{"not JSON", events.APIGatewayV2HTTPRequest{Body: "{"}, http.StatusBadRequest, "unexpected end"},
		{"an operation without direct calls", event(TwinCall{Op: "GET /v1/permissions"}), http.StatusNotFound, "GET /v1/permissions"},
		{"a write", event(TwinCall{Op: "POST /v1/users"}), http.StatusNotFound, "POST /v1/users"},
		{"calls that fail", event(TwinCall{Op: "GET /v1/users", AdminID: ids.New()}), http.StatusInternalServerError, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := handle(ctx, tc.event)
			if err != nil || resp.StatusCode != tc.status || !strings.Contains(resp.Body, tc.says) {
				t.Errorf("got %d %q, %v; want %d saying %q", resp.StatusCode, resp.Body, err, tc.status, tc.says)
			}
		})
	}
}

func directOp(name string) (Operation, bool) {
	for _, op := range operations {
		if op.Name == name && op.Direct != nil {
			return op, true
		}
	}
	return Operation{}, false
}
