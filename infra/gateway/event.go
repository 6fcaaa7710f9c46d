package gateway

import (
	"encoding/base64"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// apiRequest is what the HTTP API knows about a request once it has been
// routed and authorized.
type apiRequest struct {
	r          *http.Request
	body       []byte
	route      *route
	params     map[string]string
	requestID  string
	traceID    string
	received   time.Time
	authorizer *events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription
}

// event builds the payload format 2.0 event API Gateway sends to Lambda.
func (g *Gateway) event(req apiRequest) events.APIGatewayV2HTTPRequest {
	r := req.r
	sourceIP := peerIP(r.RemoteAddr)
	headers, cookies := eventHeaders(r, sourceIP, req.traceID, len(req.body))
	body, isBase64 := eventBody(req.body, r.Header.Get("Content-Type"))

	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              req.route.key,
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: queryParameters(r.URL.RawQuery),
		PathParameters:        req.params,
		Body:                  body,
		IsBase64Encoded:       isBase64,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     req.route.key,
			AccountID:    g.cfg.AccountID,
			Stage:        "$default",
			RequestID:    req.requestID,
			APIID:        g.cfg.APIID,
			DomainName:   r.Host,
			DomainPrefix: domainPrefix(r.Host),
			Time:         req.received.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    req.received.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if req.authorizer != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: req.authorizer}
	}
	return ev
}

// eventHeaders lower-cases names and joins repeated values with ",", as
// payload 2.0 has no multi-value headers. Cookie headers move to the cookies
// list. Like API Gateway, it adds the forwarding and trace headers; the
// client's own X-Forwarded-For is kept, with the real peer appended.
func eventHeaders(r *http.Request, sourceIP, traceID string, bodyLen int) (map[string]string, []string) {
	headers := make(map[string]string, len(r.Header)+5)
	var cookies []string
	for name, values := range r.Header {
		lower := strings.ToLower(name)
		if lower == "cookie" {
			for _, v := range values {
				for c := range strings.SplitSeq(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		if prev, ok := headers[lower]; ok {
			values = append([]string{prev}, values...)
		}
		headers[lower] = strings.Join(values, ",")
	}
	// net/http moves Host out of the header map.
	headers["host"] = r.Host
	if bodyLen > 0 {
		headers["content-length"] = strconv.Itoa(bodyLen)
	}
	if xff := headers["x-forwarded-for"]; xff != "" {
		headers["x-forwarded-for"] = xff + ", " + sourceIP
	} else {
		headers["x-forwarded-for"] = sourceIP
	}
	headers["x-forwarded-proto"] = "http"
	if r.TLS != nil {
		headers["x-forwarded-proto"] = "https"
	}
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(addr.String()); err == nil {
			headers["x-forwarded-port"] = port
		}
	}
	headers["x-amzn-trace-id"] = traceRoot(traceID)
	return headers, cookies
}

// queryParameters decodes the query string, joining repeated keys with ",".
func queryParameters(raw string) map[string]string {
	if raw == "" {
		return nil
	}
	// ParseQuery keeps every well-formed pair even when it reports an error.
	values, _ := url.ParseQuery(raw)
	if len(values) == 0 {
		return nil
	}
	out := make(map[string]string, len(values))
	for k, v := range values {
		out[k] = strings.Join(v, ",")
	}
	return out
}

// eventBody passes text bodies as they are and base64-encodes everything
// else, the way the HTTP API decides isBase64Encoded.
func eventBody(body []byte, contentType string) (string, bool) {
	if len(body) == 0 {
		return "", false
	}
	if isTextContentType(contentType) && utf8.Valid(body) {
		return string(body), false
	}
	return base64.StdEncoding.EncodeToString(body), true
}

func isTextContentType(contentType string) bool {
	if contentType == "" {
		return true
	}
	media, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	if strings.HasPrefix(media, "text/") || strings.HasSuffix(media, "+json") || strings.HasSuffix(media, "+xml") {
		return true
	}
	switch media {
	case "application/json", "application/javascript", "application/xml", "application/graphql", "application/x-yaml", "application/yaml":
		return true
	}
	// Notably application/x-www-form-urlencoded and multipart/* arrive
	// base64-encoded in a real HTTP API too.
	return false
}

// peerIP is the TCP peer's address. Forwarding headers are deliberately
// ignored: API Gateway's sourceIp cannot be spoofed by the client.
func peerIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

func domainPrefix(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if prefix, _, ok := strings.Cut(host, "."); ok && net.ParseIP(host) == nil {
		return prefix
	}
	return host
}
