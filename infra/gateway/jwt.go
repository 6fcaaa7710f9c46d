package gateway

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// authorizer is the HTTP API's JWT authorizer. Like API Gateway's it checks
// signature, iss, aud/client_id, exp, nbf, iat and route scopes, and nothing
// else: in particular not token_use, which Roster checks itself.
type authorizer struct {
	issuer   string
	audience []string
	keys     *keySet
	now      func() time.Time
}

func newAuthorizer(cfg JWTConfig) *authorizer {
	return &authorizer{issuer: cfg.Issuer, audience: cfg.Audience, keys: newKeySet(cfg.JWKSURL), now: time.Now}
}

// authError is a refusal the gateway answers itself, without invoking the
// function: 401 for a bad or missing token, 403 for a missing scope.
type authError struct {
	status      int
	description string // for www-authenticate; empty when no token was sent
	scope       string
}

func (e *authError) Error() string { return "jwt: " + e.description }

func (e *authError) message() string {
	if e.status == http.StatusForbidden {
		return "Forbidden"
	}
	return "Unauthorized"
}

// challenge is the www-authenticate header value API Gateway sends.
func (e *authError) challenge() string {
	if e.description == "" {
		return "Bearer"
	}
	errorCode := "invalid_token"
	if e.status == http.StatusForbidden {
		errorCode = "insufficient_scope"
	}
	return fmt.Sprintf("Bearer scope=%q error=%q error_description=%q", e.scope, errorCode, e.description)
}

func unauthorized(description string) error {
	return &authError{status: http.StatusUnauthorized, description: description}
}

// authorize validates the Authorization header and returns what the event's
// requestContext.authorizer.jwt holds. An *authError is the client's fault;
// any other error means the keys could not be fetched.
func (a *authorizer) authorize(ctx context.Context, header string, routeScopes []string) (*events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription, error) {
	token := strings.TrimSpace(header)
	if token == "" {
		return nil, &authError{status: http.StatusUnauthorized}
	}
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	claims, err := a.verify(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := a.checkClaims(claims); err != nil {
		return nil, err
	}
	var scopes []string
	if s, ok := claims["scope"].(string); ok {
		scopes = strings.Fields(s)
	}
	if len(routeScopes) > 0 && !slices.ContainsFunc(routeScopes, func(s string) bool { return slices.Contains(scopes, s) }) {
		return nil, &authError{status: http.StatusForbidden, description: "the token does not have the required scope", scope: strings.Join(routeScopes, " ")}
	}
	return &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: renderClaims(claims), Scopes: scopes}, nil
}

// verify checks the token's RS256 signature against the issuer's keys and
// returns its decoded claims.
func (a *authorizer) verify(ctx context.Context, token string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, unauthorized("the token is not a valid JWT")
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	rawHeader, err := decodeSegment(parts[0])
	if err != nil || json.Unmarshal(rawHeader, &header) != nil {
		return nil, unauthorized("the token header is not valid")
	}
	// Only RS256: accepting the header's choice of algorithm ("none",
	// HS256 keyed with the public key) is the classic JWT forgery.
	if header.Alg != "RS256" {
		return nil, unauthorized("the token is not signed with RS256")
	}
	sig, err := decodeSegment(parts[2])
	if err != nil {
		return nil, unauthorized("the token signature is not valid base64url")
	}
	key, err := a.keys.key(ctx, header.Kid)
	if errors.Is(err, errUnknownKey) {
		return nil, unauthorized("the token is signed with an unknown key")
	}
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig) != nil {
		return nil, unauthorized("the token does not have a valid signature")
	}
	rawClaims, err := decodeSegment(parts[1])
	if err != nil {
		return nil, unauthorized("the token payload is not valid base64url")
	}
	dec := json.NewDecoder(bytes.NewReader(rawClaims))
	dec.UseNumber() // keep numbers as written, for the claims map
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return nil, unauthorized("the token payload is not a JSON object")
	}
	return claims, nil
}

func (a *authorizer) checkClaims(claims map[string]any) error {
	if iss, _ := claims["iss"].(string); iss != a.issuer {
		return unauthorized("the token does not have a valid issuer")
	}
	if !a.audienceMatches(claims) {
		return unauthorized("the token does not have a valid audience")
	}
	now := float64(a.now().UnixMilli()) / 1000
	exp, ok := numericClaim(claims, "exp")
	if !ok {
		return unauthorized("the token has no valid exp claim")
	}
	if exp <= now {
		return unauthorized("the token has expired")
	}
	if _, present := claims["nbf"]; present {
		if v, ok := numericClaim(claims, "nbf"); !ok || v > now {
			return unauthorized("the token is not valid yet")
		}
	}
	if _, present := claims["iat"]; present {
		if v, ok := numericClaim(claims, "iat"); !ok || v > now {
			return unauthorized("the token was issued in the future")
		}
	}
	return nil
}

// audienceMatches applies API Gateway's rule: one of the token's aud values,
// or else its client_id (Cognito access tokens have no aud), must be a
// configured audience.
func (a *authorizer) audienceMatches(claims map[string]any) bool {
	switch aud := claims["aud"].(type) {
	case string:
		if slices.Contains(a.audience, aud) {
			return true
		}
	case []any:
		for _, v := range aud {
			if s, ok := v.(string); ok && slices.Contains(a.audience, s) {
				return true
			}
		}
	}
	clientID, _ := claims["client_id"].(string)
	return clientID != "" && slices.Contains(a.audience, clientID)
}

func numericClaim(claims map[string]any, name string) (float64, bool) {
	n, ok := claims[name].(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// renderClaims flattens claims to strings the way API Gateway does: strings
// as they are, numbers as written, arrays as "[a b]".
func renderClaims(claims map[string]any) map[string]string {
	out := make(map[string]string, len(claims))
	for k, v := range claims {
		out[k] = renderClaim(v)
	}
	return out
}

func renderClaim(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "true"
		}
		return "false"
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = renderClaim(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ":" + renderClaim(v[k])
		}
		return "map[" + strings.Join(parts, " ") + "]"
	default:
		return fmt.Sprint(v)
	}
}
