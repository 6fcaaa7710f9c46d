package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/locale"
)

// Origin returns the scheme and host the request came in on, for links back to Roster
// when no console URL is configured. The host is the request context's domain name,
// which API Gateway sets from the domain reached, never from a header the client chose;
// one that is no plain host[:port] gives "", so that no link built on it goes elsewhere.
func Origin(req events.APIGatewayV2HTTPRequest) string {
	host := strings.ToLower(req.RequestContext.DomainName)
	if !plainHost(host) {
		return ""
	}
	scheme := "https"
	if proto, _ := Header(req, "x-forwarded-proto"); strings.EqualFold(strings.TrimSpace(proto), "http") {
		scheme = "http"
	}
	return scheme + "://" + host
}

// plainHost reports whether h is a host name or address with an optional port: no
// user info, path, query or anything else a URL could carry.
func plainHost(h string) bool {
	if h == "" || len(h) > 260 {
		return false
	}
	for _, r := range h {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9', r == '.', r == '-', r == ':', r == '[', r == ']':
		default:
			return false
		}
	}
	return h[0] != ':' && h[0] != '.'
}

// SameOrigin reports whether the request's Origin header, when it has one, is the
// address it came in on (Origin). Browsers send Origin with every cross-site request
// and every POST, so a request a page of another site made says so here.
func SameOrigin(req events.APIGatewayV2HTTPRequest) bool {
	origin, present := Header(req, "origin")
	if !present {
		return true
	}
	own := Origin(req)
	return own != "" && strings.EqualFold(strings.TrimSpace(origin), own)
}

// Locale is the language the request asks for in Accept-Language, of those Roster
// speaks (locale.Default when it names none of them).
func Locale(req events.APIGatewayV2HTTPRequest) locale.Locale {
	v, _ := Header(req, "accept-language")
	return locale.FromAcceptLanguage(v)
}

// Cookie is the value of the request's cookie of that name (the first, if the client
// sent several), as API Gateway's payload 2.0 passes them: one "name=value" a cookie.
func Cookie(req events.APIGatewayV2HTTPRequest, name string) (string, bool) {
	for _, c := range req.Cookies {
		k, v, ok := strings.Cut(strings.TrimSpace(c), "=")
		if ok && k == name {
			return strings.Trim(v, `"`), true
		}
	}
	return "", false
}

// SetCookie writes a Set-Cookie value: HttpOnly, Secure and SameSite=Strict, as every
// cookie Roster sets is one no page script may read and no other site may send. It
// lives maxAge, rounded down to the second; a maxAge under a second makes it a
// cookie of the browser's session (no Max-Age).
func SetCookie(name, value, path string, maxAge time.Duration) string {
	c := http.Cookie{Name: name, Value: value, Path: path, MaxAge: int(maxAge / time.Second), HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode}
	return c.String()
}

// ClearCookie writes the Set-Cookie value that removes the cookie SetCookie set.
func ClearCookie(name, path string) string {
	c := http.Cookie{Name: name, Path: path, MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode}
	return c.String() // net/http writes MaxAge -1 as Max-Age=0
}
