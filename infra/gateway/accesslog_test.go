package gateway

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/roster-dev/roster/infra/samtemplate"
)

// syncBuffer is an io.Writer that the test may read while the gateway writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAccessLog: each API request writes one line of template.yaml's access log format, as
// the HTTP API stage does: valid JSON with the fields the template names, and never the
// Authorization header, the path or the query string.
func TestAccessLog(t *testing.T) {
	t.Parallel()
	tmpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.AccessLogFormat == "" {
		t.Fatal("template.yaml's HTTP API has no AccessLogSettings.Format")
	}
	var out syncBuffer
	tg := newTestGateway(t, func(c *Config) {
		c.AccessLogFormat = tmpl.AccessLogFormat
		c.AccessLog = &out
	})
	const secret = "s3cr3t-token"
	for _, rq := range []struct{ method, path, auth string }{
		{"GET", "/v1/users/" + secret + "?code=" + secret, "Bearer " + secret},
		{"GET", "/v1/me", "Bearer " + secret},
		{"GET", "/nowhere?x=" + secret, ""},
	} {
		req, _ := http.NewRequest(rq.method, tg.URL+rq.path, nil)
		req.Header.Set("User-Agent", `probe "quoted" \ agent`)
		if rq.auth != "" {
			req.Header.Set("Authorization", rq.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	text := out.String()
	if strings.Contains(text, secret) {
		t.Errorf("the access log holds what a path, query string or Authorization header carried:\n%s", text)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d access log lines, want 3:\n%s", len(lines), text)
	}
	var fields []string
	var entries []map[string]string
	for _, line := range lines {
		var e map[string]string
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("access log line is not a JSON object of strings: %v\n%s", err, line)
		}
		entries = append(entries, e)
	}
	for k := range entries[0] {
		fields = append(fields, k)
	}
	slices.Sort(fields)
	wantFields := []string{"integrationLatency", "requestId", "requestTime", "responseLatency", "routeKey", "sourceIp", "status", "userAgent"}
	if !slices.Equal(fields, wantFields) {
		t.Errorf("fields %v, want %v", fields, wantFields)
	}
	for i, want := range []struct{ route, status string }{
		{"GET /v1/users/{id}", "200"},
		{"GET /v1/me", "401"}, // the authorizer answers: no integration
		{"-", "404"},          // no route
	} {
		e := entries[i]
		if e["routeKey"] != want.route || e["status"] != want.status {
			t.Errorf("line %d: routeKey %q, status %q; want %q, %q", i, e["routeKey"], e["status"], want.route, want.status)
		}
		if e["sourceIp"] != "127.0.0.1" || e["userAgent"] != `probe "quoted" \ agent` || e["requestId"] == "" || e["requestId"] == "-" {
			t.Errorf("line %d: sourceIp %q, userAgent %q, requestId %q", i, e["sourceIp"], e["userAgent"], e["requestId"])
		}
		if e["responseLatency"] == "-" || !strings.Contains(e["requestTime"], "/") {
			t.Errorf("line %d: responseLatency %q, requestTime %q", i, e["responseLatency"], e["requestTime"])
		}
		if integrated := e["integrationLatency"] != "-"; integrated != (i == 0) {
			t.Errorf("line %d: integrationLatency %q", i, e["integrationLatency"])
		}
	}
}

// TestAccessLogUnknownVariable: a variable the gateway does not emulate is refused at start,
// rather than logged wrong.
func TestAccessLogUnknownVariable(t *testing.T) {
	t.Parallel()
	_, err := New(Config{
		Functions:       []Function{{Name: "Echo", Binary: echoBinary, Routes: []Route{{Method: "GET", Path: "/x", Public: true}}}},
		AccessLogFormat: `{"path":"$context.path"}`,
		AccessLog:       &syncBuffer{},
	})
	if err == nil || !strings.Contains(err.Error(), "$context.path") {
		t.Errorf("New = %v, want an error naming $context.path", err)
	}
}
