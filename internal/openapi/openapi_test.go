package openapi

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/openapi/convert"
)

func TestJSONIsGeneratedFromYAML(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := convert.ToJSON(src)
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if strings.TrimSpace(JSON) != string(want) {
		t.Fatal("openapi.json is not openapi.yaml converted: run `go generate ./internal/openapi` and commit both")
	}
}

// TestReferencesResolve follows every $ref of the document: a typo would only show when a
// client generator or schemathesis met it.
func TestReferencesResolve(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	if err := json.Unmarshal([]byte(JSON), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if _, err := resolve(doc, ref); err != nil {
					t.Errorf("%s: $ref %s: %v", at, ref, err)
				}
			}
			for k, e := range v {
				walk(e, at+"/"+k)
			}
		case []any:
			for _, e := range v {
				walk(e, at+"[]")
			}
		}
	}
	walk(doc, "#")
}

func resolve(doc map[string]any, ref string) (any, error) {
	path, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, errNotLocal
	}
	var cur any = doc
	for _, part := range strings.Split(path, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, errMissing
		}
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		if cur, ok = m[part]; !ok {
			return nil, errMissing
		}
	}
	return cur, nil
}

type refError string

func (e refError) Error() string { return string(e) }

const (
	errNotLocal = refError("not a reference inside the document")
	errMissing  = refError("names nothing in the document")
)

func TestHandlerServesTheDocument(t *testing.T) {
	t.Parallel()
	resp, err := Handler(context.Background(), events.APIGatewayV2HTTPRequest{})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, err %v", resp.StatusCode, err)
	}
	if resp.Body != JSON || resp.Headers["Content-Type"] != "application/json" {
		t.Fatalf("body or content type differ: %q", resp.Headers["Content-Type"])
	}
	tag := resp.Headers["ETag"]
	if !strings.HasPrefix(tag, `"`) || !strings.HasSuffix(tag, `"`) || len(tag) < 3 {
		t.Fatalf("ETag %q is not a strong entity tag", tag)
	}
	if !strings.Contains(resp.Headers["Cache-Control"], "max-age") {
		t.Fatalf("Cache-Control %q lets nobody cache it", resp.Headers["Cache-Control"])
	}
	for _, inm := range []string{tag, "W/" + tag, `"other", ` + tag, "*"} {
		resp, _ := Handler(context.Background(), events.APIGatewayV2HTTPRequest{Headers: map[string]string{"If-None-Match": inm}})
		if resp.StatusCode != 304 || resp.Body != "" || resp.Headers["ETag"] != tag {
			t.Errorf("If-None-Match %s: status %d, want 304 with the ETag and no body", inm, resp.StatusCode)
		}
	}
	resp, _ = Handler(context.Background(), events.APIGatewayV2HTTPRequest{Headers: map[string]string{"if-none-match": `"stale"`}})
	if resp.StatusCode != 200 {
		t.Errorf("a stale If-None-Match: status %d, want 200", resp.StatusCode)
	}
}

func TestNoRoute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"PUT", "/v1/me", 405, "GET, PATCH"},
		{"TRACE", "/v1/users/abc", 405, "DELETE, GET, PATCH"},
		{"GET", "/v1/teams/join", 405, "POST"},
		{"POST", "/v1/teams/x/members/y", 405, "DELETE, PUT"},
		{"DELETE", "/v1/openapi.json", 405, "GET"},
		{"GET", "/v1/nothing", 404, ""},
		{"GET", "/v1/users/", 404, ""},
		{"GET", "/", 404, ""},
	}
	for _, tt := range tests {
		req := events.APIGatewayV2HTTPRequest{RawPath: tt.path}
		req.RequestContext.HTTP.Method = tt.method
		req.RequestContext.RequestID = "r1"
		resp, err := NoRoute(context.Background(), req)
		if err != nil || resp.StatusCode != tt.status || resp.Headers["Allow"] != tt.allow {
			t.Errorf("%s %s: %d Allow %q, want %d Allow %q", tt.method, tt.path, resp.StatusCode, resp.Headers["Allow"], tt.status, tt.allow)
		}
		var body struct {
			Error struct{ Code, RequestID string }
		}
		if json.Unmarshal([]byte(resp.Body), &body) != nil || body.Error.Code == "" || body.Error.RequestID != "r1" {
			t.Errorf("%s %s: body %s is not Roster's error", tt.method, tt.path, resp.Body)
		}
	}
}

// An unquoted ", " or ": " inside a flow mapping ({ description: a, b }) makes YAML read the
// rest as a key of its own, with no value: the document says nothing with null.
func TestNoNullInTheDocument(t *testing.T) {
	var doc any
	if err := json.Unmarshal([]byte(JSON), &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				// null is a value an enum, a default or an example may hold; a property of
				// the document never is.
				if e == nil && !slices.Contains([]string{"default", "const", "example"}, k) {
					t.Errorf("%s/%s is null: quote the text it was cut from", path, k)
				}
				walk(e, path+"/"+k)
			}
		case []any:
			for i, e := range v {
				walk(e, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	walk(doc, "")
}
