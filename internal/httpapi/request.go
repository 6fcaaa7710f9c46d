package httpapi

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/validate"
)

// Subject returns the user id of the caller. API Gateway's JWT authorizer has checked
// the signature, issuer, audience and expiry, but it accepts ID tokens too: only an
// access token issued to Roster's own app client may call the API.
func Subject(req events.APIGatewayV2HTTPRequest, clientID string) (string, error) {
	auth := req.RequestContext.Authorizer
	if auth == nil || auth.JWT == nil {
		return "", apperr.Unauthorized()
	}
	claims := auth.JWT.Claims
	if claims["token_use"] != "access" || claims["client_id"] != clientID || claims["username"] == "" {
		return "", apperr.Unauthorized()
	}
	return claims["username"], nil
}

// IssuedAt returns when the caller's access token was issued, from its iat claim (which
// the authorizer checked is not in the future), or the zero time when it is missing or
// unreadable, which makes the token older than any end of sessions.
func IssuedAt(req events.APIGatewayV2HTTPRequest) time.Time {
	auth := req.RequestContext.Authorizer
	if auth == nil || auth.JWT == nil {
		return time.Time{}
	}
	seconds, err := strconv.ParseInt(auth.JWT.Claims["iat"], 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(seconds, 0)
}

// Query returns the query parameters of req, refusing any not in allowed, so that a
// misspelt filter is an error rather than silently ignored, and any given empty (limit= is
// no number, status= no status, and leaving a filter out is how to not filter). An empty
// cursor is the first page, as no cursor is.
func Query(req events.APIGatewayV2HTTPRequest, fields validate.Fields, allowed ...string) map[string]string {
	out := make(map[string]string, len(req.QueryStringParameters))
	for key, value := range req.QueryStringParameters {
		switch {
		case !slices.Contains(allowed, key):
			fields.Add(key, "is not a known query parameter")
			continue
		case value == "" && key != "cursor":
			fields.Add(key, "must not be empty; leave it out instead")
		}
		out[key] = value
	}
	return out
}

// SourceIP returns the address API Gateway saw the request come from.
func SourceIP(req events.APIGatewayV2HTTPRequest) string {
	return req.RequestContext.HTTP.SourceIP
}

// UserAgent returns the caller's User-Agent header, as API Gateway recorded it.
func UserAgent(req events.APIGatewayV2HTTPRequest) string {
	return req.RequestContext.HTTP.UserAgent
}

// BearerToken returns the raw access token of the request, for the few Cognito calls
// that act as the signed-in user rather than as an admin.
func BearerToken(req events.APIGatewayV2HTTPRequest) string {
	value, _ := Header(req, "authorization")
	token, _ := strings.CutPrefix(value, "Bearer ")
	if token == value {
		return ""
	}
	return token
}
