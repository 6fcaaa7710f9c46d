package e2e

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// get fetches path from the stack's origin as a browser would, without following redirects.
func get(t *testing.T, method, path string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, apiURL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// The console is every path outside /v1, on the API's own origin; /v1 stays the API's.
func TestConsoleIsServedBesideTheAPI(t *testing.T) {
	t.Parallel()
	resp, index := get(t, "GET", "/", nil)
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
		resp, body := get(t, "GET", page, nil)
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
		resp, body := get(t, "GET", a[1], map[string]string{"Accept-Encoding": "gzip"})
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Errorf("GET %s: %d, %d bytes", a[1], resp.StatusCode, len(body))
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: Cache-Control %q, want immutable", a[1], cc)
		}
	}
	if resp, _ := get(t, "GET", "/assets/missing-0000.js", nil); resp.StatusCode != 404 {
		t.Errorf("a missing asset: %d, want 404 (never the page, which a browser would run as script)", resp.StatusCode)
	}
	if resp, _ := get(t, "POST", "/login", nil); resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
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
		r := call(t, "", tc.method, tc.path, nil)
		expect(t, r, tc.status, tc.code)
	}
}
