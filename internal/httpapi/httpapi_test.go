package httpapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/validate"
)

type nested struct {
	Generate bool   `json:"generate"`
	Value    string `json:"value"`
}

type sample struct {
	Name    string   `json:"name"`
	Notify  bool     `json:"notify"`
	Count   int      `json:"count"`
	Roles   []string `json:"roles"`
	Choice  *nested  `json:"choice"`
	Ignored string   `json:"-"`
}

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   string
		base64 bool
		want   sample
		fields map[string]string
	}{
		{name: "valid", body: `{"name":"a","notify":true,"count":2,"roles":["x"],"choice":{"generate":true}}`,
			want: sample{Name: "a", Notify: true, Count: 2, Roles: []string{"x"}, Choice: &nested{Generate: true}}},
		{name: "null is absent", body: `{"name":null}`},
		{name: "empty body", body: "", fields: map[string]string{"body": "must be a JSON object"}},
		{name: "blank body", body: "  \n", fields: map[string]string{"body": "must be a JSON object"}},
		{name: "malformed", body: `{"name":`, fields: map[string]string{"body": "must be a JSON object"}},
		{name: "array", body: `[1]`, fields: map[string]string{"body": "must be a JSON object"}},
		{name: "null body", body: `null`, fields: map[string]string{"body": "must be a JSON object"}},
		{name: "every bad field at once", body: `{"name":1,"notify":"yes","count":1.5,"roles":[1],"extra":0,"Ignored":"x"}`,
			fields: map[string]string{"name": "must be a string", "notify": "must be true or false", "count": "must be an integer",
				"roles": "must be an array of strings", "extra": "is not a known field", "Ignored": "is not a known field"}},
		{name: "nested", body: `{"choice":{"generate":"no","other":1}}`, want: sample{Choice: &nested{}},
			fields: map[string]string{"choice.generate": "must be true or false", "choice.other": "is not a known field"}},
		{name: "nested not an object", body: `{"choice":"x"}`, want: sample{Choice: &nested{}},
			fields: map[string]string{"choice": "must be a JSON object"}},
		// JSON has one kind of number: 2.0 and 2e0 are the integer 2, as JSON Schema says.
		{name: "integral numbers", body: `{"count":2.0}`, want: sample{Count: 2}},
		{name: "integral exponent", body: `{"count":1e2}`, want: sample{Count: 100}},
		{name: "integer too large", body: `{"count":1e400}`, fields: map[string]string{"count": "must be an integer"}},
		{name: "base64", body: base64.StdEncoding.EncodeToString([]byte(`{"name":"b"}`)), base64: true, want: sample{Name: "b"}},
		{name: "bad base64", body: "%%%", base64: true, fields: map[string]string{"body": "must be a JSON object"}},
		{name: "oversize", body: `{"name":"` + strings.Repeat("a", MaxBody) + `"}`, fields: map[string]string{"body": "must be at most 64 KiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got sample
			fields := Decode(events.APIGatewayV2HTTPRequest{Body: tt.body, IsBase64Encoded: tt.base64}, &got)
			if !maps.Equal(map[string]string(fields), tt.fields) && !(len(fields) == 0 && len(tt.fields) == 0) {
				t.Fatalf("fields = %v, want %v", fields, tt.fields)
			}
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(tt.want)
			if string(gotJSON) != string(wantJSON) {
				t.Fatalf("decoded %s, want %s", gotJSON, wantJSON)
			}
		})
	}
}

func TestHandleMapsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		status     int
		code       string // as on the wire: the codes' values are part of the API
		retryAfter string
	}{
		{"invalid", apperr.InvalidFields(map[string]string{"x": "bad"}), http.StatusBadRequest, "invalid_request", ""},
		{"unauthenticated", apperr.Unauthorized(), http.StatusUnauthorized, "unauthenticated", ""},
		{"forbidden", apperr.Denied(), http.StatusForbidden, "forbidden", ""},
		{"frozen", apperr.Frozen(), http.StatusForbidden, "account_frozen", ""},
		{"not found", apperr.Missing("User"), http.StatusNotFound, "not_found", ""},
		{"conflict", apperr.Taken(apperr.CodeEmailTaken, "email", "taken"), http.StatusConflict, "email_taken", ""},
		{"gone", apperr.New(apperr.Gone, apperr.CodeInvitationUsed, "used"), http.StatusGone, "invitation_used", ""},
		{"rate limited", apperr.Limited(1500 * time.Millisecond), http.StatusTooManyRequests, "rate_limited", "2"},
		{"internal hides its cause", apperr.Wrap(errors.New("table roster-secret exploded"), "get"), http.StatusInternalServerError, "internal", ""},
		{"plain error", errors.New("boom at 10.0.0.1"), http.StatusInternalServerError, "internal", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := Handle(func(context.Context, events.APIGatewayV2HTTPRequest) (Response, error) { return Response{}, tt.err })
			req := events.APIGatewayV2HTTPRequest{}
			req.RequestContext.RequestID = "req-1"
			resp, err := h(t.Context(), req)
			if err != nil {
				t.Fatalf("handler returned an error to the runtime: %v", err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			var body errorBody
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
				t.Fatalf("body %q: %v", resp.Body, err)
			}
			if string(body.Error.Code) != tt.code || body.Error.RequestID != "req-1" || body.Error.Message == "" {
				t.Fatalf("body = %+v", body)
			}
			if strings.Contains(resp.Body, "exploded") || strings.Contains(resp.Body, "10.0.0.1") {
				t.Fatalf("internal detail leaked: %s", resp.Body)
			}
			if resp.Headers["Retry-After"] != tt.retryAfter {
				t.Fatalf("Retry-After = %q, want %q", resp.Headers["Retry-After"], tt.retryAfter)
			}
		})
	}
}

func TestHandleRecoversPanics(t *testing.T) {
	t.Parallel()
	h := Handle(func(context.Context, events.APIGatewayV2HTTPRequest) (Response, error) { panic("nil map") })
	resp, err := h(t.Context(), events.APIGatewayV2HTTPRequest{})
	if err != nil || resp.StatusCode != http.StatusInternalServerError || strings.Contains(resp.Body, "nil map") {
		t.Fatalf("resp = %+v, err = %v", resp, err)
	}
}

func TestSubject(t *testing.T) {
	t.Parallel()
	withClaims := func(claims map[string]string) events.APIGatewayV2HTTPRequest {
		req := events.APIGatewayV2HTTPRequest{}
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
		return req
	}
	tests := []struct {
		name string
		req  events.APIGatewayV2HTTPRequest
		want string
	}{
		{"access token of our client", withClaims(map[string]string{"token_use": "access", "client_id": "ours", "username": "u1"}), "u1"},
		{"id token", withClaims(map[string]string{"token_use": "id", "aud": "ours", "cognito:username": "u1"}), ""},
		{"other client", withClaims(map[string]string{"token_use": "access", "client_id": "theirs", "username": "u1"}), ""},
		{"no username", withClaims(map[string]string{"token_use": "access", "client_id": "ours"}), ""},
		{"no authorizer", events.APIGatewayV2HTTPRequest{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Subject(tt.req, "ours")
			if got != tt.want || (tt.want == "") != (err != nil) {
				t.Fatalf("Subject = %q, %v; want %q", got, err, tt.want)
			}
			if err != nil && !errors.Is(err, apperr.CodeUnauthenticated) {
				t.Fatalf("err = %v, want unauthenticated", err)
			}
		})
	}
}

// An empty query parameter is no value of the parameter's rule (limit= is not a number,
// status= no status): it is refused, not taken as left out. cursor= is the first page.
func TestQueryRefusesEmptyValues(t *testing.T) {
	t.Parallel()
	f := validate.Fields{}
	q := Query(events.APIGatewayV2HTTPRequest{QueryStringParameters: map[string]string{
		"limit": "", "status": "", "cursor": "", "q": "x", "other": "",
	}}, f, "limit", "status", "cursor", "q")
	want := map[string]bool{"limit": true, "status": true, "other": true}
	if len(f) != len(want) {
		t.Fatalf("refused %v, want exactly %v", f, want)
	}
	for name := range want {
		if f[name] == "" {
			t.Errorf("%s was not refused", name)
		}
	}
	if v, ok := q["cursor"]; !ok || v != "" || q["q"] != "x" {
		t.Fatalf("read %v: want the empty cursor (the first page) and q", q)
	}
}
