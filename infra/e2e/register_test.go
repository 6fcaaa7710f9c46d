package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fromNewIP answers a client whose requests come from a loopback address no other
// test uses, as API Gateway would see a distinct client.
func fromNewIP() *http.Client { return clientFrom(newIP()) }

// mailsTo answers every email to addr so far, oldest first.
func mailsTo(t *testing.T, addr string) []mail {
	t.Helper()
	resp, err := httpClient.Get(mailJSONURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var all []mail
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil {
		t.Fatal(err)
	}
	var out []mail
	for _, m := range all {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

// nthMailTo waits for the n-th email (from 1) to addr.
func nthMailTo(t *testing.T, addr string, n int) mail {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got := mailsTo(t, addr); len(got) >= n {
			return got[n-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no email #%d to %s", n, addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

// codeIn reads the code out of an email, checking that both parts carry it.
func codeIn(t *testing.T, m mail) string {
	t.Helper()
	code := sixDigits.FindString(m.Text)
	if code == "" || !strings.Contains(m.HTML, code) {
		t.Fatalf("email %q carries no code in both parts:\n%s", m.Subject, m.Text)
	}
	return code
}

// wrongCode is a code that is not code.
func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func newEmail(prefix string) string { return unique(prefix) + "@example.com" }

// requestCode asks for a registration code for email from client and answers it.
func requestCode(t *testing.T, client *http.Client, email string) string {
	t.Helper()
	before := len(mailsTo(t, email))
	r := callWith(t, client, "", "POST", "/v1/auth/verification-codes", map[string]string{"email": email})
	expect(t, r, http.StatusAccepted, "")
	return codeIn(t, nthMailTo(t, email, before+1))
}

const selfPassword = "a passphrase I chose myself"

// registration is a valid registration request.
func registration(login, email, code string) map[string]string {
	return map[string]string{
		"username": "张小伟", "loginAccount": login, "email": email,
		"password": selfPassword, "confirmPassword": selfPassword, "verificationCode": code,
	}
}

// registerMember registers a new member and answers its login account and email.
func registerMember(t *testing.T) (login, email string) {
	t.Helper()
	client := fromNewIP()
	login, email = unique("self"), newEmail("self")
	r := callWith(t, client, "", "POST", "/v1/auth/register", registration(login, email, requestCode(t, client, email)))
	expect(t, r, http.StatusCreated, "")
	return login, email
}

func TestRegister(t *testing.T) {
	t.Parallel()
	client := fromNewIP()
	account, email := unique("Reg"), newEmail("Reg.Person")
	code := requestCode(t, client, email)

	r := callWith(t, client, "", "POST", "/v1/auth/register", registration(account, email, code))
	expect(t, r, http.StatusCreated, "")
	want := map[string]any{
		"username": "张小伟", "loginAccount": account, "email": email, "emailVerified": true,
		"accountType": "member", "status": "active", "mfaEnabled": false, "createdBy": nil, "lastLoginAt": nil,
	}
	for field, v := range want {
		if got := r.get("user", field); got != v {
			t.Errorf("user.%s = %v, want %v", field, got, v)
		}
	}

	// The password is the person's own: no NEW_PASSWORD_REQUIRED challenge, and the
	// new member has no team.
	access, _, _ := login(t, strings.ToUpper(account), selfPassword)
	me := call(t, access, "GET", "/v1/me", nil)
	expect(t, me, http.StatusOK, "")
	if me.str("user", "id") != r.str("user", "id") || fmt.Sprint(me.get("teams")) != "[]" {
		t.Fatalf("/v1/me after registration: %s", me.Raw)
	}
	// A member without a team cannot reach admin routes.
	expect(t, call(t, access, "GET", "/v1/users", nil), http.StatusForbidden, "forbidden")

	// The code is used up.
	again := callWith(t, client, "", "POST", "/v1/auth/register", registration(unique("reg"), email, code))
	expect(t, again, http.StatusBadRequest, "invalid_request")
	if again.get("error", "fields", "verificationCode") == nil {
		t.Fatalf("second use of a code: %s", again.Raw)
	}
}

func TestRegisterRefusesBadFieldsTogether(t *testing.T) {
	t.Parallel()
	client := fromNewIP()
	email := newEmail("fields")
	code := requestCode(t, client, email)
	good := registration(unique("fld"), email, code)
	with := func(changes map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range good {
			out[k] = v
		}
		for k, v := range changes {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name   string
		body   any
		fields []string
	}{
		{"everything wrong", map[string]string{
			"username": "x", "loginAccount": "no spaces allowed", "password": "short",
			"confirmPassword": "other", "email": "not-an-email", "verificationCode": "12",
		}, []string{"username", "loginAccount", "password", "confirmPassword", "email", "verificationCode"}},
		{"nothing given", map[string]string{}, []string{"username", "loginAccount", "password", "confirmPassword", "email", "verificationCode"}},
		{"common password", with(map[string]string{"password": "password1234", "confirmPassword": "password1234"}), []string{"password"}},
		{"password holds the login account", with(map[string]string{"loginAccount": "plumtree", "password": "my PlumTree passphrase", "confirmPassword": "my PlumTree passphrase"}), []string{"password"}},
		{"confirmation differs", with(map[string]string{"confirmPassword": selfPassword + "!"}), []string{"confirmPassword"}},
		{"login account not ASCII", with(map[string]string{"loginAccount": "张小伟"}), []string{"loginAccount"}},
		{"username with a space", with(map[string]string{"username": "Zhang Wei"}), []string{"username"}},
		{"unknown field", map[string]any{"username": "Zhang", "admin": true}, []string{"admin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := callWith(t, client, "", "POST", "/v1/auth/register", tt.body)
			expect(t, r, http.StatusBadRequest, "invalid_request")
			fields, _ := r.get("error", "fields").(map[string]any)
			for _, f := range tt.fields {
				if fields[f] == nil {
					t.Errorf("fields.%s missing: %s", f, r.Raw)
				}
			}
			if strings.Contains(r.Raw, selfPassword) || strings.Contains(r.Raw, code) {
				t.Errorf("a secret is echoed: %s", r.Raw)
			}
		})
	}
	for _, body := range []string{"", "[]", "not json", `{"email": 5}`} {
		expect(t, callWith(t, client, "", "POST", "/v1/auth/register", body), http.StatusBadRequest, "invalid_request")
	}

	// Nothing was written and the code was not taken: the good request still works.
	expect(t, callWith(t, client, "", "POST", "/v1/auth/register", good), http.StatusCreated, "")

	// Some scripts other than Latin in usernames.
	for _, name := range []string{"Ελένη", "Дмитрий", "محمد_علي", "देवनागरी", "山田.太郎"} {
		email := newEmail("script")
		r := callWith(t, fromNewIP(), "", "POST", "/v1/auth/register", map[string]string{
			"username": name, "loginAccount": unique("s"), "email": email, "password": selfPassword,
			"confirmPassword": selfPassword, "verificationCode": requestCode(t, fromNewIP(), email),
		})
		expect(t, r, http.StatusCreated, "")
		if r.str("user", "username") != name {
			t.Errorf("username %q stored as %q", name, r.str("user", "username"))
		}
	}
}

func TestVerificationCodeRules(t *testing.T) {
	t.Parallel()
	client := fromNewIP()
	email := newEmail("rules")
	code := requestCode(t, client, email)

	// A second request within the minute is refused, and says when to come back.
	r := callWith(t, client, "", "POST", "/v1/auth/verification-codes", map[string]string{"email": email})
	expect(t, r, http.StatusTooManyRequests, "rate_limited")
	if wait, _ := strconv.Atoi(r.Header.Get("Retry-After")); wait < 1 || wait > 60 {
		t.Fatalf("Retry-After = %d, want 1 to 60 seconds", wait)
	}

	// Five wrong tries kill the code, even for the right one after them.
	for i := range 5 {
		r := callWith(t, client, "", "POST", "/v1/auth/register", registration(unique("try"), email, wrongCode(code)))
		expect(t, r, http.StatusBadRequest, "invalid_request")
		if r.get("error", "fields", "verificationCode") == nil {
			t.Fatalf("wrong try %d: %s", i+1, r.Raw)
		}
	}
	r = callWith(t, client, "", "POST", "/v1/auth/register", registration(unique("try"), email, code))
	expect(t, r, http.StatusBadRequest, "invalid_request")

	// A code is bound to its address.
	other := newEmail("other")
	otherCode := requestCode(t, client, other)
	r = callWith(t, client, "", "POST", "/v1/auth/register", registration(unique("bind"), newEmail("third"), otherCode))
	expect(t, r, http.StatusBadRequest, "invalid_request")
	expect(t, callWith(t, client, "", "POST", "/v1/auth/register", registration(unique("bind"), other, otherCode)), http.StatusCreated, "")

	// Codes per source IP are limited: this test's address has asked for 3 so far.
	// The limit's window is fixed, so a window that ends meanwhile starts a new count.
	started := time.Now()
	accepted := 0
	for ; accepted < 40; accepted++ {
		r = callWith(t, client, "", "POST", "/v1/auth/verification-codes", map[string]string{"email": newEmail("ip")})
		if r.Status != http.StatusAccepted {
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
	expect(t, callWith(t, fromNewIP(), "", "POST", "/v1/auth/verification-codes", map[string]string{"email": newEmail("ip")}), http.StatusAccepted, "")
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

	var first, second [2]response
	for i, email := range []string{taken, free} {
		first[i] = callWith(t, client, "", "POST", "/v1/auth/verification-codes", map[string]string{"email": email})
		second[i] = callWith(t, client, "", "POST", "/v1/auth/verification-codes", map[string]string{"email": email})
	}
	if first[0].Status != http.StatusAccepted || first[0].Raw != first[1].Raw {
		t.Fatalf("taken: %d %s; free: %d %s", first[0].Status, first[0].Raw, first[1].Status, first[1].Raw)
	}
	if second[0].Status != http.StatusTooManyRequests || second[1].Status != http.StatusTooManyRequests ||
		second[0].str("error", "code") != second[1].str("error", "code") {
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
	r := callWith(t, client, "", "POST", "/v1/auth/register", registration(unique("tk"), taken, "123456"))
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if r.get("error", "fields", "verificationCode") == nil {
		t.Fatalf("registration with a taken address: %s", r.Raw)
	}
}

// One code, several registrations at once: exactly one account is created.
func TestConcurrentRegistrationsWithOneCode(t *testing.T) {
	t.Parallel()
	client := fromNewIP()
	email := newEmail("race")
	code := requestCode(t, client, email)
	got := statuses(race(5, func(i int) response {
		return callWith(t, client, "", "POST", "/v1/auth/register", registration(unique(fmt.Sprintf("race%d", i)), email, code))
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
	answers := race(2, func(i int) response {
		return callWith(t, client, "", "POST", "/v1/auth/register", registration(accounts[i], emails[i], codes[i]))
	})
	if got := statuses(answers); got[http.StatusCreated] != 1 || got[http.StatusConflict] != 1 {
		t.Fatalf("statuses %v, want one 201 and one 409", got)
	}
	loser := 0
	if answers[1].Status == http.StatusConflict {
		loser = 1
	}
	if r := answers[loser]; r.str("error", "code") != "login_account_taken" || r.get("error", "fields", "loginAccount") == nil {
		t.Fatalf("loser: %s", r.Raw)
	}
	// The loser's code was given back: it registers another login account with it.
	r := callWith(t, client, "", "POST", "/v1/auth/register", registration(unique("other"), emails[loser], codes[loser]))
	expect(t, r, http.StatusCreated, "")
}

// race sends n requests at once (send(i) makes the i-th) and answers them in order.
func race(n int, send func(i int) response) []response {
	out := make([]response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = send(i)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// statuses counts the answers by status.
func statuses(rs []response) map[int]int {
	out := map[int]int{}
	for _, r := range rs {
		out[r.Status]++
	}
	return out
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
		expect(t, callWith(t, client, "", "POST", "/v1/auth/register", registration(taken, email, code)), http.StatusConflict, "login_account_taken")
	}
	r := callWith(t, client, "", "POST", "/v1/auth/register", registration(taken, email, code))
	expect(t, r, http.StatusTooManyRequests, "rate_limited")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// Neither a free name nor a new code for the same address starts afresh.
	expect(t, callWith(t, client, "", "POST", "/v1/auth/register", registration(unique("free"), email, code)), http.StatusTooManyRequests, "rate_limited")
}
