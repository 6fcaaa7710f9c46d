// Package console serves Roster's web console: the single-page app that functions/console
// embeds, on the HTTP API's $default route (every path outside /v1).
//
// Hashed assets under /assets/ are immutable; every other path is a page of the app and
// answers index.html, revalidated on each load so a deploy takes effect at once. Every
// answer carries the security headers below: invitation tokens travel in page URLs, so no
// referrer leaves, and no script runs but the app's own files.
package console

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
)

// CSP is the console's Content-Security-Policy: its own files only, no inline script or
// style, no framing, no <base> or plugin tricks, forms and fetches to its own origin.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; " +
	"base-uri 'none'; form-action 'self'"

const (
	immutable   = "public, max-age=31536000, immutable"
	revalidate  = "no-cache"
	assetsDir   = "assets/"
	indexFile   = "index.html"
	minGzipSize = 1024 // below this gzip saves less than its own header costs the client
)

// ErrNotBuilt is what a binary built without the app says, instead of a blank page.
var ErrNotBuilt = errors.New("the console was not built into this binary: run make build")

// Site serves one built app. Files are read, hashed and compressed once per instance, on
// first use: a cold start pays only for what its first request needs.
type Site struct {
	files fs.FS
	cache sync.Map // name -> *file
}

type file struct {
	body, gzipped []byte
	etag, ctype   string
}

// New returns a Site serving files; a nil files (a binary built without the app) answers
// 503 to every request, saying so.
func New(files fs.FS) *Site { return &Site{files: files} }

// Serve answers one request of the $default route.
func (s *Site) Serve(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	method := req.RequestContext.HTTP.Method
	if method != http.MethodGet && method != http.MethodHead {
		return text(http.StatusMethodNotAllowed, "The console takes GET and HEAD only.", "Allow", "GET, HEAD"), nil
	}
	if s.files == nil {
		return text(http.StatusServiceUnavailable, ErrNotBuilt.Error()), nil
	}
	name, cache := route(req.RawPath)
	f, err := s.load(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return text(http.StatusNotFound, "There is no such file."), nil
	case err != nil:
		return events.APIGatewayV2HTTPResponse{}, err
	}
	headers := securityHeaders(req)
	headers["Content-Type"] = f.ctype
	headers["Cache-Control"] = cache
	headers["ETag"] = f.etag
	headers["Vary"] = "Accept-Encoding"
	if etagMatches(req.Headers["if-none-match"], f.etag) {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNotModified, Headers: headers}, nil
	}
	body := f.body
	if f.gzipped != nil && acceptsGzip(req.Headers["accept-encoding"]) {
		body = f.gzipped
		headers["Content-Encoding"] = "gzip"
	}
	if method == http.MethodHead {
		body = nil
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode:      http.StatusOK,
		Headers:         headers,
		Body:            base64.StdEncoding.EncodeToString(body),
		IsBase64Encoded: true,
	}, nil
}

// route maps a request path to the file that answers it and that file's caching: an
// asset is itself (and missing assets are 404, never the page, which a browser would
// cache as script); any other path is a page of the app.
func route(rawPath string) (name, cache string) {
	clean := strings.TrimPrefix(path.Clean("/"+rawPath), "/")
	if strings.HasPrefix(clean, assetsDir) {
		return clean, immutable
	}
	return indexFile, revalidate
}

func (s *Site) load(name string) (*file, error) {
	if f, ok := s.cache.Load(name); ok {
		return f.(*file), nil
	}
	body, err := fs.ReadFile(s.files, name)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	f := &file{body: body, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`, ctype: contentType(name)}
	if len(body) >= minGzipSize && compressible(f.ctype) {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		f.gzipped = buf.Bytes()
	}
	actual, _ := s.cache.LoadOrStore(name, f)
	return actual.(*file), nil
}

func contentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "svg")
}

// securityHeaders are on every answer, errors included.
func securityHeaders(req events.APIGatewayV2HTTPRequest) map[string]string {
	h := map[string]string{
		"Content-Security-Policy":      CSP,
		"X-Content-Type-Options":       "nosniff",
		"Referrer-Policy":              "no-referrer",
		"X-Frame-Options":              "DENY",
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
		"Permissions-Policy":           "camera=(), microphone=(), geolocation=(), payment=()",
	}
	if req.Headers["x-forwarded-proto"] == "https" {
		h["Strict-Transport-Security"] = "max-age=31536000"
	}
	return h
}

func text(status int, msg string, kv ...string) events.APIGatewayV2HTTPResponse {
	h := securityHeaders(events.APIGatewayV2HTTPRequest{})
	h["Content-Type"] = "text/plain; charset=utf-8"
	h["Cache-Control"] = "no-store"
	for i := 0; i+1 < len(kv); i += 2 {
		h[kv[i]] = kv[i+1]
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: h, Body: msg + "\n"}
}

// acceptsGzip reports whether an Accept-Encoding header takes gzip (not refused with q=0).
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.TrimSpace(coding) != "*" {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// etagMatches reports whether an If-None-Match header names etag (or is *).
func etagMatches(header, etag string) bool {
	for part := range strings.SplitSeq(header, ",") {
		p := strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if p == etag || p == "*" {
			return true
		}
	}
	return false
}
