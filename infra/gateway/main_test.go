package gateway

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// echoBinary is testdata/echo built the way Roster builds its functions.
var echoBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gateway-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	echoBinary = filepath.Join(dir, "echo", "bootstrap")
	build := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", echoBinary, "./testdata/echo")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build testdata/echo:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	testIssuer   = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test"
	testClientID = "client-123"
)

// echoRoutes is the HTTP API most tests use.
var echoRoutes = []Route{
	{Method: "GET", Path: "/v1/users/{id}", Public: true},
	{Method: "POST", Path: "/v1/users/{id}", Public: true},
	{Method: "GET", Path: "/v1/users/me", Public: true},
	{Method: "ANY", Path: "/files/{proxy+}", Public: true},
	{Method: "GET", Path: "/v1/me"},
	{Method: "GET", Path: "/v1/admin", Scopes: []string{"roster/admin"}},
}

type testGateway struct {
	*Gateway
	URL  string
	logs *logSink
	jwks *testJWKS
}

// newTestGateway serves an "Echo" function with echoRoutes and an
// invoke-only "Worker", both the echo binary; edit adjusts the config.
func newTestGateway(t testing.TB, edit func(*Config)) *testGateway {
	t.Helper()
	jwks := newTestJWKS(t, testKey("key-1"))
	logs := &logSink{}
	cfg := Config{
		Functions: []Function{
			{Name: "Echo", Binary: echoBinary, Routes: echoRoutes, Env: map[string]string{"TABLE_NAME": "roster"}},
			{Name: "Worker", Binary: echoBinary, Env: map[string]string{"TABLE_NAME": "roster"}},
		},
		JWT:           JWTConfig{Issuer: testIssuer, Audience: []string{testClientID}, JWKSURL: jwks.URL},
		Logger:        slog.New(logs),
		ShutdownGrace: 500 * time.Millisecond,
	}
	if edit != nil {
		edit(&cfg)
	}
	g, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(func() {
		srv.Close()
		if err := g.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &testGateway{Gateway: g, URL: srv.URL, logs: logs, jwks: jwks}
}

func (tg *testGateway) stats(t *testing.T, function string) FunctionStats {
	t.Helper()
	s, ok := tg.Stats(function)
	if !ok {
		t.Fatalf("no stats for %s", function)
	}
	return s
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode body %q: %v", r.body, err)
	}
}

// echoReply decodes a response of the echo function (default shape).
func (r response) echo(t *testing.T) echoReply {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, body %s", r.status, r.body)
	}
	var rep echoReply
	r.json(t, &rep)
	return rep
}

func do(t *testing.T, method, url string, body []byte, header http.Header) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

func get(t *testing.T, url string) response { return do(t, http.MethodGet, url, nil, nil) }

// echoReply mirrors testdata/echo's reply.
type echoReply struct {
	PID         int             `json:"pid"`
	Child       int             `json:"child"`
	RequestID   string          `json:"requestId"`
	FunctionARN string          `json:"functionArn"`
	DeadlineMs  int64           `json:"deadlineMs"`
	TraceID     string          `json:"traceId"`
	Env         []string        `json:"env"`
	Event       json.RawMessage `json:"event"`
}

// testKey returns one RSA key per name, generated once for the whole run.
var testKey = func() func(kid string) *testSigningKey {
	var mu sync.Mutex
	keys := map[string]*testSigningKey{}
	return func(kid string) *testSigningKey {
		mu.Lock()
		defer mu.Unlock()
		if k, ok := keys[kid]; ok {
			return k
		}
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keys[kid] = &testSigningKey{kid: kid, priv: priv}
		return keys[kid]
	}
}()

type testSigningKey struct {
	kid  string
	priv *rsa.PrivateKey
}

// sign makes an RS256 JWT the way Cognito does.
func (k *testSigningKey) sign(t *testing.T, claims map[string]any) string {
	t.Helper()
	return k.signWith(t, map[string]any{"alg": "RS256", "kid": k.kid}, claims)
}

func (k *testSigningKey) signWith(t *testing.T, header, claims map[string]any) string {
	t.Helper()
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.priv, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + enc.EncodeToString(sig)
}

func (k *testSigningKey) jwk() map[string]string {
	enc := base64.RawURLEncoding
	return map[string]string{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": k.kid,
		"n": enc.EncodeToString(k.priv.N.Bytes()),
		"e": enc.EncodeToString(big.NewInt(int64(k.priv.E)).Bytes()),
	}
}

// testJWKS serves a JWKS whose keys a test can rotate, counting fetches.
type testJWKS struct {
	URL     string
	keys    atomic.Pointer[[]*testSigningKey]
	fetches atomic.Int32
}

func newTestJWKS(t testing.TB, keys ...*testSigningKey) *testJWKS {
	j := &testJWKS{}
	j.set(keys...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j.fetches.Add(1)
		var doc struct {
			Keys []map[string]string `json:"keys"`
		}
		for _, k := range *j.keys.Load() {
			doc.Keys = append(doc.Keys, k.jwk())
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(srv.Close)
	j.URL = srv.URL + "/us-east-1_test/.well-known/jwks.json"
	return j
}

func (j *testJWKS) set(keys ...*testSigningKey) { j.keys.Store(&keys) }

// accessClaims are the claims of a Cognito access token, valid for an hour.
func accessClaims() map[string]any {
	now := time.Now().Unix()
	return map[string]any{
		"sub": "user-1", "iss": testIssuer, "client_id": testClientID, "token_use": "access",
		"scope": "aws.cognito.signin.user.admin", "auth_time": now, "iat": now, "exp": now + 3600,
		"username": "ada", "cognito:groups": []string{"admin", "users"},
	}
}

// logSink records log lines (message and attributes) so tests can look
// for function output.
type logSink struct {
	mu   sync.Mutex
	msgs []string
}

func (s *logSink) Enabled(context.Context, slog.Level) bool { return true }
func (s *logSink) WithAttrs([]slog.Attr) slog.Handler       { return s }
func (s *logSink) WithGroup(string) slog.Handler            { return s }

func (s *logSink) Handle(_ context.Context, r slog.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	s.msgs = append(s.msgs, b.String())
	return nil
}

func (s *logSink) has(substr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.msgs {
		if strings.Contains(m, substr) {
			return true
		}
	}
	return false
}

// processAlive reports whether pid is a running (not zombie) process.
func processAlive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	_, after, ok := bytes.Cut(stat, []byte(") "))
	return ok && len(after) > 0 && after[0] != 'Z' && after[0] != 'X'
}

// eventually polls cond for up to d.
func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}
