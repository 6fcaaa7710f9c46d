package api

import (
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/identity"
	"github.com/roster-dev/roster/internal/validate"
)

// Cookie sessions keep the console's refresh token out of page scripts' reach: with
// sessionHeader, the routes that answer tokens set it in an HttpOnly, Secure,
// SameSite=Strict cookie on /v1/auth, refresh reads it and logout clears it. The header
// guards against cross-site requests: another site's page cannot send it without a CORS
// preflight, which the API never allows, and an Origin must be the API's own.
const (
	sessionHeader      = "X-Roster-Session"
	sessionCookieMode  = "cookie"
	refreshCookie      = "roster_refresh"
	refreshCookiePath  = "/v1/auth"
	sessionHeaderValue = "must be " + sessionCookieMode
)

var (
	errOtherOrigin = &apperr.Error{Kind: apperr.Forbidden, Code: apperr.CodeForbidden,
		Message: "A cookie session is for pages served from this API's own address; the request comes from another origin."}
	errCookieNeedsHeader = &apperr.Error{Kind: apperr.Forbidden, Code: apperr.CodeForbidden,
		Message: "Refreshing from the session cookie needs the header X-Roster-Session: cookie."}
	errNoSession = &apperr.Error{Kind: apperr.Unauthenticated, Code: apperr.CodeUnauthenticated,
		Message: "The session cookie is missing, invalid, revoked or expired; sign in again."}
)

// cookieSession reads sessionHeader: false without it; true with it set to "cookie"
// and no Origin of another site (errOtherOrigin). Another value is a bad header,
// reported in f.
func cookieSession(f validate.Fields, req events.APIGatewayV2HTTPRequest) (bool, error) {
	v, present := httpapi.Header(req, sessionHeader)
	switch {
	case !present:
		return false, nil
	case v != sessionCookieMode:
		f.Add(sessionHeader, sessionHeaderValue)
		return false, nil
	case !httpapi.SameOrigin(req):
		return false, errOtherOrigin
	}
	return true, nil
}

// tokensAnswer answers a completed sign-in: the tokens as JSON, or in a cookie session
// the same without the refresh token, which goes in the cookie, for as long as the
// token lives.
func tokensAnswer(t *identity.Tokens, cookie bool) httpapi.Response {
	if !cookie {
		return httpapi.JSON(http.StatusOK, t)
	}
	out := *t
	out.RefreshToken = ""
	resp := httpapi.JSON(http.StatusOK, &out)
	if t.RefreshToken != "" {
		resp.Cookies = []string{httpapi.SetCookie(refreshCookie, t.RefreshToken, refreshCookiePath, t.RefreshValidity)}
	}
	return resp
}

// endCookieSession adds to an answer the removal of the session cookie.
func endCookieSession(r httpapi.Response) httpapi.Response {
	r.Cookies = append(r.Cookies, httpapi.ClearCookie(refreshCookie, refreshCookiePath))
	return r
}

// refreshTokenOf is the refresh token a refresh request presents: the body's, or in a
// cookie session whose body has none, the cookie's. A refresh without the header whose
// body has none while the cookie is there is refused: it is the shape of a request
// another site's page could make.
func refreshTokenOf(f validate.Fields, req events.APIGatewayV2HTTPRequest, body string, cookie bool) (string, error) {
	value, hasCookie := httpapi.Cookie(req, refreshCookie)
	switch {
	case body != "":
		bounded(f, "refreshToken", body, maxRefreshTokenLen)
		return body, nil
	case cookie && !f.Empty():
		return "", nil // the body's own fault is the answer
	case cookie:
		if value == "" || len(value) > maxRefreshTokenLen {
			return "", errNoSession
		}
		return value, nil
	case hasCookie && f.Empty():
		return "", errCookieNeedsHeader
	}
	bounded(f, "refreshToken", body, maxRefreshTokenLen)
	return body, nil
}
