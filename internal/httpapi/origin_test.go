package httpapi

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/locale"
)

func requestOn(domain string, headers map[string]string) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{Headers: headers}
	req.RequestContext.DomainName = domain
	return req
}

func TestOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, domain, proto string
		want                string
	}{
		{"execute-api", "abc123.execute-api.eu-west-1.amazonaws.com", "https", "https://abc123.execute-api.eu-west-1.amazonaws.com"},
		{"custom domain, upper case", "Roster.Example.COM", "https", "https://roster.example.com"},
		{"no proto header", "roster.example.com", "", "https://roster.example.com"},
		{"local gateway", "127.0.0.1:4566", "http", "http://127.0.0.1:4566"},
		{"IPv6", "[::1]:4566", "http", "http://[::1]:4566"},
		{"unknown proto", "roster.example.com", "gopher", "https://roster.example.com"},
		{"no domain", "", "https", ""},
		{"user info", "evil.example@roster.example.com", "https", ""},
		{"path", "roster.example.com/evil", "https", ""},
		{"space", "roster.example.com evil", "https", ""},
		{"scheme-relative trick", "//evil.example", "https", ""},
	}
	for _, tt := range tests {
		headers := map[string]string{}
		if tt.proto != "" {
			headers["x-forwarded-proto"] = tt.proto
		}
		if got := Origin(requestOn(tt.domain, headers)); got != tt.want {
			t.Errorf("%s: Origin = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSameOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		headers map[string]string
		want    bool
	}{
		{"no Origin", map[string]string{"x-forwarded-proto": "https"}, true},
		{"same", map[string]string{"x-forwarded-proto": "https", "origin": "https://roster.example.com"}, true},
		{"same, other case", map[string]string{"x-forwarded-proto": "https", "Origin": "HTTPS://Roster.Example.com"}, true},
		{"other site", map[string]string{"x-forwarded-proto": "https", "origin": "https://evil.example"}, false},
		{"other scheme", map[string]string{"x-forwarded-proto": "https", "origin": "http://roster.example.com"}, false},
		{"other port", map[string]string{"x-forwarded-proto": "https", "origin": "https://roster.example.com:8443"}, false},
		{"null", map[string]string{"x-forwarded-proto": "https", "origin": "null"}, false},
		{"empty", map[string]string{"x-forwarded-proto": "https", "origin": ""}, false},
	}
	for _, tt := range tests {
		if got := SameOrigin(requestOn("roster.example.com", tt.headers)); got != tt.want {
			t.Errorf("%s: SameOrigin = %v, want %v", tt.name, got, tt.want)
		}
	}
	if SameOrigin(requestOn("", map[string]string{"origin": "https://"})) {
		t.Error("a request with no domain name matched an Origin")
	}
}

func TestLocale(t *testing.T) {
	t.Parallel()
	if got := Locale(requestOn("x", map[string]string{"Accept-Language": "zh-CN,zh;q=0.9"})); got != locale.SimplifiedChinese {
		t.Errorf("Locale = %q", got)
	}
	if got := Locale(requestOn("x", nil)); got != locale.Default {
		t.Errorf("Locale without the header = %q", got)
	}
}

func TestCookie(t *testing.T) {
	t.Parallel()
	req := events.APIGatewayV2HTTPRequest{Cookies: []string{"a=1", " roster_refresh=u1.tok=en", "roster_refresh=second", `q="quoted"`, "bare"}}
	tests := []struct {
		name, want string
		found      bool
	}{
		{"roster_refresh", "u1.tok=en", true},
		{"a", "1", true},
		{"q", "quoted", true},
		{"bare", "", false},
		{"missing", "", false},
	}
	for _, tt := range tests {
		if got, found := Cookie(req, tt.name); got != tt.want || found != tt.found {
			t.Errorf("Cookie(%q) = %q, %v; want %q, %v", tt.name, got, found, tt.want, tt.found)
		}
	}
}

func TestSetCookie(t *testing.T) {
	t.Parallel()
	if got, want := SetCookie("roster_refresh", "u1.abc-_", "/v1/auth", 30*24*time.Hour),
		"roster_refresh=u1.abc-_; Path=/v1/auth; Max-Age=2592000; HttpOnly; Secure; SameSite=Strict"; got != want {
		t.Errorf("SetCookie = %q, want %q", got, want)
	}
	if got, want := SetCookie("roster_refresh", "u1.abc", "/v1/auth", 0),
		"roster_refresh=u1.abc; Path=/v1/auth; HttpOnly; Secure; SameSite=Strict"; got != want {
		t.Errorf("SetCookie for the browser's session = %q, want %q", got, want)
	}
	if got, want := ClearCookie("roster_refresh", "/v1/auth"),
		"roster_refresh=; Path=/v1/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict"; got != want {
		t.Errorf("ClearCookie = %q, want %q", got, want)
	}
}

// TestHandleWritesCookies: an operation's cookies reach payload 2.0's cookies field.
func TestHandleWritesCookies(t *testing.T) {
	t.Parallel()
	op := func(context.Context, events.APIGatewayV2HTTPRequest) (Response, error) {
		return Response{Status: http.StatusNoContent, Cookies: []string{"a=1", "b=2"}}, nil
	}
	resp, _ := Handle(op)(context.Background(), events.APIGatewayV2HTTPRequest{})
	if resp.StatusCode != http.StatusNoContent || len(resp.Cookies) != 2 || resp.Cookies[0] != "a=1" || resp.Cookies[1] != "b=2" {
		t.Fatalf("answer %+v", resp)
	}
}
