package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/identity"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// Failed sign-ins allowed before Roster stops asking Cognito (SPEC.md section 5), in
// fixed 15-minute windows. Per login account (folded, known or not): enough for a person
// who mistypes, far too few to guess a password. Per source IP: room for an office
// behind one address, while one machine still cannot sweep many accounts. A success
// clears its account's count, never its address's.
var (
	loginFailuresPerAccount = store.Limit{Name: "login-failures-account", Max: 5, Window: 15 * time.Minute}
	loginFailuresPerIP      = store.Limit{Name: "login-failures-ip", Max: 100, Window: 15 * time.Minute}
	// loginRefusals counts attempts the limits refused, per login account; only the
	// first of each window becomes a login event.
	loginRefusals = store.Limit{Name: "login-refusals-account", Max: 1, Window: 15 * time.Minute}
)

// ipTry is where an attempt's try of loginFailuresPerIP is in its tries.
const ipTry = 1

// Longest values a sign-in request may carry: Cognito's own bounds (passwords up to
// 256, sessions up to 2048 characters), so an oversized value is a 400, not a Cognito
// error.
const (
	maxPasswordLen     = 256
	maxSessionLen      = 2048
	maxRefreshTokenLen = 8192
	maxUserAgentLen    = 512
)

type loginRequest struct {
	LoginAccount string `json:"loginAccount"`
	Password     string `json:"password"`
}

type challengeAnswer struct {
	Challenge string `json:"challenge"`
	Session   string `json:"session"`
}

// Login is POST /v1/auth/login.
func (a *Directory) Login(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in loginRequest
	f := httpapi.Decode(req, &in)
	login := validate.LoginAccount(f, "loginAccount", in.LoginAccount)
	bounded(f, "password", in.Password, maxPasswordLen)
	cookie, err := cookieSession(f, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	at, err := a.beginAttempt(ctx, req, login)
	if err != nil {
		return httpapi.Response{}, err
	}
	username, mfa := at.cognitoName()
	result, err := a.Identity.SignIn(ctx, username, in.Password, mfa)
	if err != nil {
		return httpapi.Response{}, a.refused(ctx, at, err, "")
	}
	return a.signedIn(ctx, at, result, cookie)
}

type challengeRequest struct {
	LoginAccount string `json:"loginAccount"`
	Session      string `json:"session"`
	Challenge    string `json:"challenge"`
	NewPassword  string `json:"newPassword"`
	Code         string `json:"code"`
}

// Challenge is POST /v1/auth/challenge: a new password or a TOTP code. Answers are
// sign-in attempts like passwords: limited, counted when wrong, and recorded.
func (a *Directory) Challenge(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in challengeRequest
	f := httpapi.Decode(req, &in)
	login := validate.LoginAccount(f, "loginAccount", in.LoginAccount)
	bounded(f, "session", in.Session, maxSessionLen)
	answer := ""
	switch in.Challenge {
	case identity.NewPasswordRequired:
		validate.Password(f, "newPassword", in.NewPassword, login)
		answer = in.NewPassword
	case identity.SoftwareTokenMFA:
		answer = validate.VerificationCode(f, "code", in.Code)
	case "":
		f.Add("challenge", "is required")
	default:
		f.Add("challenge", "must be NEW_PASSWORD_REQUIRED or SOFTWARE_TOKEN_MFA")
	}
	cookie, err := cookieSession(f, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	at, err := a.beginAttempt(ctx, req, login)
	if err != nil {
		return httpapi.Response{}, err
	}
	username, mfa := at.cognitoName()
	result, err := a.Identity.Respond(ctx, username, mfa, in.Challenge, in.Session, answer)
	if err != nil {
		return httpapi.Response{}, a.refused(ctx, at, err, in.Challenge)
	}
	return a.signedIn(ctx, at, result, cookie)
}

// attempt is one sign-in request: the account it names and where it comes from.
type attempt struct {
	account   string     // folded login account, the key of its failure count
	user      *user.User // who holds the account; nil when nobody does
	frozen    bool       // the holder is frozen: it signs in as nobody
	ip        string
	userAgent string
	at        time.Time
	// tries are the attempt's tries of the failure limits, taken before Cognito is
	// asked: a failure keeps them, anything else gives them back.
	tries store.Tries
}

// cognitoName is the name an attempt is put to Cognito under. An unknown login account,
// and a frozen one, go under a name no user has: Cognito does the same work as for a
// wrong password and answers the same, so neither the answer nor its time tells a
// guesser that the account exists or is frozen.
func (at *attempt) cognitoName() (username string, mfa bool) {
	if at.user == nil || at.frozen {
		return "unknown:" + at.account, false
	}
	return at.user.ID, at.user.MFAEnabled
}

// beginAttempt reads who an attempt is for and takes its tries of the account's and
// the address's failure limits, refusing it before Cognito is asked when either is
// used up. A frozen account is not refused here: saying account_frozen before the
// password is proven tells anyone which accounts are frozen, and Cognito, which holds
// the password, cannot check it for an account it has disabled (enabling it for the
// check would open the freeze). So a frozen account signs in as nobody (see
// cognitoName), and its attempts are recorded as frozen for admins to see.
func (a *API) beginAttempt(ctx context.Context, req events.APIGatewayV2HTTPRequest, login string) (*attempt, error) {
	at := &attempt{
		account:   validate.Fold(login),
		ip:        httpapi.SourceIP(req),
		userAgent: clip(httpapi.UserAgent(req), maxUserAgentLen),
		at:        a.Now(),
	}
	// The tries are taken while the account is looked up: one round trip, not two.
	var (
		wg       sync.WaitGroup
		limitErr error
	)
	wg.Go(func() {
		at.tries, limitErr = a.Store.TakeAll(ctx, at.at, // in this order: see ipTry
			store.On{Limit: loginFailuresPerAccount, Subject: at.account}, store.On{Limit: loginFailuresPerIP, Subject: at.ip})
	})
	u, err := a.userByLogin(ctx, login)
	wg.Wait()
	if err != nil {
		a.giveBack(ctx, at.tries...)
		return nil, err
	}
	if u.ID != "" {
		at.user = &u
	}
	if e := apperr.As(limitErr); e != nil && e.Kind == apperr.RateLimited {
		if err := a.recordRefusal(ctx, at); err != nil {
			return nil, err
		}
	}
	// A limit that cannot be counted fails the attempt too: the limits must not
	// quietly lapse.
	if limitErr != nil {
		return nil, limitErr
	}
	at.frozen = at.user != nil && at.user.Status == user.Frozen
	return at, nil
}

// recordRefusal counts an attempt refused by the limits and records the first of each
// window as a login event: a flood of refused attempts must not write without bound
// into the partition its target's history is read from.
func (a *API) recordRefusal(ctx context.Context, at *attempt) error {
	if at.user == nil {
		return nil
	}
	n, err := a.Store.Tally(ctx, loginRefusals, at.account, at.at)
	if err != nil || n > 1 {
		return err
	}
	return a.recordAttempt(ctx, at, store.LoginRateLimited, "")
}

// refused records a sign-in step Cognito turned down and answers err. Wrong passwords,
// codes and sessions are failures and keep their tries; other refusals (a new password
// the policy refuses, Cognito's own throttling) are not guesses and give them back.
func (a *API) refused(ctx context.Context, at *attempt, err error, challenge string) error {
	e := apperr.As(err)
	var outcome store.LoginOutcome
	switch {
	case at.frozen:
		// Whatever was sent, a frozen account's attempt is a failure, recorded as such.
		outcome = store.LoginFrozen
	case errors.Is(err, apperr.CodeInvalidCredentials):
		outcome = store.LoginWrongCredentials
	case errors.Is(err, apperr.CodeUnauthenticated):
		outcome = store.LoginBadSession
	case e != nil && e.Kind == apperr.Invalid && e.Fields["code"] != "":
		outcome = store.LoginWrongCode
	default:
		a.giveBack(ctx, at.tries...)
		return err
	}
	if rerr := a.recordAttempt(ctx, at, outcome, challenge); rerr != nil {
		return rerr
	}
	return err
}

// recordAttempt keeps a login event for an attempt on an existing user; attempts on
// login accounts nobody holds belong to no one and are only counted.
func (a *API) recordAttempt(ctx context.Context, at *attempt, outcome store.LoginOutcome, challenge string) error {
	if at.user == nil {
		return nil
	}
	return a.Store.RecordLoginEvent(ctx, store.LoginEvent{
		ID:        ids.New(),
		UserID:    at.user.ID,
		At:        at.at,
		SourceIP:  at.ip,
		UserAgent: at.userAgent,
		Outcome:   outcome,
		Challenge: challenge,
		Via:       store.ViaAPI,
	}, a.LoginEventRetention)
}

// signedIn answers a sign-in step Cognito accepted: the next challenge, or tokens (in a
// cookie session, the refresh token in its cookie).
func (a *API) signedIn(ctx context.Context, at *attempt, result identity.Result, cookie bool) (httpapi.Response, error) {
	if at.user == nil || at.frozen {
		// Cognito knows only Roster's users; a name without one cannot sign in.
		return httpapi.Response{}, apperr.InvalidCredentials()
	}
	if result.Tokens == nil {
		// A right password that leads to a challenge is no failure.
		a.giveBack(ctx, at.tries...)
		if err := a.recordAttempt(ctx, at, store.LoginChallengePending, result.Challenge); err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, challengeAnswer{Challenge: result.Challenge, Session: result.Session}), nil
	}
	// Independent writes, side by side: one round trip of latency, not four. A success
	// clears its account's failures and gives back its address's try (an address's
	// failures are never cleared: one success must not cover a sweep from it).
	var (
		wg   sync.WaitGroup
		errs [3]error
	)
	wg.Go(func() { errs[0] = a.Store.ClearLimit(ctx, loginFailuresPerAccount, at.account, at.at) })
	wg.Go(func() { a.giveBack(ctx, at.tries[ipTry]) })
	wg.Go(func() { errs[1] = a.Store.SetLastLogin(ctx, at.user.ID, at.at) })
	wg.Go(func() { errs[2] = a.recordAttempt(ctx, at, store.LoginSucceeded, "") })
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return httpapi.Response{}, err
	}
	return tokensAnswer(result.Tokens, cookie), nil
}

type refreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

// Refresh is POST /v1/auth/refresh. A frozen or deleted user gets no new tokens. In a
// cookie session the body may be {} (or left out) and the cookie holds the refresh
// token; the answer never repeats it, and the cookie stays as it is (the token is the
// same, and lives as long as it did).
func (a *Directory) Refresh(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in refreshRequest
	f := validate.Fields{}
	cookie, err := cookieSession(f, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if cookie {
		optionalBody(f, req, &in)
	} else {
		for field, msg := range httpapi.Decode(req, &in) {
			f.Add(field, msg)
		}
	}
	token, err := refreshTokenOf(f, req, in.RefreshToken, cookie)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	result, err := a.Identity.Refresh(ctx, token)
	if err != nil {
		return httpapi.Response{}, err
	}
	if result.Tokens == nil {
		return httpapi.Response{}, apperr.Unauthorized()
	}
	u, err := a.Store.User(ctx, tokenUsername(result.Tokens.AccessToken))
	if err != nil {
		return httpapi.Response{}, apperr.Unauthorized()
	}
	if u.Status == user.Frozen {
		return httpapi.Response{}, apperr.Frozen()
	}
	if cookie {
		out := *result.Tokens
		out.RefreshToken = ""
		return httpapi.JSON(http.StatusOK, &out), nil
	}
	return httpapi.JSON(http.StatusOK, result.Tokens), nil
}

// Logout is POST /v1/auth/logout: it revokes every refresh token of the caller, on
// every device, so no new access token can be had without signing in again, and
// voids the access tokens issued so far, this one included. It needs no record of
// the caller, so a frozen user can still sign out.
//
// In a cookie session the answer also removes the session cookie.
func (a *Directory) Logout(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	noBody(f, req)
	cookie, err := cookieSession(f, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	// The token is held to what every other route holds it to: a frozen user's, or one
	// issued before the sessions last ended, ends nothing.
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := a.endSessions(ctx, me.ID, a.Now(), store.Effects{}); err != nil {
		return httpapi.Response{}, err
	}
	if cookie {
		return endCookieSession(httpapi.NoContent()), nil
	}
	return httpapi.NoContent(), nil
}

// tokenUsername reads the username claim of an access token Cognito has just issued
// to Roster itself, so its signature needs no check here.
func tokenUsername(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Username string `json:"username"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	return claims.Username
}

// bounded checks an opaque value that is passed on unchanged: present, and no longer
// than the service it goes to accepts.
func bounded(f validate.Fields, field, v string, max int) {
	validate.Required(f, field, v)
	if utf8.RuneCountInString(v) > max {
		f.Add(field, "is too long")
	}
}

// clip shortens s to at most n bytes without splitting a character.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// emptyBody refuses a body on a route that takes none. An empty JSON object is what
// many clients send with every POST, so it is accepted too.
func emptyBody(req events.APIGatewayV2HTTPRequest) error {
	f := validate.Fields{}
	noBody(f, req)
	return invalid(f)
}

// noBody is emptyBody for handlers that report it with the request's other fields.
func noBody(f validate.Fields, req events.APIGatewayV2HTTPRequest) {
	optionalBody(f, req, &struct{}{})
}
