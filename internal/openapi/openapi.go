// Package openapi holds Roster's API contract and serves it at GET /v1/openapi.json.
//
// openapi.yaml (OpenAPI 3.1, every route of SPEC.md section 6) is the document people edit;
// openapi.json is made from it by `go generate ./internal/openapi` (gen.go) and is what the
// function embeds and answers, so that no cold start parses YAML or links a YAML parser;
// TestJSONIsGeneratedFromYAML fails when the two differ.
package openapi

//go:generate go run gen.go

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
)

// JSON is YAML converted, as the route answers it.
//
//go:embed openapi.json
var JSON string

// etag names this document: a hash of its bytes, made on the first request that needs
// it, not at init: NoRoute links this package and never does.
var etag = sync.OnceValue(func() string {
	sum := sha256.Sum256([]byte(JSON))
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
})

// Handler is GET /v1/openapi.json. The document changes only with a deployment, so it
// may be cached for a while, and revalidated with its ETag.
func Handler(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	headers := map[string]string{
		"Cache-Control": "public, max-age=300",
		"ETag":          etag(),
	}
	if matches(header(req, "if-none-match"), etag()) {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNotModified, Headers: headers}, nil
	}
	headers["Content-Type"] = "application/json"
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Headers: headers, Body: JSON}, nil
}

// matches reports whether an If-None-Match value names etag: "*", or a list of tags
// compared weakly (RFC 9110: W/"x" matches "x").
func matches(ifNoneMatch, etag string) bool {
	for _, tag := range strings.Split(ifNoneMatch, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag {
			return true
		}
	}
	return false
}

func header(req events.APIGatewayV2HTTPRequest, name string) string {
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
