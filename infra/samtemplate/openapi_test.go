package samtemplate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// document is the OpenAPI document as the API serves it.
type document struct {
	Security []map[string][]string                 `json:"security"`
	Paths    map[string]map[string]json.RawMessage `json:"paths"`
	raw      map[string]any
}

type operation struct {
	OperationID string                     `json:"operationId"`
	Security    *[]map[string][]string     `json:"security"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

func loadDocument(t *testing.T, root string) *document {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "internal", "openapi", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d document
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &d.raw); err != nil {
		t.Fatal(err)
	}
	return &d
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operations are the document's operations by route key ("GET /v1/me").
func (d *document) operations(t *testing.T) map[string]operation {
	t.Helper()
	out := map[string]operation{}
	for path, item := range d.Paths {
		for method, raw := range item {
			if !slices.Contains(httpMethods, method) {
				continue
			}
			var op operation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			out[strings.ToUpper(method)+" "+path] = op
		}
	}
	return out
}

// public reports whether op needs no token: its own security, else the document's, is empty.
func (d *document) public(op operation) bool {
	sec := d.Security
	if op.Security != nil {
		sec = *op.Security
	}
	for _, req := range sec {
		if len(req) == 0 { // {} makes the token optional
			return true
		}
	}
	return len(sec) == 0
}

// TestDocumentMatchesTemplate checks both ways that the OpenAPI document's operations are
// template.yaml's routes: the same methods and paths, and a token required exactly where
// the HTTP API's authorizer is.
func TestDocumentMatchesTemplate(t *testing.T) {
	t.Parallel()
	root, tmpl := repoTemplate(t)
	doc := loadDocument(t, root)
	ops := doc.operations(t)
	routes := map[string]bool{}
	for _, fn := range tmpl.Functions {
		for _, r := range fn.Routes {
			// NoRouteFunction answers 405 and 404: under /v1, and on a literal path's methods
			// that a parameter's path would otherwise take (GET /v1/teams/join is not GET
			// /v1/teams/{id}). Neither is an operation of the document. $default is the
			// console's: every path outside /v1.
			if r.Path == "$default" {
				if fn.LogicalID != "ConsoleFunction" || !r.Public {
					t.Errorf("$default belongs to %s (public=%v): want ConsoleFunction, public", fn.LogicalID, r.Public)
				}
				continue
			}
			if fn.LogicalID == "ConsoleFunction" {
				t.Errorf("ConsoleFunction takes %s: the console is $default only, so that /v1 stays the API's", r.Key())
				continue
			}
			if fn.LogicalID == "NoRouteFunction" {
				if !strings.HasPrefix(r.Path, "/v1") {
					t.Errorf("NoRouteFunction takes %s, outside the API's /v1", r.Key())
				}
				if !r.Public {
					t.Errorf("NoRouteFunction's %s needs no token, like the 404 and 405 it stands for", r.Key())
				}
				if _, isOp := ops[r.Method+" "+r.Path]; isOp {
					t.Errorf("NoRouteFunction takes %s, an operation of the document", r.Key())
				}
				continue
			}
			key := r.Method + " " + r.Path
			routes[key] = true
			op, ok := ops[key]
			switch {
			case !ok:
				t.Errorf("%s (%s) is not in the OpenAPI document", key, fn.LogicalID)
			case doc.public(op) != r.Public:
				t.Errorf("%s: the template's route is public=%v, the document's operation public=%v", key, r.Public, doc.public(op))
			}
		}
	}
	for key, op := range ops {
		if !routes[key] {
			t.Errorf("the document's %s (%s) is no route of template.yaml", key, op.OperationID)
		}
		if op.OperationID == "" {
			t.Errorf("%s has no operationId (client generators name their calls by it)", key)
		}
	}
}

// TestDocumentDeclaresEveryErrorCode checks, for every route, that each error code its
// handler can answer (see errcodes_test.go for how they are found) is declared in the
// document under the status it comes with, and that the document declares no code the
// handler can never answer.
func TestDocumentDeclaresEveryErrorCode(t *testing.T) {
	t.Parallel()
	root, tmpl := repoTemplate(t)
	doc := loadDocument(t, root)
	ops := doc.operations(t)
	var patterns []string
	for _, fn := range tmpl.Functions {
		if len(fn.Routes) > 0 {
			patterns = append(patterns, "./"+fn.Dir)
		}
	}
	// The concrete services behind the interfaces the handlers call.
	patterns = append(patterns, "./internal/identity/cognito", "./internal/mail/ses")
	g := loadCodeGraph(t, root, patterns...)
	g.checkAbsorbed(t)
	for _, fn := range tmpl.Functions {
		for _, r := range fn.Routes {
			key := r.Method + " " + r.Path
			op, ok := ops[key]
			if !ok {
				continue // TestDocumentMatchesTemplate names it, or it is $default
			}
			handler := g.handlerOf(t, filepath.Join(root, fn.Dir, "main.go"))
			found := map[answer]bool{{"500", "internal"}: true} // httpapi.Handle answers a panic so
			for _, a := range g.answersOf(handler) {
				if strings.HasPrefix(a.status, "?") || strings.HasPrefix(a.code, "?") {
					t.Errorf("%s: cannot read an error made in its code: %s", key, a)
					continue
				}
				found[a] = true
			}
			for code, why := range infeasible[funcName(handler)] {
				if !slices.ContainsFunc(g.answersOf(handler), func(a answer) bool { return a.code == code }) {
					t.Errorf("infeasible lists %s for %s, which the analysis no longer finds: drop the entry (%s)", code, funcName(handler), why)
				}
			}
			for a := range found {
				_, everywhere := infeasible["*"][a.code]
				_, here := infeasible[funcName(handler)][a.code]
				if everywhere || here {
					delete(found, a)
				}
			}
			declared := doc.declaredAnswers(t, key, op)
			for a := range found {
				if !declared[a] {
					t.Errorf("%s can answer %s, which the document does not declare: %s", key, a, strings.Join(g.why(handler, a), " -> "))
				}
			}
			for a := range declared {
				if !found[a] {
					t.Errorf("%s declares %s, which %s never answers", key, a, funcName(handler))
				}
			}
		}
	}
}

// declaredAnswers reads each response's error codes: the enum of error.code in its schema.
// The generic Error schema lists every code and is not a declaration.
func (d *document) declaredAnswers(t *testing.T, key string, op operation) map[answer]bool {
	t.Helper()
	out := map[answer]bool{}
	for status, raw := range op.Responses {
		var resp any
		if err := json.Unmarshal(raw, &resp); err != nil {
			t.Fatal(err)
		}
		resp = d.deref(resp)
		content, _ := resp.(map[string]any)["content"].(map[string]any)
		media, _ := content["application/json"].(map[string]any)
		for _, code := range d.codes(media["schema"], 0) {
			out[answer{status, code}] = true
		}
		if status[0] >= '4' && len(content) > 0 && !d.mentionsError(media["schema"], 0) && !d.gatewayOnly(media["schema"]) {
			t.Errorf("%s: response %s has a body that is neither Roster's error nor the gateway's", key, status)
		}
	}
	return out
}

func (d *document) deref(v any) any {
	for {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v
		}
		var cur any = d.raw
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cur = cur.(map[string]any)[part]
		}
		v = cur
	}
}

// codes collects error.code enums under schema, through $ref, allOf, oneOf and anyOf.
func (d *document) codes(schema any, depth int) []string {
	m, ok := schema.(map[string]any)
	if !ok || depth > 10 {
		return nil
	}
	if ref, _ := m["$ref"].(string); ref == "#/components/schemas/Error" || ref == "#/components/schemas/ErrorCode" {
		return nil
	}
	m = d.deref(m).(map[string]any)
	var out []string
	for _, k := range []string{"allOf", "oneOf", "anyOf"} {
		list, _ := m[k].([]any)
		for _, s := range list {
			out = append(out, d.codes(s, depth+1)...)
		}
	}
	props, _ := m["properties"].(map[string]any)
	errProps, _ := props["error"].(map[string]any)
	inner, _ := errProps["properties"].(map[string]any)
	code, _ := inner["code"].(map[string]any)
	for _, c := range asSlice(code["enum"]) {
		out = append(out, c.(string))
	}
	return out
}

func (d *document) mentionsError(schema any, depth int) bool {
	m, ok := schema.(map[string]any)
	if !ok || depth > 10 {
		return false
	}
	if ref, _ := m["$ref"].(string); ref == "#/components/schemas/Error" {
		return true
	}
	m = d.deref(m).(map[string]any)
	for _, k := range []string{"allOf", "oneOf", "anyOf"} {
		for _, s := range asSlice(m[k]) {
			if d.mentionsError(s, depth+1) {
				return true
			}
		}
	}
	return false
}

func (d *document) gatewayOnly(schema any) bool {
	m, _ := schema.(map[string]any)
	ref, _ := m["$ref"].(string)
	return ref == "#/components/schemas/GatewayMessage"
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
