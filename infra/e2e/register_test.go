package e2e

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRegister(t *testing.T) {
	t.Parallel()
	client := fromNewIP()
	account, email := unique("Reg"), newEmail("Reg.Person")
	code := requestCode(t, client, email)

	r := client.Register(t, registration(account, email, code))
	expect(t, r, http.StatusCreated, "")
	u := r.Body.User
	for _, c := range []struct {
		field     string
		got, want any
	}{
		{"username", u.Username, "张小伟"}, {"loginAccount", u.LoginAccount, account}, {"email", deref(u.Email), email},
		{"emailVerified", u.EmailVerified, true}, {"accountType", u.AccountType, "member"}, {"status", u.Status, "active"},
		{"mfaEnabled", u.MFAEnabled, false}, {"createdBy", u.CreatedBy, (*string)(nil)}, {"lastLoginAt", u.LastLoginAt, (*string)(nil)},
	} {
		if c.got != c.want {
			t.Errorf("user.%s = %v, want %v", c.field, c.got, c.want)
		}
	}

	// The password is the person's own: no NEW_PASSWORD_REQUIRED challenge, and the
	// new member has no team.
	access := signIn(t, strings.ToUpper(account), selfPassword)
	me := access.GetMe(t)
	expect(t, me, http.StatusOK, "")
	if me.Body.User.ID != u.ID || me.Body.Teams == nil || len(me.Body.Teams) != 0 {
		t.Fatalf("/v1/me after registration: %s", me.Raw)
	}
	// A member without a team cannot reach admin routes.
	expect(t, access.ListUsers(t, nil), http.StatusForbidden, "forbidden")

	// The code is used up.
	again := client.Register(t, registration(unique("reg"), email, code))
	expect(t, again, http.StatusBadRequest, "invalid_request")
	if !named(again, "verificationCode") {
		t.Fatalf("second use of a code: %s", again.Raw)
	}
}

func TestRegisterRefusesBadFieldsTogether(t *testing.T) {
	t.Parallel()
	client := fromNewIP()
	email := newEmail("fields")
	code := requestCode(t, client, email)
	good := registration(unique("fld"), email, code)
	with := func(change func(r *Registration)) Registration {
		r := good
		change(&r)
		return r
	}
	tests := []struct {
		name   string
		body   any
		fields []string
	}{
		{"everything wrong", Registration{
			Username: "x", LoginAccount: "no spaces allowed", Password: "short",
			ConfirmPassword: "other", Email: "not-an-email", VerificationCode: "12",
		}, []string{"username", "loginAccount", "password", "confirmPassword", "email", "verificationCode"}},
		{"nothing given", map[string]string{}, []string{"username", "loginAccount", "password", "confirmPassword", "email", "verificationCode"}},
		{"common password", with(func(r *Registration) { r.Password, r.ConfirmPassword = "password1234", "password1234" }), []string{"password"}},
		{"password holds the login account", with(func(r *Registration) {
			r.LoginAccount, r.Password, r.ConfirmPassword = "plumtree", "my PlumTree passphrase", "my PlumTree passphrase"
		}), []string{"password"}},
		{"confirmation differs", with(func(r *Registration) { r.ConfirmPassword = selfPassword + "!" }), []string{"confirmPassword"}},
		{"login account not ASCII", with(func(r *Registration) { r.LoginAccount = "张小伟" }), []string{"loginAccount"}},
		{"username with a space", with(func(r *Registration) { r.Username = "Zhang Wei" }), []string{"username"}},
		{"unknown field", map[string]any{"username": "Zhang", "admin": true}, []string{"admin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := client.Send(t, "POST", "/v1/auth/register", tt.body)
			expect(t, r, http.StatusBadRequest, "invalid_request")
			if m := missing(r, tt.fields...); len(m) > 0 {
				t.Errorf("fields %q missing: %s", m, r.Raw)
			}
			if strings.Contains(r.Raw, selfPassword) || strings.Contains(r.Raw, code) {
				t.Errorf("a secret is echoed: %s", r.Raw)
			}
		})
	}
	for _, body := range []string{"", "[]", "not json", `{"email": 5}`} {
		expect(t, client.Send(t, "POST", "/v1/auth/register", body), http.StatusBadRequest, "invalid_request")
	}

	// Nothing was written and the code was not taken: the good request still works.
	expect(t, client.Register(t, good), http.StatusCreated, "")

	// Some scripts other than Latin in usernames.
	for _, name := range []string{"Ελένη", "Дмитрий", "محمد_علي", "देवनागरी", "山田.太郎"} {
		email := newEmail("script")
		r := fromNewIP().Register(t, Registration{
			Username: name, LoginAccount: unique("s"), Email: email, Password: selfPassword,
			ConfirmPassword: selfPassword, VerificationCode: requestCode(t, fromNewIP(), email),
		})
		expect(t, r, http.StatusCreated, "")
		if r.Body.User.Username != name {
			t.Errorf("username %q stored as %q", name, r.Body.User.Username)
		}
	}
}

func TestVerificationCodeRules(t *testing.T) {
	t.Parallel()
	client := fromNewIP()
	email := newEmail("rules")
	code := requestCode(t, client, email)

	// A second request within the minute is refused, and says when to come back.
	r := client.SendVerificationCode(t, email)
	expect(t, r, http.StatusTooManyRequests, "rate_limited")
	if wait, _ := strconv.Atoi(r.Header.Get("Retry-After")); wait < 1 || wait > 60 {
		t.Fatalf("Retry-After = %d, want 1 to 60 seconds", wait)
	}

	// Five wrong tries kill the code, even for the right one after them.
	for i := range 5 {
		r := client.Register(t, registration(unique("try"), email, wrongCode(code)))
		expect(t, r, http.StatusBadRequest, "invalid_request")
		if !named(r, "verificationCode") {
			t.Fatalf("wrong try %d: %s", i+1, r.Raw)
		}
	}
	expect(t, client.Register(t, registration(unique("try"), email, code)), http.StatusBadRequest, "invalid_request")

	// A code is bound to its address.
	other := newEmail("other")
	otherCode := requestCode(t, client, other)
	expect(t, client.Register(t, registration(unique("bind"), newEmail("third"), otherCode)), http.StatusBadRequest, "invalid_request")
	expect(t, client.Register(t, registration(unique("bind"), other, otherCode)), http.StatusCreated, "")

	// Codes per source IP are limited: this test's address has asked for 3 so far.
	// The limit's window is fixed, so a window that ends meanwhile starts a new count.
	started := time.Now()
	accepted := 0
	for ; accepted < 40; accepted++ {
		if r = client.SendVerificationCode(t, newEmail("ip")); r.Status != http.StatusAccepted {
			break
		}
	}
	expect(t, r, http.StatusTooManyRequests, "rate_limited")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	if crossed := !time.Now().Truncate(15 * time.Minute).Equal(started.Truncate(15 * time.Minute)); accepted != 17 && !crossed {
		t.Fatalf("%d more codes accepted from one address, want 17 (20 in all)", accepted)
	}
	// Another address is not affected.
	expect(t, fromNewIP().SendVerificationCode(t, newEmail("ip")), http.StatusAccepted, "")
}

// Asking for a code answers the same for a registered address as for a free one;
// only the owner of the registered one learns, by email, that someone tried.
func TestVerificationCodeDoesNotTellTakenAddresses(t *testing.T) {
	t.Parallel()
	// An address that was never sent a code, so that no re-send rule is running.
	taken := newEmail("taken")
	adminCreated(t, taken)
	free := newEmail("free")
	client := fromNewIP()
	before := len(mailsTo(t, taken))

	var first, second [2]Answer[Accepted]
	for i, email := range []string{taken, free} {
		first[i] = client.SendVerificationCode(t, email)
		second[i] = client.SendVerificationCode(t, email)
	}
	if first[0].Status != http.StatusAccepted || first[0].Raw != first[1].Raw {
		t.Fatalf("taken: %d %s; free: %d %s", first[0].Status, first[0].Raw, first[1].Status, first[1].Raw)
	}
	if second[0].Status != http.StatusTooManyRequests || second[1].Status != http.StatusTooManyRequests ||
		second[0].Error.Code != second[1].Error.Code {
		t.Fatalf("repeat: taken %d %s; free %d %s", second[0].Status, second[0].Raw, second[1].Status, second[1].Raw)
	}

	notice := nthMailTo(t, taken, before+1)
	if !strings.Contains(notice.Subject, "Someone tried to register") || sixDigits.MatchString(notice.Text) {
		t.Fatalf("mail to a taken address: %q\n%s", notice.Subject, notice.Text)
	}
	if m := nthMailTo(t, free, 1); !strings.Contains(m.Subject, "verification code") {
		t.Fatalf("mail to a free address: %q", m.Subject)
	}
	// No code was sent for the taken address, so none can be guessed into a
	// registration that would tell it is taken.
	r := client.Register(t, registration(unique("tk"), taken, "123456"))
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if !named(r, "verificationCode") {
		t.Fatalf("registration with a taken address: %s", r.Raw)
	}
}

// One code, several registrations at once: exactly one account is created.
func TestConcurrentRegistrationsWithOneCode(t *testing.T) {
	t.Parallel()
	client := fromNewIP()
	email := newEmail("race")
	code := requestCode(t, client, email)
	got := statuses(race(5, func(i int) Answer[Registered] {
		return client.Register(t, registration(unique(fmt.Sprintf("race%d", i)), email, code))
	}))
	if got[http.StatusCreated] != 1 || got[http.StatusBadRequest] != 4 {
		t.Fatalf("statuses %v, want one 201 and four 400", got)
	}
}

// Two people register one login account at once, each with a good code: one
// wins, the other is told the login account is taken and keeps its code.
func TestConcurrentRegistrationsOfOneLoginAccount(t *testing.T) {
	t.Parallel()
	client := fromNewIP()
	name := unique("same")
	emails := []string{newEmail("one"), newEmail("two")}
	codes := []string{requestCode(t, client, emails[0]), requestCode(t, client, emails[1])}
	accounts := []string{name, strings.ToUpper(name)}
	answers := race(2, func(i int) Answer[Registered] {
		return client.Register(t, registration(accounts[i], emails[i], codes[i]))
	})
	if got := statuses(answers); got[http.StatusCreated] != 1 || got[http.StatusConflict] != 1 {
		t.Fatalf("statuses %v, want one 201 and one 409", got)
	}
	loser := 0
	if answers[1].Status == http.StatusConflict {
		loser = 1
	}
	if r := answers[loser]; r.Error.Code != "login_account_taken" || !named(r, "loginAccount") {
		t.Fatalf("loser: %s", r.Raw)
	}
	// The loser's code was given back: it registers another login account with it.
	expect(t, client.Register(t, registration(unique("other"), emails[loser], codes[loser])), http.StatusCreated, "")
}

// With one code for its own address, a person learns whether login accounts are taken
// (the code is given back each time, to pick another name): those answers are limited to
// 5 per address in 15 minutes, after which the address registers nothing for a while.
func TestRegistrationProbesAreLimited(t *testing.T) {
	t.Parallel()
	client := fromNewIP()
	taken, _ := registerMember(t)
	email := newEmail("probe")
	code := requestCode(t, client, email)
	for range 5 {
		expect(t, client.Register(t, registration(taken, email, code)), http.StatusConflict, "login_account_taken")
	}
	r := client.Register(t, registration(taken, email, code))
	expect(t, r, http.StatusTooManyRequests, "rate_limited")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// Neither a free name nor a new code for the same address starts afresh.
	expect(t, client.Register(t, registration(unique("free"), email, code)), http.StatusTooManyRequests, "rate_limited")
}
