package gateway

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// TestEventRoundTrip sends HTTP requests through the gateway to the echo
// function and checks the payload 2.0 event it received.
func TestEventRoundTrip(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, nil)
	binary := []byte{0, 1, 2, 0xfe, 0xff}

	tests := []struct {
		name   string
		method string
		target string // path and query
		header http.Header
		body   []byte
		check  func(t *testing.T, ev events.APIGatewayV2HTTPRequest)
	}{
		{
			name: "path parameter", method: "GET", target: "/v1/users/u%20123",
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				want(t, "routeKey", ev.RouteKey, "GET /v1/users/{id}")
				want(t, "requestContext.routeKey", ev.RequestContext.RouteKey, "GET /v1/users/{id}")
				want(t, "rawPath", ev.RawPath, "/v1/users/u%20123")
				wantMap(t, "pathParameters", ev.PathParameters, map[string]string{"id": "u 123"})
				want(t, "queryStringParameters", len(ev.QueryStringParameters), 0)
			},
		},
		{
			name: "exact route beats parameter", method: "GET", target: "/v1/users/me",
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				want(t, "routeKey", ev.RouteKey, "GET /v1/users/me")
				want(t, "pathParameters", len(ev.PathParameters), 0)
			},
		},
		{
			name: "greedy path", method: "DELETE", target: "/files/a/b/c.txt",
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				want(t, "routeKey", ev.RouteKey, "ANY /files/{proxy+}")
				want(t, "http.method", ev.RequestContext.HTTP.Method, "DELETE")
				wantMap(t, "pathParameters", ev.PathParameters, map[string]string{"proxy": "a/b/c.txt"})
			},
		},
		{
			name: "query string", method: "GET", target: "/v1/users/1?a=1&a=2&b=x%20y&flag",
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				want(t, "rawQueryString", ev.RawQueryString, "a=1&a=2&b=x%20y&flag")
				wantMap(t, "queryStringParameters", ev.QueryStringParameters, map[string]string{"a": "1,2", "b": "x y", "flag": ""})
			},
		},
		{
			name: "headers and cookies", method: "GET", target: "/v1/users/1",
			header: http.Header{
				"X-Custom":        {"v1", "v2"},
				"Cookie":          {"a=1; b=2", "c=3"},
				"User-Agent":      {"roster-test/1"},
				"X-Forwarded-For": {"10.9.9.9"},
				"Authorization":   {"Bearer passed-through"},
			},
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				want(t, "x-custom", ev.Headers["x-custom"], "v1,v2")
				want(t, "user-agent", ev.Headers["user-agent"], "roster-test/1")
				want(t, "authorization", ev.Headers["authorization"], "Bearer passed-through")
				want(t, "http.userAgent", ev.RequestContext.HTTP.UserAgent, "roster-test/1")
				want(t, "cookies", strings.Join(ev.Cookies, "|"), "a=1|b=2|c=3")
				if _, ok := ev.Headers["cookie"]; ok {
					t.Error("cookie header still among headers")
				}
				// The client's X-Forwarded-For is kept but never trusted.
				want(t, "x-forwarded-for", ev.Headers["x-forwarded-for"], "10.9.9.9, 127.0.0.1")
				want(t, "sourceIp", ev.RequestContext.HTTP.SourceIP, "127.0.0.1")
				for name := range ev.Headers {
					if name != strings.ToLower(name) {
						t.Errorf("header %q not lower case", name)
					}
				}
			},
		},
		{
			name: "json body", method: "POST", target: "/v1/users/1",
			header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
			body:   []byte(`{"name":"Ada"}`),
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				want(t, "body", ev.Body, `{"name":"Ada"}`)
				want(t, "isBase64Encoded", ev.IsBase64Encoded, false)
				want(t, "content-length", ev.Headers["content-length"], "14")
			},
		},
		{
			name: "binary body", method: "POST", target: "/v1/users/1",
			header: http.Header{"Content-Type": {"application/octet-stream"}},
			body:   binary,
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				want(t, "isBase64Encoded", ev.IsBase64Encoded, true)
				want(t, "body", ev.Body, base64.StdEncoding.EncodeToString(binary))
			},
		},
		{
			name: "text body that is not UTF-8", method: "POST", target: "/v1/users/1",
			header: http.Header{"Content-Type": {"text/plain"}},
			body:   []byte("caf\xe9"),
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				want(t, "isBase64Encoded", ev.IsBase64Encoded, true)
				want(t, "body", ev.Body, base64.StdEncoding.EncodeToString([]byte("caf\xe9")))
			},
		},
		{
			name: "form body", method: "POST", target: "/v1/users/1",
			header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			body:   []byte("a=b"),
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				want(t, "isBase64Encoded", ev.IsBase64Encoded, true)
				want(t, "body", ev.Body, base64.StdEncoding.EncodeToString([]byte("a=b")))
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			before := time.Now()
			resp := do(t, tc.method, tg.URL+tc.target, tc.body, tc.header)
			rep := resp.echo(t)
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(rep.Event, &ev); err != nil {
				t.Fatal(err)
			}
			// What every event carries.
			want(t, "version", ev.Version, "2.0")
			want(t, "stage", ev.RequestContext.Stage, "$default")
			want(t, "requestId", ev.RequestContext.RequestID, resp.header.Get("apigw-requestid"))
			want(t, "accountId", ev.RequestContext.AccountID, defaultAccountID)
			want(t, "apiId", ev.RequestContext.APIID, defaultAPIID)
			want(t, "http.protocol", ev.RequestContext.HTTP.Protocol, "HTTP/1.1")
			want(t, "sourceIp", ev.RequestContext.HTTP.SourceIP, "127.0.0.1")
			want(t, "host", ev.Headers["host"], strings.TrimPrefix(tg.URL, "http://"))
			want(t, "domainName", ev.RequestContext.DomainName, strings.TrimPrefix(tg.URL, "http://"))
			want(t, "x-forwarded-proto", ev.Headers["x-forwarded-proto"], "http")
			if !strings.HasPrefix(ev.Headers["x-amzn-trace-id"], "Root=1-") {
				t.Errorf("x-amzn-trace-id %q", ev.Headers["x-amzn-trace-id"])
			}
			if !strings.HasPrefix(rep.TraceID, ev.Headers["x-amzn-trace-id"]+";") {
				t.Errorf("runtime trace id %q does not continue %q", rep.TraceID, ev.Headers["x-amzn-trace-id"])
			}
			if epoch := ev.RequestContext.TimeEpoch; epoch < before.UnixMilli()-1000 || epoch > time.Now().UnixMilli() {
				t.Errorf("timeEpoch %d out of range", epoch)
			}
			if _, err := time.Parse("02/Jan/2006:15:04:05 -0700", ev.RequestContext.Time); err != nil {
				t.Errorf("time %q: %v", ev.RequestContext.Time, err)
			}
			if ev.RequestContext.Authorizer != nil {
				t.Errorf("public route got an authorizer: %+v", ev.RequestContext.Authorizer)
			}
			tc.check(t, ev)
		})
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, nil)
	for _, tc := range []struct{ method, path string }{
		{"GET", "/nope"},
		{"PUT", "/v1/users/1"}, // the path exists, not for this method
		{"GET", "/files/"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			t.Parallel()
			resp := do(t, tc.method, tg.URL+tc.path, nil, nil)
			want(t, "status", resp.status, http.StatusNotFound)
			want(t, "body", string(resp.body), `{"message":"Not Found"}`)
			if resp.header.Get("apigw-requestid") == "" {
				t.Error("no apigw-requestid header")
			}
		})
	}
	if s := tg.stats(t, "Echo"); s.ColdStarts != 0 {
		t.Errorf("a 404 started %d instances", s.ColdStarts)
	}
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, nil)
	tests := []struct {
		name string
		size int
		want int
	}{
		{"above the HTTP API quota", maxRequestBody + 1, http.StatusRequestEntityTooLarge},
		{"above Lambda's quota once in the event", 7 << 20, http.StatusRequestEntityTooLarge},
		{"fits", 1 << 20, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := []byte(strings.Repeat("x", tc.size))
			resp := do(t, "POST", tg.URL+"/v1/users/1", body, http.Header{"Content-Type": {"text/plain"}})
			want(t, "status", resp.status, tc.want)
		})
	}
}

func want[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func wantMap(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if !maps.Equal(got, want) {
		keys := slices.Sorted(maps.Keys(got))
		t.Errorf("%s = %v (keys %v), want %v", what, got, keys, want)
	}
}
