package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The API as the tests speak it: a Client per caller, one method per route taking and
// answering the API's types (internal/openapi/openapi.json), and Send for the requests a
// test makes malformed on purpose. Answers are decoded strictly: a field the types do not
// know, a required one missing, or a null where the API promises a value fails the test.

// Client calls the API as one caller: its access token ("" for none), the loopback address
// its requests come from, and the headers it adds to each (a session mode, If-Match).
type Client struct {
	Token   string
	http    *http.Client // nil for the tests' shared address
	headers map[string]string
}

// as returns a client calling with token from the tests' shared address.
func as(token string) Client { return Client{Token: token} }

// fromNewIP returns a client without a token whose requests come from a loopback address
// no other test uses, as API Gateway would see a distinct person.
func fromNewIP() Client { return Client{}.from(newIP()) }

// from returns c calling from ip (see newIP), which the gateway reports as the source IP.
func (c Client) from(ip string) Client {
	c.http = clientFrom(ip)
	return c
}

// withToken returns c calling with another access token, from the same address.
func (c Client) withToken(token string) Client {
	c.Token = token
	return c
}

// with returns c adding headers, given as name and value pairs, to every request.
func (c Client) with(pairs ...string) Client {
	headers := maps.Clone(c.headers)
	if headers == nil {
		headers = map[string]string{}
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		headers[pairs[i]] = pairs[i+1]
	}
	c.headers = headers
	return c
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

var clientsByIP sync.Map

// clientFrom returns an HTTP client whose requests come from ip, one per address.
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

// newIP returns a loopback address no other test uses.
func newIP() string {
	n := lastSourceIP.Add(1)
	return net.IPv4(127, 10+byte(n>>16), byte(n>>8), byte(n)).String()
}

// Reply is what every answer holds whatever its route: the status, the headers, the body
// as sent, and Roster's error (or API Gateway's message) when the call failed.
type Reply struct {
	Status  int
	Header  http.Header
	Raw     string
	Error   APIError
	Gateway *string // API Gateway's own answer's message (no route, throttled, no valid token)
}

func (r Reply) reply() Reply { return r }

// replied is any answer, for the checks that read no body.
type replied interface{ reply() Reply }

// Answer is a route's answer: Body is its 2xx body.
type Answer[T any] struct {
	Reply
	Body T
}

// APIError is Roster's error body's `error`.
type APIError struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	RequestID string            `json:"requestId"`
	Fields    map[string]string `json:"fields,omitempty"`
}

// failure is an error answer: Roster's, or API Gateway's own.
type failure struct {
	Error   *APIError `json:"error,omitempty"`
	Message *string   `json:"message,omitempty"`
}

// None is the body of an answer that has none (204).
type None struct{}

// Send sends any request, malformed on purpose or not: body may be a string (sent as
// is), nil (no body), or a value to marshal. A 2xx body is left as it came (Raw).
func (c Client) Send(t *testing.T, method, path string, body any) Answer[json.RawMessage] {
	t.Helper()
	return send[json.RawMessage](t, c, method, path, body)
}

// send sends a request and decodes its answer: a 2xx body as T, an error as a failure.
func send[T any](t *testing.T, c Client, method, path string, body any) Answer[T] {
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
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	client := c.http
	if client == nil {
		client = httpClient
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
	a := Answer[T]{Reply: Reply{Status: resp.StatusCode, Header: resp.Header, Raw: string(data)}}
	switch {
	case len(data) == 0:
	case resp.StatusCode < 300:
		if err := decodeStrict(data, &a.Body); err != nil {
			t.Fatalf("%s %s answered %d that is not a %T: %v\n%s", method, path, resp.StatusCode, a.Body, err, data)
		}
	default:
		var f failure
		if err := decodeStrict(data, &f); err != nil || (f.Error == nil) == (f.Message == nil) {
			t.Fatalf("%s %s answered %d that is neither Roster's error nor API Gateway's (%v):\n%s", method, path, resp.StatusCode, err, data)
		}
		if f.Error != nil {
			a.Error = *f.Error
		}
		a.Gateway = f.Message
	}
	return a
}

// browse fetches path from the stack's origin as a browser would, with headers given as
// name and value pairs: the console's pages and assets, which are not the API.
func browse(t *testing.T, method, path string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, apiURL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// decodeStrict decodes data into v as the API's schema has it: no field v's type does not
// know, every field without omitempty present, and null only for pointers and any.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	var tree any
	if err := json.Unmarshal(data, &tree); err != nil {
		return err
	}
	return shaped(reflect.TypeOf(v).Elem(), tree, "")
}

// shaped checks the presence and nulls decodeStrict promises, of value as type t.
func shaped(t reflect.Type, value any, at string) error {
	if t == reflect.TypeFor[json.RawMessage]() {
		return nil // any JSON
	}
	if value == nil {
		if t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface {
			return nil
		}
		return fmt.Errorf("%s is null", at)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return shaped(t.Elem(), value, at)
	case reflect.Slice:
		if list, ok := value.([]any); ok {
			for i, item := range list {
				if err := shaped(t.Elem(), item, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	case reflect.Map:
		for k, item := range value.(map[string]any) {
			if err := shaped(t.Elem(), item, at+"."+k); err != nil {
				return err
			}
		}
	case reflect.Struct:
		object, _ := value.(map[string]any)
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				if err := shaped(f.Type, value, at); err != nil {
					return err
				}
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			item, present := object[name]
			switch {
			case !present && opts != "omitempty":
				return fmt.Errorf("%s.%s is missing", at, name)
			case present && item == nil && opts == "omitempty":
				return fmt.Errorf("%s.%s is null", at, name)
			case present:
				if err := shaped(f.Type, item, at+"."+name); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// expect fails the test unless a has the status (and, for errors, the code). Every error
// of Roster's carries a request id.
func expect(t *testing.T, a replied, status int, code string) {
	t.Helper()
	r := a.reply()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Raw)
	}
	if code != "" && r.Error.Code != code {
		t.Fatalf("error code = %q, want %q; body %s", r.Error.Code, code, r.Raw)
	}
	if status >= 400 && r.Error.RequestID == "" && r.Gateway == nil {
		t.Fatalf("error without request id: %s", r.Raw)
	}
}

// ok expects a to have the status and returns its body.
func ok[T any](t *testing.T, a Answer[T], status int) T {
	t.Helper()
	expect(t, a, status, "")
	return a.Body
}

// expectFields fails the test unless a is a 400 naming exactly these fields.
func expectFields(t *testing.T, a replied, fields ...string) {
	t.Helper()
	expect(t, a, http.StatusBadRequest, "invalid_request")
	r := a.reply()
	if m := missing(a, fields...); len(m) > 0 {
		t.Errorf("fields %q not named: %s", m, r.Raw)
	}
	if len(r.Error.Fields) != len(fields) {
		t.Errorf("fields = %v, want exactly %v", r.Error.Fields, fields)
	}
}

// missing returns those of fields a's error does not name.
func missing(a replied, fields ...string) []string {
	var out []string
	for _, f := range fields {
		if _, ok := a.reply().Error.Fields[f]; !ok {
			out = append(out, f)
		}
	}
	return out
}

// named reports whether a's error names each of fields.
func named(a replied, fields ...string) bool { return len(missing(a, fields...)) == 0 }

// Page is one page of a list.
type Page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"nextCursor"` // null on the last page
}

// all walks a list to its end, limit items a page, each page holding no more than limit.
func all[T any](t *testing.T, list func(*testing.T, url.Values) Answer[Page[T]], query url.Values, limit int) []T {
	t.Helper()
	q := maps.Clone(query) // the caller's values are reused across limits
	if q == nil {
		q = url.Values{}
	}
	q.Set("limit", strconv.Itoa(limit))
	var out []T
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		page := ok(t, list(t, q), http.StatusOK)
		if len(page.Items) > limit {
			t.Fatalf("page of %d items, limit %d", len(page.Items), limit)
		}
		out = append(out, page.Items...)
		if page.NextCursor == nil {
			return out
		}
		q.Set("cursor", *page.NextCursor)
	}
}

// pick returns f of each item, in order.
func pick[T, V any](items []T, f func(T) V) []V {
	out := make([]V, len(items))
	for i, item := range items {
		out[i] = f(item)
	}
	return out
}

// deref returns what p points to, or the zero value for nil.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// withQuery returns path with q, if any.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// The API's types, as openapi.json has them.

// User is a user as every answer but a list's shows it.
type User struct {
	ListedUser
	Locale string `json:"locale"`
}

// ListedUser is a user as lists show it: without its locale.
type ListedUser struct {
	ID            string  `json:"id"`
	Username      string  `json:"username"`
	LoginAccount  string  `json:"loginAccount"`
	Email         *string `json:"email"`
	EmailVerified bool    `json:"emailVerified"`
	Mobile        *string `json:"mobile"`
	AccountType   string  `json:"accountType"`
	Status        string  `json:"status"`
	MFAEnabled    bool    `json:"mfaEnabled"`
	CreatedAt     string  `json:"createdAt"`
	CreatedBy     *string `json:"createdBy"`
	LastLoginAt   *string `json:"lastLoginAt"`
}

type UserSummary struct {
	ID           string  `json:"id"`
	Username     string  `json:"username"`
	LoginAccount string  `json:"loginAccount"`
	Email        *string `json:"email"`
	AccountType  string  `json:"accountType"`
	Status       string  `json:"status"`
}

type Me struct {
	User  User     `json:"user"`
	Teams []MyTeam `json:"teams"`
}

type MyTeam struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Roles       []string `json:"roles"`       // names
	Permissions []string `json:"permissions"` // "*" for owners
}

type UserDetail struct {
	User        User             `json:"user"`
	Memberships []UserMembership `json:"memberships"`
}

type UserMembership struct {
	TeamID   string   `json:"teamId"`
	TeamName string   `json:"teamName"`
	Roles    []string `json:"roles"` // names
	JoinedAt string   `json:"joinedAt"`
}

type CreatedUser struct {
	User              User   `json:"user"`
	TemporaryPassword string `json:"temporaryPassword"`
	Notified          bool   `json:"notified"`
}

type TemporaryPassword struct {
	TemporaryPassword string `json:"temporaryPassword"`
	Notified          bool   `json:"notified"`
}

type Registered struct {
	User       User        `json:"user"`
	Membership *Membership `json:"membership,omitempty"`
}

type Team struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	CreatedAt   string  `json:"createdAt"`
	CreatedBy   *string `json:"createdBy"`
	LoginURL    string  `json:"loginUrl"`
}

type TeamRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type RoleRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type Membership struct {
	Team     TeamRef     `json:"team"`
	User     UserSummary `json:"user"`
	Roles    []RoleRef   `json:"roles"`
	JoinedAt string      `json:"joinedAt"`
}

// AddedMember is a membership, with a new account's password when the member was made.
type AddedMember struct {
	Membership
	TemporaryPassword string `json:"temporaryPassword,omitempty"`
	Notified          bool   `json:"notified,omitempty"`
}

type Role struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
	BuiltIn     bool     `json:"builtIn"`
	CreatedAt   *string  `json:"createdAt"`
}

type Permission struct {
	Key         string `json:"key"`
	Description string `json:"description"`
}

type Invitation struct {
	ID         string   `json:"id"`
	TeamID     string   `json:"teamId"`
	Email      *string  `json:"email"` // null for an open link
	RoleIDs    []string `json:"roleIds"`
	ExpiresAt  string   `json:"expiresAt"`
	Status     string   `json:"status"`
	CreatedAt  string   `json:"createdAt"`
	CreatedBy  string   `json:"createdBy"`
	AcceptedBy *string  `json:"acceptedBy"`
	AcceptedAt *string  `json:"acceptedAt"`
	Emailed    *string  `json:"emailed,omitempty"` // a bound link's email: queued, sent or failed
	Link       *string  `json:"link,omitempty"`    // an open link's, in the answer that made it only
}

type ResentInvitation struct {
	ExpiresAt string  `json:"expiresAt"`
	Emailed   *string `json:"emailed,omitempty"`
	Link      *string `json:"link,omitempty"`
}

type PublicInvitation struct {
	Team      TeamRef   `json:"team"`
	InvitedBy *string   `json:"invitedBy"`
	Email     *string   `json:"email"` // masked
	Roles     []RoleRef `json:"roles"`
	ExpiresAt string    `json:"expiresAt"`
	Status    string    `json:"status"`
}

type InvitationCode struct {
	Code      string   `json:"code"`
	TeamID    string   `json:"teamId"`
	RoleIDs   []string `json:"roleIds"`
	CreatedAt string   `json:"createdAt"`
	CreatedBy string   `json:"createdBy"`
	ExpiresAt string   `json:"expiresAt"`
}

type AuditEvent struct {
	ID         string                 `json:"id"`
	Time       string                 `json:"time"`
	ActorID    string                 `json:"actorId"`
	Action     string                 `json:"action"`
	TargetType string                 `json:"targetType"`
	TargetID   string                 `json:"targetId"`
	TeamID     *string                `json:"teamId"`
	RequestID  *string                `json:"requestId"`
	Changes    map[string]AuditChange `json:"changes"`
}

// AuditChange is a changed field's value before and after (null where there was none).
type AuditChange struct {
	From any `json:"from"`
	To   any `json:"to"`
}

type LoginEvent struct {
	ID        string  `json:"id"`
	Time      string  `json:"time"`
	Outcome   string  `json:"outcome"`
	Challenge *string `json:"challenge"`
	SourceIP  *string `json:"sourceIp"` // null for sign-ins outside the API
	UserAgent *string `json:"userAgent"`
	Via       string  `json:"via"`
}

// SignIn is a sign-in step: tokens, or the challenge to answer next.
type SignIn struct {
	AccessToken  string  `json:"accessToken,omitempty"`
	IDToken      string  `json:"idToken,omitempty"`
	ExpiresIn    *int    `json:"expiresIn,omitempty"`
	RefreshToken *string `json:"refreshToken,omitempty"` // left out in a cookie session
	Challenge    string  `json:"challenge,omitempty"`
	Session      string  `json:"session,omitempty"`
}

type TOTPSecret struct {
	Secret     string `json:"secret"`
	OTPAuthURI string `json:"otpauthUri"`
}

// Accepted is a 202's body: what is on its way.
type Accepted struct {
	Message string `json:"message"`
}

// The requests' bodies.

type NewUser struct {
	Username     string         `json:"username"`
	LoginAccount string         `json:"loginAccount"`
	AccountType  string         `json:"accountType,omitempty"` // none under AddMember's newUser
	Email        string         `json:"email,omitempty"`
	Mobile       string         `json:"mobile,omitempty"`
	Password     PasswordChoice `json:"password"`
	Notify       bool           `json:"notify,omitempty"`
	Locale       string         `json:"locale,omitempty"`
}

// PasswordChoice is a new account's password: generated, or typed by the admin.
type PasswordChoice struct {
	Generate bool   `json:"generate,omitempty"`
	Value    string `json:"value,omitempty"`
}

var generated = PasswordChoice{Generate: true}

// UserUpdate is an admin's edit of a user; Mobile "" removes it.
type UserUpdate struct {
	Username    string  `json:"username,omitempty"`
	Mobile      *string `json:"mobile,omitempty"`
	AccountType string  `json:"accountType,omitempty"`
}

type MeUpdate struct {
	Username string `json:"username,omitempty"`
	Locale   string `json:"locale,omitempty"`
}

type Registration struct {
	Username         string `json:"username"`
	LoginAccount     string `json:"loginAccount"`
	Email            string `json:"email"`
	Password         string `json:"password"`
	ConfirmPassword  string `json:"confirmPassword"`
	VerificationCode string `json:"verificationCode,omitempty"` // none with a bound link
	InvitationCode   string `json:"invitationCode,omitempty"`
	InvitationToken  string `json:"invitationToken,omitempty"`
	Locale           string `json:"locale,omitempty"`
}

type ChallengeAnswer struct {
	LoginAccount string `json:"loginAccount"`
	Session      string `json:"session"`
	Challenge    string `json:"challenge"`
	NewPassword  string `json:"newPassword,omitempty"` // NEW_PASSWORD_REQUIRED
	Code         string `json:"code,omitempty"`        // SOFTWARE_TOKEN_MFA
}

// TeamInput makes or edits a team; OwnerID on creation only.
type TeamInput struct {
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	OwnerID     string `json:"ownerId,omitempty"`
}

type RoleInput struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Permissions []string `json:"permissions"`
}

type RoleUpdate struct {
	Name        string   `json:"name,omitempty"`
	Description string   `json:"description,omitempty"`
	Permissions []string `json:"permissions,omitempty"`
}

// MemberInput adds a user to a team: an existing one (UserID) or a new one (NewUser).
type MemberInput struct {
	UserID  string   `json:"userId,omitempty"`
	NewUser *NewUser `json:"newUser,omitempty"`
	RoleIDs []string `json:"roleIds"`
}

// PasswordReset is an admin's reset of a user's password: Notify emails it.
type PasswordReset struct {
	Notify bool `json:"notify,omitempty"`
}

// InvitationInput makes a link: bound to Email, or open without one.
type InvitationInput struct {
	Email         string   `json:"email,omitempty"`
	RoleIDs       []string `json:"roleIds"`
	ValidForHours int      `json:"validForHours,omitempty"`
}

// The routes.

func (c Client) Login(t *testing.T, account, password string) Answer[SignIn] {
	t.Helper()
	return send[SignIn](t, c, "POST", "/v1/auth/login", map[string]string{"loginAccount": account, "password": password})
}

func (c Client) Challenge(t *testing.T, in ChallengeAnswer) Answer[SignIn] {
	t.Helper()
	return send[SignIn](t, c, "POST", "/v1/auth/challenge", in)
}

// Refresh refreshes refreshToken; with "" the body is {} and a cookie session's cookie
// holds the token.
func (c Client) Refresh(t *testing.T, refreshToken string) Answer[SignIn] {
	t.Helper()
	return send[SignIn](t, c, "POST", "/v1/auth/refresh", struct {
		RefreshToken string `json:"refreshToken,omitempty"`
	}{refreshToken})
}

func (c Client) Logout(t *testing.T) Answer[None] {
	t.Helper()
	return send[None](t, c, "POST", "/v1/auth/logout", nil)
}

func (c Client) ForgotPassword(t *testing.T, account string) Answer[Accepted] {
	t.Helper()
	return send[Accepted](t, c, "POST", "/v1/auth/password/forgot", map[string]string{"loginAccount": account})
}

func (c Client) ResetPassword(t *testing.T, account, code, newPassword string) Answer[None] {
	t.Helper()
	return send[None](t, c, "POST", "/v1/auth/password/reset", map[string]string{
		"loginAccount": account, "code": code, "newPassword": newPassword,
	})
}

func (c Client) SendVerificationCode(t *testing.T, email string) Answer[Accepted] {
	t.Helper()
	return send[Accepted](t, c, "POST", "/v1/auth/verification-codes", map[string]string{"email": email})
}

func (c Client) Register(t *testing.T, in Registration) Answer[Registered] {
	t.Helper()
	return send[Registered](t, c, "POST", "/v1/auth/register", in)
}

func (c Client) GetInvitation(t *testing.T, token string) Answer[PublicInvitation] {
	t.Helper()
	return send[PublicInvitation](t, c, "GET", "/v1/invitations/"+token, nil)
}

func (c Client) AcceptInvitation(t *testing.T, token string) Answer[Membership] {
	t.Helper()
	return send[Membership](t, c, "POST", "/v1/invitations/"+token+"/accept", nil)
}

func (c Client) GetMe(t *testing.T) Answer[Me] {
	t.Helper()
	return send[Me](t, c, "GET", "/v1/me", nil)
}

func (c Client) UpdateMe(t *testing.T, in MeUpdate) Answer[User] {
	t.Helper()
	return send[User](t, c, "PATCH", "/v1/me", in)
}

func (c Client) ChangeEmail(t *testing.T, email string) Answer[Accepted] {
	t.Helper()
	return send[Accepted](t, c, "POST", "/v1/me/email", map[string]string{"email": email})
}

func (c Client) VerifyEmailChange(t *testing.T, email, code string) Answer[User] {
	t.Helper()
	return send[User](t, c, "POST", "/v1/me/email/verify", map[string]string{"email": email, "code": code})
}

func (c Client) MyLoginEvents(t *testing.T, q url.Values) Answer[Page[LoginEvent]] {
	t.Helper()
	return send[Page[LoginEvent]](t, c, "GET", withQuery("/v1/me/login-events", q), nil)
}

func (c Client) StartTOTP(t *testing.T) Answer[TOTPSecret] {
	t.Helper()
	return send[TOTPSecret](t, c, "POST", "/v1/me/mfa/totp", nil)
}

func (c Client) VerifyTOTP(t *testing.T, code string) Answer[None] {
	t.Helper()
	return send[None](t, c, "POST", "/v1/me/mfa/totp/verify", map[string]string{"code": code})
}

func (c Client) UnbindMyMFA(t *testing.T, code string) Answer[None] {
	t.Helper()
	return send[None](t, c, "DELETE", "/v1/me/mfa", map[string]string{"code": code})
}

func (c Client) ChangePassword(t *testing.T, current, next string) Answer[SignIn] {
	t.Helper()
	return send[SignIn](t, c, "POST", "/v1/me/password", map[string]string{"currentPassword": current, "newPassword": next})
}

func (c Client) ListPermissions(t *testing.T) Answer[Page[Permission]] {
	t.Helper()
	return send[Page[Permission]](t, c, "GET", "/v1/permissions", nil)
}

func (c Client) ListRoles(t *testing.T, q url.Values) Answer[Page[Role]] {
	t.Helper()
	return send[Page[Role]](t, c, "GET", withQuery("/v1/roles", q), nil)
}

func (c Client) CreateRole(t *testing.T, in RoleInput) Answer[Role] {
	t.Helper()
	return send[Role](t, c, "POST", "/v1/roles", in)
}

func (c Client) UpdateRole(t *testing.T, id string, in RoleUpdate) Answer[Role] {
	t.Helper()
	return send[Role](t, c, "PATCH", "/v1/roles/"+id, in)
}

func (c Client) DeleteRole(t *testing.T, id string) Answer[None] {
	t.Helper()
	return send[None](t, c, "DELETE", "/v1/roles/"+id, nil)
}

func (c Client) ListTeams(t *testing.T, q url.Values) Answer[Page[Team]] {
	t.Helper()
	return send[Page[Team]](t, c, "GET", withQuery("/v1/teams", q), nil)
}

func (c Client) CreateTeam(t *testing.T, in TeamInput) Answer[Team] {
	t.Helper()
	return send[Team](t, c, "POST", "/v1/teams", in)
}

func (c Client) JoinTeam(t *testing.T, code string) Answer[Membership] {
	t.Helper()
	return send[Membership](t, c, "POST", "/v1/teams/join", map[string]string{"code": code})
}

func (c Client) ListUsers(t *testing.T, q url.Values) Answer[Page[ListedUser]] {
	t.Helper()
	return send[Page[ListedUser]](t, c, "GET", withQuery("/v1/users", q), nil)
}

func (c Client) CreateUser(t *testing.T, in NewUser) Answer[CreatedUser] {
	t.Helper()
	return send[CreatedUser](t, c, "POST", "/v1/users", in)
}

func (c Client) ListAuditEvents(t *testing.T, q url.Values) Answer[Page[AuditEvent]] {
	t.Helper()
	return send[Page[AuditEvent]](t, c, "GET", withQuery("/v1/audit-events", q), nil)
}

// TeamAPI is the routes of one team, as c calls them.
type TeamAPI struct {
	c    Client
	path string
}

// Team returns the routes of team id.
func (c Client) Team(id string) TeamAPI { return TeamAPI{c, "/v1/teams/" + id} }

func (a TeamAPI) Get(t *testing.T) Answer[Team] {
	t.Helper()
	return send[Team](t, a.c, "GET", a.path, nil)
}

func (a TeamAPI) Update(t *testing.T, in TeamInput) Answer[Team] {
	t.Helper()
	return send[Team](t, a.c, "PATCH", a.path, in)
}

func (a TeamAPI) Delete(t *testing.T) Answer[None] {
	t.Helper()
	return send[None](t, a.c, "DELETE", a.path, nil)
}

func (a TeamAPI) ListMembers(t *testing.T, q url.Values) Answer[Page[Membership]] {
	t.Helper()
	return send[Page[Membership]](t, a.c, "GET", withQuery(a.path+"/members", q), nil)
}

func (a TeamAPI) AddMember(t *testing.T, in MemberInput) Answer[AddedMember] {
	t.Helper()
	return send[AddedMember](t, a.c, "POST", a.path+"/members", in)
}

func (a TeamAPI) UpdateMember(t *testing.T, userID string, roleIDs ...string) Answer[Membership] {
	t.Helper()
	return send[Membership](t, a.c, "PUT", a.path+"/members/"+userID, map[string][]string{"roleIds": roleIDs})
}

func (a TeamAPI) RemoveMember(t *testing.T, userID string) Answer[None] {
	t.Helper()
	return send[None](t, a.c, "DELETE", a.path+"/members/"+userID, nil)
}

func (a TeamAPI) ListInvitationCodes(t *testing.T, q url.Values) Answer[Page[InvitationCode]] {
	t.Helper()
	return send[Page[InvitationCode]](t, a.c, "GET", withQuery(a.path+"/invitation-codes", q), nil)
}

func (a TeamAPI) CreateInvitationCode(t *testing.T, roleIDs ...string) Answer[InvitationCode] {
	t.Helper()
	return send[InvitationCode](t, a.c, "POST", a.path+"/invitation-codes", map[string][]string{"roleIds": roleIDs})
}

func (a TeamAPI) RevokeInvitationCode(t *testing.T, code string) Answer[None] {
	t.Helper()
	return send[None](t, a.c, "DELETE", a.path+"/invitation-codes/"+code, nil)
}

func (a TeamAPI) ListInvitations(t *testing.T, q url.Values) Answer[Page[Invitation]] {
	t.Helper()
	return send[Page[Invitation]](t, a.c, "GET", withQuery(a.path+"/invitations", q), nil)
}

func (a TeamAPI) CreateInvitation(t *testing.T, in InvitationInput) Answer[Invitation] {
	t.Helper()
	return send[Invitation](t, a.c, "POST", a.path+"/invitations", in)
}

func (a TeamAPI) RevokeInvitation(t *testing.T, id string) Answer[None] {
	t.Helper()
	return send[None](t, a.c, "DELETE", a.path+"/invitations/"+id, nil)
}

func (a TeamAPI) ResendInvitation(t *testing.T, id string) Answer[ResentInvitation] {
	t.Helper()
	return send[ResentInvitation](t, a.c, "POST", a.path+"/invitations/"+id+"/resend", nil)
}

// UserAPI is the routes of one user, as c calls them.
type UserAPI struct {
	c    Client
	path string
}

// User returns the routes of user id.
func (c Client) User(id string) UserAPI { return UserAPI{c, "/v1/users/" + id} }

func (a UserAPI) Get(t *testing.T) Answer[UserDetail] {
	t.Helper()
	return send[UserDetail](t, a.c, "GET", a.path, nil)
}

func (a UserAPI) Update(t *testing.T, in UserUpdate) Answer[User] {
	t.Helper()
	return send[User](t, a.c, "PATCH", a.path, in)
}

func (a UserAPI) Delete(t *testing.T) Answer[None] {
	t.Helper()
	return send[None](t, a.c, "DELETE", a.path, nil)
}

func (a UserAPI) Freeze(t *testing.T) Answer[User] {
	t.Helper()
	return send[User](t, a.c, "POST", a.path+"/freeze", nil)
}

func (a UserAPI) Recover(t *testing.T) Answer[User] {
	t.Helper()
	return send[User](t, a.c, "POST", a.path+"/recover", nil)
}

func (a UserAPI) UnbindEmail(t *testing.T) Answer[None] {
	t.Helper()
	return send[None](t, a.c, "DELETE", a.path+"/email", nil)
}

func (a UserAPI) UnbindMFA(t *testing.T) Answer[None] {
	t.Helper()
	return send[None](t, a.c, "DELETE", a.path+"/mfa", nil)
}

// ResetPassword resets the user's password; a nil body sends none.
func (a UserAPI) ResetPassword(t *testing.T, body *PasswordReset) Answer[TemporaryPassword] {
	t.Helper()
	if body == nil {
		return send[TemporaryPassword](t, a.c, "POST", a.path+"/password-reset", nil)
	}
	return send[TemporaryPassword](t, a.c, "POST", a.path+"/password-reset", body)
}

func (a UserAPI) LoginEvents(t *testing.T, q url.Values) Answer[Page[LoginEvent]] {
	t.Helper()
	return send[Page[LoginEvent]](t, a.c, "GET", withQuery(a.path+"/login-events", q), nil)
}
