package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
)

// Emails are in their reader's language: an account's locale, or for an address no
// account holds, the request's Accept-Language (the console sends its own language).

var (
	chinese = []string{"Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5"}
	english = []string{"Accept-Language", "en-GB,en;q=0.9"}
)

// inChinese fails unless both parts of m and its subject are written in Chinese, in
// the frame of a Chinese email.
func inChinese(t *testing.T, m mail) {
	t.Helper()
	if !hasHan(m.Subject) || !hasHan(m.Text) || !strings.Contains(m.HTML, `<html lang="zh-CN">`) || !strings.Contains(m.Text, "此邮件由 Roster 自动发送。") {
		t.Fatalf("email %q is not in Chinese:\n%s", m.Subject, m.Text)
	}
}

// inEnglish fails unless m is written in English; Chinese values it carries (a
// username, a team name) are left out of the check.
func inEnglish(t *testing.T, m mail, values ...string) {
	t.Helper()
	text := m.Subject + m.Text
	for _, v := range values {
		text = strings.ReplaceAll(text, v, "")
	}
	if hasHan(text) || !strings.Contains(m.HTML, `<html lang="en">`) || !strings.Contains(m.Text, "This message was sent automatically by Roster.") {
		t.Fatalf("email %q is not in English:\n%s", m.Subject, m.Text)
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// askCode asks for a registration code as c and returns its email.
func askCode(t *testing.T, c Client, email string) mail {
	t.Helper()
	before := len(mailsTo(t, email))
	expect(t, c.SendVerificationCode(t, email), http.StatusAccepted, "")
	return nthMailTo(t, email, before+1)
}

func TestRegistrationInChinese(t *testing.T) {
	t.Parallel()
	client := fromNewIP()
	email := newEmail("zh")
	m := askCode(t, client.with(chinese...), email)
	inChinese(t, m)
	if m.Subject != "您的 Roster 验证码" || !strings.Contains(m.Text, "验证码 10 分钟内有效") {
		t.Fatalf("code email %q:\n%s", m.Subject, m.Text)
	}

	// Registered from a Chinese page without naming a locale, the account's is zh-CN.
	account := unique("zh")
	r := client.with(chinese...).Register(t, registration(account, email, codeIn(t, m)))
	expect(t, r, http.StatusCreated, "")
	if r.Body.User.Locale != "zh-CN" {
		t.Fatalf("registered %s", r.Raw)
	}
	if me := signIn(t, account, selfPassword).GetMe(t); me.Body.User.Locale != "zh-CN" {
		t.Fatalf("/v1/me %s", me.Raw)
	}
}

// TestAccountLanguageWins: mail to an address an account holds is in the account's
// language, whatever the request's: a registration attempt with it, a reset code.
func TestAccountLanguageWins(t *testing.T) {
	t.Parallel()
	email, account := newEmail("zhholder"), unique("zhholder")
	expect(t, superAdmin(t).CreateUser(t, NewUser{
		Username: "Holder_" + account, LoginAccount: account, AccountType: "member",
		Email: email, Password: generated, Locale: "zh-CN",
	}), http.StatusCreated, "")
	m := askCode(t, fromNewIP().with(english...), email)
	inChinese(t, m)
	if m.Subject != "有人尝试用您的邮箱地址注册 Roster" || !strings.Contains(m.Text, "重置密码") {
		t.Fatalf("notice %q:\n%s", m.Subject, m.Text)
	}
	before := len(mailsTo(t, email))
	expect(t, fromNewIP().with(english...).ForgotPassword(t, account), http.StatusAccepted, "")
	m = nthMailTo(t, email, before+1)
	inChinese(t, m)
	if m.Subject != "您的 Roster 密码重置验证码" {
		t.Fatalf("reset email %q", m.Subject)
	}
}

func TestRegistrationLocale(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		headers []string
		locale  string // the body's, "" for none
		want    string
	}{
		{"no header, no field", nil, "", "en"},
		{"English page", english, "", "en"},
		{"Chinese page", chinese, "", "zh-CN"},
		{"a language Roster does not speak", []string{"Accept-Language", "fr-FR,fr;q=0.9"}, "", "en"},
		{"the field wins over the header", chinese, "en", "en"},
		{"the field alone", nil, "zh-CN", "zh-CN"},
	}
	for _, tt := range tests {
		client := fromNewIP()
		email := newEmail("loc")
		body := registration(unique("loc"), email, requestCode(t, client, email))
		body.Locale = tt.locale
		r := client.with(tt.headers...).Register(t, body)
		expect(t, r, http.StatusCreated, "")
		if r.Body.User.Locale != tt.want {
			t.Errorf("%s: locale %q, want %q", tt.name, r.Body.User.Locale, tt.want)
		}
	}

	// A locale Roster does not speak is named, with the other bad fields.
	for _, bad := range []any{"fr", "zh-cn", "", "EN", 7} {
		r := fromNewIP().Send(t, "POST", "/v1/auth/register", map[string]any{"username": "x", "locale": bad})
		expect(t, r, http.StatusBadRequest, "invalid_request")
		if !named(r, "locale", "loginAccount") {
			t.Errorf("locale %v: %s", bad, r.Raw)
		}
	}
}

func TestInvitationEmailLanguage(t *testing.T) {
	t.Parallel()
	managerID, manager := member(t)
	teamID, teamName := newTeam(t, "")
	join(t, teamID, managerID, "admin")

	// An address without an account gets the inviter's language, from the request.
	email := newEmail("zhinvite")
	r := manager.from(newIP()).with(chinese...).Team(teamID).CreateInvitation(t, InvitationInput{Email: email, RoleIDs: []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	m := mailTo(t, email)
	inChinese(t, m)
	if !strings.Contains(m.Subject, "邀请您加入 Roster 团队“"+teamName+"”") || !strings.Contains(m.Text, "接受邀请") {
		t.Fatalf("invitation %q:\n%s", m.Subject, m.Text)
	}
	tokenIn(t, m)
	// Resent from an English page, it is in English.
	expect(t, manager.from(newIP()).with(english...).Team(teamID).ResendInvitation(t, r.Body.ID), http.StatusOK, "")
	m = nthMailTo(t, email, 2)
	inEnglish(t, m, teamName)
	if !strings.Contains(m.Subject, "invited you to join "+teamName) {
		t.Fatalf("resent invitation %q", m.Subject)
	}

	// An address an account holds gets the account's language, whatever the page's.
	holder := newEmail("enholder")
	adminCreated(t, holder)
	expect(t, manager.from(newIP()).with(chinese...).Team(teamID).CreateInvitation(t, InvitationInput{Email: holder, RoleIDs: []string{"member"}}),
		http.StatusCreated, "")
	inEnglish(t, mailTo(t, holder), teamName)
}

// TestPatchedLocaleChangesEmails: a user's locale, set with PATCH /v1/me, is the
// language of its next email, and is in every answer about the user but lists. (Each
// email is of another kind: one kind's re-send rule would hold the next for a minute.)
func TestPatchedLocaleChangesEmails(t *testing.T) {
	t.Parallel()
	account, email := registerMember(t)
	access := signIn(t, account, selfPassword)
	moved := newEmail("moved")

	// English: the code for a new address.
	expect(t, access.ChangeEmail(t, moved), http.StatusAccepted, "")
	m := mailTo(t, moved)
	inEnglish(t, m)
	code := codeIn(t, m)

	r := access.UpdateMe(t, MeUpdate{Locale: "zh-CN"})
	expect(t, r, http.StatusOK, "")
	if r.Body.Locale != "zh-CN" || r.Body.Username != "张小伟" || r.Header.Get("ETag") == "" {
		t.Fatalf("patched %s", r.Raw)
	}
	// Chinese: a reset code, and the notice to the old address once the new one is set.
	before := len(mailsTo(t, email))
	expect(t, fromNewIP().ForgotPassword(t, account), http.StatusAccepted, "")
	inChinese(t, nthMailTo(t, email, before+1))
	expect(t, access.VerifyEmailChange(t, moved, code), http.StatusOK, "")
	m = nthMailTo(t, email, before+2)
	inChinese(t, m)
	if m.Subject != "您的 Roster 邮箱地址已更改" {
		t.Fatalf("notice %q", m.Subject)
	}

	me := access.GetMe(t)
	if me.Body.User.Locale != "zh-CN" {
		t.Fatalf("/v1/me %s", me.Raw)
	}
	id := me.Body.User.ID
	if r := superAdmin(t).User(id).Get(t); r.Body.User.Locale != "zh-CN" {
		t.Fatalf("GET /v1/users/{id} %s", r.Raw)
	}
	// A list's users have no locale (ListedUser; the decoding refuses one).
	listed := superAdmin(t).ListUsers(t, url.Values{"q": {account}})
	if len(listed.Body.Items) != 1 || strings.Contains(listed.Raw, `"locale"`) {
		t.Fatalf("listed %s", listed.Raw)
	}

	// Both fields at once, and each alone; null leaves a field as it is.
	r = access.UpdateMe(t, MeUpdate{Locale: "en", Username: "Renamed_" + account})
	expect(t, r, http.StatusOK, "")
	if r.Body.Locale != "en" || r.Body.Username != "Renamed_"+account {
		t.Fatalf("patched both %s", r.Raw)
	}
	patched := send[User](t, access, "PATCH", "/v1/me", map[string]any{"locale": nil, "username": "张小伟"})
	expect(t, patched, http.StatusOK, "")
	if patched.Body.Locale != "en" || patched.Body.Username != "张小伟" {
		t.Fatalf("patched the name %s", patched.Raw)
	}
	// English again: an admin's reset, mailed to the new address.
	expect(t, superAdmin(t).User(id).ResetPassword(t, &PasswordReset{Notify: true}), http.StatusOK, "")
	inEnglish(t, nthMailTo(t, moved, 2), "张小伟")

	for _, tt := range []struct {
		name  string
		body  any
		field string
	}{
		{"nothing", map[string]any{}, "body"},
		{"only nulls", map[string]any{"locale": nil, "username": nil}, "body"},
		{"unknown locale", map[string]any{"locale": "fr"}, "locale"},
		{"locale of another case", map[string]any{"locale": "ZH-CN"}, "locale"},
		{"locale not a string", map[string]any{"locale": 1}, "locale"},
	} {
		r := access.Send(t, "PATCH", "/v1/me", tt.body)
		expect(t, r, http.StatusBadRequest, "invalid_request")
		if !named(r, tt.field) {
			t.Errorf("%s: fields.%s missing: %s", tt.name, tt.field, r.Raw)
		}
	}
}

// TestAdminCreatedLocale: an admin's new account takes the locale given, or the
// admin's page's, and its temporary password's email is in it.
func TestAdminCreatedLocale(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	for _, tt := range []struct {
		headers []string
		locale  string
		want    string
	}{{chinese, "", "zh-CN"}, {nil, "", "en"}, {chinese, "en", "en"}, {nil, "zh-CN", "zh-CN"}} {
		email, account := newEmail("adminloc"), unique("adminloc")
		r := root.with(tt.headers...).CreateUser(t, NewUser{Username: "Loc_" + account, LoginAccount: account, AccountType: "member",
			Email: email, Password: generated, Notify: true, Locale: tt.locale})
		expect(t, r, http.StatusCreated, "")
		if r.Body.User.Locale != tt.want {
			t.Fatalf("created %s, want locale %s", r.Raw, tt.want)
		}
		if m := mailTo(t, email); tt.want == "zh-CN" {
			inChinese(t, m)
		} else {
			inEnglish(t, m)
		}
	}
	r := root.Send(t, "POST", "/v1/users", map[string]any{"locale": "de"})
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if !named(r, "locale") {
		t.Fatalf("a bad locale: %s", r.Raw)
	}

	// A team manager's new employee too.
	managerID, manager := member(t)
	teamID, _ := newTeam(t, "")
	join(t, teamID, managerID, "admin")
	email, account := newEmail("emploc"), unique("emploc")
	added := manager.with(chinese...).Team(teamID).AddMember(t, MemberInput{
		NewUser: &NewUser{Username: "Employee", LoginAccount: account, Email: email, Password: generated, Notify: true},
		RoleIDs: []string{"member"},
	})
	expect(t, added, http.StatusCreated, "")
	inChinese(t, mailTo(t, email))
	if u := root.User(added.Body.User.ID).Get(t); u.Body.User.Locale != "zh-CN" {
		t.Fatalf("the employee: %s", u.Raw)
	}
	r = manager.Send(t, "POST", "/v1/teams/"+teamID+"/members", map[string]any{
		"newUser": map[string]any{"username": "Employee", "loginAccount": unique("emploc"), "password": map[string]any{"generate": true}, "locale": "ja"},
		"roleIds": []string{"member"},
	})
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if !named(r, "newUser.locale") {
		t.Fatalf("a bad locale under newUser: %s", r.Raw)
	}
}
