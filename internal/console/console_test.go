package console_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"io"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/console"
)

var (
	page   = "<!doctype html><title>Roster</title><script type=module src=/assets/index-abc123.js></script>"
	script = strings.Repeat("console.log('roster');\n", 200)
	site   = fstest.MapFS{
		"index.html":             {Data: []byte(page)},
		"assets/index-abc123.js": {Data: []byte(script)},
		"assets/logo-f00.svg":    {Data: []byte("<svg/>")},
	}
)

func request(method, path string, headers map[string]string) events.APIGatewayV2HTTPRequest {
	if headers == nil {
		headers = map[string]string{}
	}
	return events.APIGatewayV2HTTPRequest{
		RawPath: path,
		Headers: headers,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
		},
	}
}

func body(t *testing.T, r events.APIGatewayV2HTTPResponse) string {
	t.Helper()
	raw := []byte(r.Body)
	if r.IsBase64Encoded {
		var err error
		if raw, err = base64.StdEncoding.DecodeString(r.Body); err != nil {
			t.Fatal(err)
		}
	}
	if r.Headers["Content-Encoding"] == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if raw, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return string(raw)
}

func TestServe(t *testing.T) {
	s := console.New(site)
	tests := []struct {
		name, method, path string
		headers            map[string]string
		status             int
		body, ctype, cache string
		gzip               bool
	}{
		{"root is the app", "GET", "/", nil, 200, page, "text/html; charset=utf-8", "no-cache", false},
		{"a page is the app", "GET", "/invitations/abc", nil, 200, page, "text/html; charset=utf-8", "no-cache", false},
		{"a page with a query", "GET", "/login", nil, 200, page, "text/html; charset=utf-8", "no-cache", false},
		{"a hashed asset is immutable", "GET", "/assets/index-abc123.js", nil, 200, script, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", false},
		{"gzip when asked", "GET", "/assets/index-abc123.js", map[string]string{"accept-encoding": "br, gzip"}, 200, script, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", true},
		{"gzip refused with q=0", "GET", "/assets/index-abc123.js", map[string]string{"accept-encoding": "gzip;q=0"}, 200, script, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", false},
		{"small files stay as they are", "GET", "/assets/logo-f00.svg", map[string]string{"accept-encoding": "gzip"}, 200, "<svg/>", "image/svg+xml", "public, max-age=31536000, immutable", false},
		{"a missing asset is 404, not the page", "GET", "/assets/gone-123.js", nil, 404, "There is no such file.\n", "text/plain; charset=utf-8", "no-store", false},
		{"dot segments cannot leave the site", "GET", "/../../etc/passwd", nil, 200, page, "text/html; charset=utf-8", "no-cache", false},
		{"dot segments resolve before the assets test", "GET", "/assets/../index.html", nil, 200, page, "text/html; charset=utf-8", "no-cache", false},
		{"HEAD has no body", "HEAD", "/", nil, 200, "", "text/html; charset=utf-8", "no-cache", false},
		{"POST is refused", "POST", "/login", nil, 405, "The console takes GET and HEAD only.\n", "text/plain; charset=utf-8", "no-store", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.Serve(context.Background(), request(tt.method, tt.path, tt.headers))
			if err != nil {
				t.Fatal(err)
			}
			if r.StatusCode != tt.status {
				t.Errorf("status %d, want %d", r.StatusCode, tt.status)
			}
			if got := body(t, r); got != tt.body {
				t.Errorf("body %.60q, want %.60q", got, tt.body)
			}
			if got := r.Headers["Content-Type"]; got != tt.ctype {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
			if got := r.Headers["Cache-Control"]; got != tt.cache {
				t.Errorf("Cache-Control %q, want %q", got, tt.cache)
			}
			if got := r.Headers["Content-Encoding"] == "gzip"; got != tt.gzip {
				t.Errorf("gzip %v, want %v", got, tt.gzip)
			}
			for name, want := range map[string]string{
				"Content-Security-Policy": console.CSP,
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "no-referrer",
			} {
				if got := r.Headers[name]; got != want {
					t.Errorf("%s %q, want %q", name, got, want)
				}
			}
			if tt.status == 405 && r.Headers["Allow"] != "GET, HEAD" {
				t.Errorf("Allow %q", r.Headers["Allow"])
			}
		})
	}
}

func TestCSPIsStrict(t *testing.T) {
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'"} {
		if !strings.Contains(console.CSP, want) {
			t.Errorf("CSP lacks %q", want)
		}
	}
	if strings.Contains(console.CSP, "unsafe") {
		t.Errorf("CSP allows something unsafe: %s", console.CSP)
	}
}

func TestRevalidation(t *testing.T) {
	s := console.New(site)
	first, _ := s.Serve(context.Background(), request("GET", "/", nil))
	etag := first.Headers["ETag"]
	if etag == "" {
		t.Fatal("no ETag")
	}
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		r, _ := s.Serve(context.Background(), request("GET", "/account", map[string]string{"if-none-match": inm}))
		if r.StatusCode != 304 || r.Body != "" {
			t.Errorf("If-None-Match %s: status %d, body %q; want 304 and none", inm, r.StatusCode, r.Body)
		}
	}
	r, _ := s.Serve(context.Background(), request("GET", "/", map[string]string{"if-none-match": `"stale"`}))
	if r.StatusCode != 200 {
		t.Errorf("stale ETag: status %d, want 200", r.StatusCode)
	}
}

func TestHSTSOnlyOverHTTPS(t *testing.T) {
	s := console.New(site)
	r, _ := s.Serve(context.Background(), request("GET", "/", map[string]string{"x-forwarded-proto": "https"}))
	if r.Headers["Strict-Transport-Security"] == "" {
		t.Error("no HSTS over https")
	}
	r, _ = s.Serve(context.Background(), request("GET", "/", map[string]string{"x-forwarded-proto": "http"}))
	if r.Headers["Strict-Transport-Security"] != "" {
		t.Error("HSTS over plain http (local stack)")
	}
}

func TestNotBuilt(t *testing.T) {
	r, err := console.New(nil).Serve(context.Background(), request("GET", "/", nil))
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode != 503 || !strings.Contains(r.Body, "make build") {
		t.Errorf("status %d body %q: want 503 saying how to build", r.StatusCode, r.Body)
	}
}
