package openapi

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
)

// NoRoute answers what no route of the HTTP API takes (its $default route). API Gateway
// alone would answer 404 to a method a path does not have; RFC 9110 asks for 405 with the
// methods the path does have in Allow, which clients and tools (schemathesis among them)
// rely on. A path the API does not have is 404. Both bodies are Roster's error shape.
func NoRoute(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	allowed := allowedMethods(req.RawPath)
	if allowed == "" {
		return errorAnswer(http.StatusNotFound, apperr.CodeNotFound, "There is no such route.", req, nil), nil
	}
	return errorAnswer(http.StatusMethodNotAllowed, apperr.CodeMethodNotAllowed,
		"This route does not take "+req.RequestContext.HTTP.Method+"; see Allow.", req,
		map[string]string{"Allow": allowed}), nil
}

// allowedMethods is the document's methods for the path template matching path, as
// Allow lists them ("GET, PATCH"), or "" for a path the API does not have.
func allowedMethods(path string) string {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for _, t := range templates() {
		if len(t.segments) != len(segs) {
			continue
		}
		match := true
		for i, s := range t.segments {
			param := strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}")
			if (param && segs[i] == "") || (!param && s != segs[i]) {
				match = false
				break
			}
		}
		if match {
			return strings.Join(t.methods, ", ")
		}
	}
	return ""
}

type template struct {
	segments []string
	methods  []string
}

// templates are the document's paths, read once, on the first request that needs them: the
// functions that serve the document never pay for it.
var templates = sync.OnceValue(func() []template {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(JSON), &doc); err != nil {
		panic("openapi.json: " + err.Error()) // the package's tests read it
	}
	var out []template
	for path, item := range doc.Paths {
		t := template{segments: strings.Split(strings.TrimPrefix(path, "/"), "/")}
		for m := range item {
			switch m {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
				t.methods = append(t.methods, strings.ToUpper(m))
			}
		}
		slices.Sort(t.methods)
		out = append(out, t)
	}
	// A literal segment wins over a parameter (/v1/teams/join over /v1/teams/{id}), as
	// the gateway routes them.
	slices.SortFunc(out, func(a, b template) int { return strings.Compare(literals(b), literals(a)) })
	return out
})

// literals ranks a template by which of its segments are literal, from the left.
func literals(t template) string {
	var b strings.Builder
	for _, s := range t.segments {
		if strings.HasPrefix(s, "{") {
			b.WriteByte('0')
		} else {
			b.WriteByte('1')
		}
	}
	return b.String()
}

func errorAnswer(status int, code apperr.Code, message string, req events.APIGatewayV2HTTPRequest, headers map[string]string) events.APIGatewayV2HTTPResponse {
	body, _ := json.Marshal(map[string]any{"error": map[string]string{
		"code": string(code), "message": message, "requestId": req.RequestContext.RequestID,
	}})
	h := map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"}
	for k, v := range headers {
		h[k] = v
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: h, Body: string(body)}
}
