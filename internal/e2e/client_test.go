package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The stack these tests run against is started by `make test` (infra/cmd/stack run),
// which exports where each part listens.
var (
	apiURL        = os.Getenv("ROSTER_API_URL")
	mailJSONURL   = os.Getenv("ROSTER_MAIL_JSON_URL")
	adminLogin    = os.Getenv("ROSTER_ADMIN_LOGIN")
	adminPassword = os.Getenv("ROSTER_ADMIN_PASSWORD")
)

// Every test here calls the running stack: under -short (make unit) none runs.
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e: every test needs the local stack; skipped under -short")
		os.Exit(0)
	}
	if apiURL == "" {
		fmt.Fprintln(os.Stderr, "e2e: ROSTER_API_URL is not set; run these tests through `make test`, which starts the local stack")
		os.Exit(1)
	}
	os.Exit(m.Run())
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

// response is an answer of the API, decoded loosely so tests can look at any field.
type response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

func (r response) str(path ...string) string {
	v, _ := r.get(path...).(string)
	return v
}

func (r response) get(path ...string) any {
	var v any = r.Body
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func (r response) items() []map[string]any {
	raw, _ := r.Body["items"].([]any)
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i], _ = v.(map[string]any)
	}
	return out
}

// call sends a request; body may be a string (sent as is), nil, or a value to marshal.
func call(t *testing.T, token, method, path string, body any) response {
	t.Helper()
	return callWith(t, httpClient, token, method, path, body)
}

// callFrom is call made from a loopback address of the test's own (see newIP), which
// the gateway reports as the source IP.
func callFrom(t *testing.T, ip, token, method, path string, body any) response {
	t.Helper()
	return callWith(t, clientFrom(ip), token, method, path, body)
}

var clientsByIP sync.Map

// clientFrom answers a client whose requests come from ip, one per address.
func clientFrom(ip string) *http.Client {
	if c, ok := clientsByIP.Load(ip); ok {
		return c.(*http.Client)
	}
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	c, _ := clientsByIP.LoadOrStore(ip, &http.Client{
		Timeout:   httpClient.Timeout,
		Transport: &http.Transport{DialContext: dialer.DialContext},
	})
	return c.(*http.Client)
}

// Per-IP rate limits would let one test's requests refuse another's, since every
// test talks to the gateway from loopback. Linux routes all of 127.0.0.0/8 to the
// loopback interface, so each test can have a source address of its own.
var lastSourceIP atomic.Uint32

// newIP answers a loopback address no other test uses.
func newIP() string {
	n := lastSourceIP.Add(1)
	return net.IPv4(127, 10+byte(n>>16), byte(n>>8), byte(n)).String()
}

// callWith is call through a given client (one with its own source address, say).
func callWith(t *testing.T, client *http.Client, token, method, path string, body any) response {
	t.Helper()
	return send(t, client, token, method, path, nil, body)
}

// send is callWith with headers of the test's choosing (a cookie, an Origin).
func send(t *testing.T, client *http.Client, token, method, path string, headers map[string]string, body any) response {
	t.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, apiURL+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "roster-e2e")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := response{Status: resp.StatusCode, Header: resp.Header, Raw: string(data)}
	if len(data) > 0 {
		_ = json.Unmarshal(data, &out.Body)
	}
	return out
}

// expect fails the test unless r has the status (and, for errors, the code).
func expect(t *testing.T, r response, status int, code string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Raw)
	}
	if code != "" && r.str("error", "code") != code {
		t.Fatalf("error code = %q, want %q; body %s", r.str("error", "code"), code, r.Raw)
	}
	if status >= 400 && r.str("error", "requestId") == "" && r.Body["message"] == nil {
		t.Fatalf("error without request id: %s", r.Raw)
	}
}

// unique returns a fresh name for test data, so tests can run in parallel on one stack.
func unique(prefix string) string {
	return prefix + strings.ToLower(rand.Text()[:10])
}

// login signs in and expects tokens.
func login(t *testing.T, account, password string) (access, id, refresh string) {
	t.Helper()
	r := call(t, "", "POST", "/v1/auth/login", map[string]string{"loginAccount": account, "password": password})
	expect(t, r, http.StatusOK, "")
	if r.str("accessToken") == "" {
		t.Fatalf("login answered no tokens: %s", r.Raw)
	}
	return r.str("accessToken"), r.str("idToken"), r.str("refreshToken")
}

var adminSession struct {
	sync.Mutex
	token string
}

// superAdmin answers an access token of the bootstrapped super admin, signing in once.
func superAdmin(t *testing.T) string {
	t.Helper()
	adminSession.Lock()
	defer adminSession.Unlock()
	if adminSession.token == "" {
		adminSession.token, _, _ = login(t, adminLogin, adminPassword)
	}
	return adminSession.token
}

// newUser creates a user as the given admin and signs it in for the first time,
// choosing a new password; it answers the user's id and access token.
func newUser(t *testing.T, adminTok, accountType string) (id, login, token string) {
	t.Helper()
	login = unique("u")
	r := call(t, adminTok, "POST", "/v1/users", map[string]any{
		"username": "User_" + login, "loginAccount": login, "accountType": accountType,
		"password": map[string]any{"generate": true},
	})
	expect(t, r, http.StatusCreated, "")
	id = r.str("user", "id")
	token = firstLogin(t, login, r.str("temporaryPassword"), "a fresh passphrase of my own")
	return id, login, token
}

// firstLogin signs in with a temporary password, answers NEW_PASSWORD_REQUIRED and
// returns the access token.
func firstLogin(t *testing.T, login, temporary, chosen string) string {
	t.Helper()
	r := call(t, "", "POST", "/v1/auth/login", map[string]string{"loginAccount": login, "password": temporary})
	expect(t, r, http.StatusOK, "")
	if r.str("challenge") != "NEW_PASSWORD_REQUIRED" || r.str("session") == "" {
		t.Fatalf("first login answered %s, want NEW_PASSWORD_REQUIRED", r.Raw)
	}
	r = call(t, "", "POST", "/v1/auth/challenge", map[string]string{
		"loginAccount": login, "session": r.str("session"), "challenge": "NEW_PASSWORD_REQUIRED", "newPassword": chosen,
	})
	expect(t, r, http.StatusOK, "")
	if r.str("accessToken") == "" {
		t.Fatalf("challenge answered no tokens: %s", r.Raw)
	}
	return r.str("accessToken")
}

// mail is one email the SES emulator received.
type mail struct {
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	Text    string   `json:"text"`
	HTML    string   `json:"html"`
}

// mailTo waits for the newest email to addr.
// settle waits as long as a mail takes to be sent after the request that queued it (the
// stream's poll, the mailer's send, with room to spare), before a test says none came.
func settle() { time.Sleep(2 * time.Second) }

func mailTo(t *testing.T, addr string) mail {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := httpClient.Get(mailJSONURL)
		if err != nil {
			t.Fatal(err)
		}
		var all []mail
		err = json.NewDecoder(resp.Body).Decode(&all)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for i := len(all) - 1; i >= 0; i-- {
			for _, to := range all[i].To {
				if strings.EqualFold(to, addr) {
					return all[i]
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no email to %s", addr)
	return mail{}
}
