package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

func TestJWTAuthorizer(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, nil)
	key := testKey("key-1")
	stranger := testKey("key-stranger") // same kid below, wrong key
	now := time.Now().Unix()

	claims := func(edit func(c map[string]any)) map[string]any {
		c := accessClaims()
		edit(c)
		return c
	}
	idClaims := claims(func(c map[string]any) {
		delete(c, "client_id")
		delete(c, "scope")
		c["aud"] = testClientID
		c["token_use"] = "id"
	})
	valid := key.sign(t, accessClaims())

	tests := []struct {
		name          string
		path          string
		authorization string
		wantStatus    int
		wantChallenge string // in www-authenticate
	}{
		{name: "access token", authorization: "Bearer " + valid, wantStatus: 200},
		{name: "no Bearer prefix", authorization: valid, wantStatus: 200},
		{name: "lower-case bearer", authorization: "bearer " + valid, wantStatus: 200},
		{name: "ID token", authorization: "Bearer " + key.sign(t, idClaims), wantStatus: 200},
		{name: "audience list", authorization: key.sign(t, claims(func(c map[string]any) { delete(c, "client_id"); c["aud"] = []string{"other", testClientID} })), wantStatus: 200},
		{name: "token_use is not checked", authorization: key.sign(t, claims(func(c map[string]any) { c["token_use"] = "refresh" })), wantStatus: 200},
		{name: "route scope present", path: "/v1/admin", authorization: key.sign(t, claims(func(c map[string]any) { c["scope"] = "openid roster/admin" })), wantStatus: 200},

		{name: "missing header", wantStatus: 401, wantChallenge: "Bearer"},
		{name: "empty bearer", authorization: "Bearer ", wantStatus: 401},
		{name: "not a JWT", authorization: "Bearer abc.def", wantStatus: 401, wantChallenge: `error="invalid_token"`},
		{name: "bad signature", authorization: (&testSigningKey{kid: "key-1", priv: stranger.priv}).sign(t, accessClaims()), wantStatus: 401, wantChallenge: "valid signature"},
		{name: "tampered payload", authorization: tamper(t, valid), wantStatus: 401, wantChallenge: "valid signature"},
		{name: "alg none", authorization: unsigned(t, accessClaims()), wantStatus: 401},
		{name: "alg HS256", authorization: key.signWith(t, map[string]any{"alg": "HS256", "kid": "key-1"}, accessClaims()), wantStatus: 401},
		{name: "unknown kid", authorization: testKey("key-unknown").sign(t, accessClaims()), wantStatus: 401, wantChallenge: "unknown key"},
		{name: "wrong issuer", authorization: key.sign(t, claims(func(c map[string]any) { c["iss"] = testIssuer + "x" })), wantStatus: 401, wantChallenge: "issuer"},
		{name: "wrong client_id", authorization: key.sign(t, claims(func(c map[string]any) { c["client_id"] = "other" })), wantStatus: 401, wantChallenge: "audience"},
		{name: "wrong aud", authorization: key.sign(t, claims(func(c map[string]any) { delete(c, "client_id"); c["aud"] = "other" })), wantStatus: 401, wantChallenge: "audience"},
		{name: "no audience", authorization: key.sign(t, claims(func(c map[string]any) { delete(c, "client_id") })), wantStatus: 401, wantChallenge: "audience"},
		{name: "expired", authorization: key.sign(t, claims(func(c map[string]any) { c["exp"] = now - 1 })), wantStatus: 401, wantChallenge: "expired"},
		{name: "no exp", authorization: key.sign(t, claims(func(c map[string]any) { delete(c, "exp") })), wantStatus: 401},
		{name: "exp not a number", authorization: key.sign(t, claims(func(c map[string]any) { c["exp"] = fmt.Sprint(now + 3600) })), wantStatus: 401},
		{name: "nbf in the future", authorization: key.sign(t, claims(func(c map[string]any) { c["nbf"] = now + 600 })), wantStatus: 401},
		{name: "iat in the future", authorization: key.sign(t, claims(func(c map[string]any) { c["iat"] = now + 600 })), wantStatus: 401},
		{name: "route scope missing", path: "/v1/admin", authorization: valid, wantStatus: 403, wantChallenge: "insufficient_scope"},
	}
	wantInvocations := 0
	for _, tc := range tests {
		if tc.wantStatus == 200 {
			wantInvocations++
		}
	}

	t.Run("cases", func(t *testing.T) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				path := tc.path
				if path == "" {
					path = "/v1/me"
				}
				header := http.Header{}
				if tc.authorization != "" {
					header.Set("Authorization", tc.authorization)
				}
				resp := do(t, http.MethodGet, tg.URL+path, nil, header)
				if resp.status != tc.wantStatus {
					t.Fatalf("status %d, want %d (body %s, www-authenticate %q)", resp.status, tc.wantStatus, resp.body, resp.header.Get("www-authenticate"))
				}
				switch tc.wantStatus {
				case 401:
					want(t, "body", string(resp.body), `{"message":"Unauthorized"}`)
				case 403:
					want(t, "body", string(resp.body), `{"message":"Forbidden"}`)
				}
				if challenge := resp.header.Get("www-authenticate"); !strings.Contains(challenge, tc.wantChallenge) {
					t.Errorf("www-authenticate %q, want %q in it", challenge, tc.wantChallenge)
				}
			})
		}
	})
	// Refused requests never reach the function.
	want(t, "invocations", tg.stats(t, "Echo").Invocations, wantInvocations)
	want(t, "JWKS fetches", int(tg.jwks.fetches.Load()) >= 1, true)
}

// TestJWTClaims checks the authorizer's claims as the function sees them.
func TestJWTClaims(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, nil)
	c := accessClaims()
	c["email_verified"] = true
	c["custom:level"] = 2.5
	c["address"] = map[string]any{"country": "FR", "zip": "75001"}
	c["nothing"] = nil
	token := testKey("key-1").sign(t, c)

	resp := do(t, http.MethodGet, tg.URL+"/v1/me", nil, http.Header{"Authorization": {"Bearer " + token}})
	rep := resp.echo(t)
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(rep.Event, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.RequestContext.Authorizer == nil || ev.RequestContext.Authorizer.JWT == nil {
		t.Fatalf("no JWT authorizer in the event: %s", rep.Event)
	}
	jwt := ev.RequestContext.Authorizer.JWT
	wantMap(t, "claims", jwt.Claims, map[string]string{
		"sub":            "user-1",
		"iss":            testIssuer,
		"client_id":      testClientID,
		"token_use":      "access",
		"scope":          "aws.cognito.signin.user.admin",
		"username":       "ada",
		"auth_time":      fmt.Sprint(c["auth_time"]),
		"iat":            fmt.Sprint(c["iat"]),
		"exp":            fmt.Sprint(c["exp"]),
		"cognito:groups": "[admin users]",
		"email_verified": "true",
		"custom:level":   "2.5",
		"address":        "map[country:FR zip:75001]",
		"nothing":        "",
	})
	want(t, "scopes", strings.Join(jwt.Scopes, " "), "aws.cognito.signin.user.admin")
	want(t, "routeKey", ev.RouteKey, "GET /v1/me")
	want(t, "authorization header", ev.Headers["authorization"], "Bearer "+token)
}

// TestJWKSRefetch: keys are cached, and fetched again for an unknown kid.
func TestJWKSRefetch(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, nil)
	call := func(key *testSigningKey) int {
		return do(t, http.MethodGet, tg.URL+"/v1/me", nil, http.Header{"Authorization": {key.sign(t, accessClaims())}}).status
	}
	steps := []struct {
		name        string
		rotate      []*testSigningKey // new JWKS content, if any
		key         *testSigningKey
		wantStatus  int
		wantFetches int32
	}{
		{name: "first use fetches", key: testKey("key-1"), wantStatus: 200, wantFetches: 1},
		{name: "cached", key: testKey("key-1"), wantStatus: 200, wantFetches: 1},
		{name: "rotated key is fetched", rotate: []*testSigningKey{testKey("key-1"), testKey("key-2")}, key: testKey("key-2"), wantStatus: 200, wantFetches: 2},
		{name: "unknown key fetches once more, then refuses", key: testKey("key-3"), wantStatus: 401, wantFetches: 3},
		{name: "known key still cached", key: testKey("key-2"), wantStatus: 200, wantFetches: 3},
	}
	for _, s := range steps {
		if s.rotate != nil {
			tg.jwks.set(s.rotate...)
		}
		want(t, s.name+": status", call(s.key), s.wantStatus)
		want(t, s.name+": fetches", tg.jwks.fetches.Load(), s.wantFetches)
	}
}

func TestJWKSUnreachable(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, func(c *Config) { c.JWT.JWKSURL = "http://127.0.0.1:1/jwks.json" })
	resp := do(t, http.MethodGet, tg.URL+"/v1/me", nil, http.Header{"Authorization": {testKey("key-1").sign(t, accessClaims())}})
	want(t, "status", resp.status, http.StatusInternalServerError)
	want(t, "invocations", tg.stats(t, "Echo").Invocations, 0)
}

func TestRenderClaim(t *testing.T) {
	t.Parallel()
	tests := []struct {
		json string
		want string
	}{
		{`"text"`, "text"},
		{`1700000000`, "1700000000"},
		{`1.5`, "1.5"},
		{`true`, "true"},
		{`null`, ""},
		{`["a","b"]`, "[a b]"},
		{`[1,["x"]]`, "[1 [x]]"},
		{`{"b":1,"a":"x"}`, "map[a:x b:1]"},
	}
	for _, tc := range tests {
		t.Run(tc.json, func(t *testing.T) {
			t.Parallel()
			dec := json.NewDecoder(strings.NewReader(tc.json))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			want(t, "rendered", renderClaim(v), tc.want)
		})
	}
}

// tamper swaps the payload of a signed token for another.
func tamper(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	c := accessClaims()
	c["sub"] = "someone-else"
	forged := strings.Split(testKey("key-1").sign(t, c), ".")
	return parts[0] + "." + forged[1] + "." + parts[2]
}

func unsigned(t *testing.T, claims map[string]any) string {
	t.Helper()
	parts := strings.Split(testKey("key-1").signWith(t, map[string]any{"alg": "none", "kid": "key-1"}, claims), ".")
	return parts[0] + "." + parts[1] + "."
}
