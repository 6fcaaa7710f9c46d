package e2e

import (
	"regexp"
	"strings"
	"testing"
)

// The console is every path outside /v1, on the API's own origin; /v1 stays the API's.
func TestConsoleIsServedBesideTheAPI(t *testing.T) {
	t.Parallel()
	resp, index := browse(t, "GET", "/")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s, want the console's page", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("GET /: Cache-Control %q, want no-cache (a deploy takes effect at the next load)", cc)
	}
	if regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`).MatchString(index) {
		t.Errorf("index.html has an inline script, which the CSP refuses:\n%s", index)
	}
	for _, page := range []string{"/login?team=abc", "/register", "/forgot-password", "/invitations/some-token", "/join", "/account"} {
		resp, body := browse(t, "GET", page)
		if resp.StatusCode != 200 || body != index {
			t.Errorf("GET %s: %d, want the console's page", page, resp.StatusCode)
		}
		for name, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "no-referrer",
		} {
			if got := resp.Header.Get(name); got != want {
				t.Errorf("GET %s: %s %q, want %q", page, name, got, want)
			}
		}
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: CSP %q lacks %q", page, csp, want)
			}
		}
	}

	assets := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllStringSubmatch(index, -1)
	if len(assets) == 0 {
		t.Fatalf("index.html names no asset:\n%s", index)
	}
	for _, a := range assets {
		resp, body := browse(t, "GET", a[1], "Accept-Encoding", "gzip")
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Errorf("GET %s: %d, %d bytes", a[1], resp.StatusCode, len(body))
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: Cache-Control %q, want immutable", a[1], cc)
		}
	}
	if resp, _ := browse(t, "GET", "/assets/missing-0000.js"); resp.StatusCode != 404 {
		t.Errorf("a missing asset: %d, want 404 (never the page, which a browser would run as script)", resp.StatusCode)
	}
	if resp, _ := browse(t, "POST", "/login"); resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /login: %d Allow %q, want 405 GET, HEAD", resp.StatusCode, resp.Header.Get("Allow"))
	}

	// Under /v1 what no route takes is the API's JSON, not the console's page.
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/v1", 404, "not_found"},
		{"GET", "/v1/no/such/route", 404, "not_found"},
		{"DELETE", "/v1/openapi.json", 405, "method_not_allowed"},
	} {
		expect(t, Client{}.Send(t, tc.method, tc.path, nil), tc.status, tc.code)
	}
}
