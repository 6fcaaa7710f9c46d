package e2e

import (
	"net/http"
	"strings"
	"testing"
	"unicode"
)

// Emails are in their reader's language: an account's locale, or for an address no
// account holds, the request's Accept-Language (the console sends its own language).

var (
	chinese = map[string]string{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
	english = map[string]string{"Accept-Language": "en-GB,en;q=0.9"}
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

// askCode asks for a registration code with headers and answers its email.
func askCode(t *testing.T, client *http.Client, email string, headers map[string]string) mail {
	t.Helper()
	before := len(mailsTo(t, email))
	expect(t, send(t, client, "", "POST", "/v1/auth/verification-codes", headers, map[string]string{"email": email}), http.StatusAccepted, "")
	return nthMailTo(t, email, before+1)
}

func TestRegistrationInChinese(t *testing.T) {
	t.Parallel()
	client := fromNewIP()
	email := newEmail("zh")
	m := askCode(t, client, email, chinese)
	inChinese(t, m)
	if m.Subject != "您的 Roster 验证码" || !strings.Contains(m.Text, "验证码 10 分钟内有效") {
		t.Fatalf("code email %q:\n%s", m.Subject, m.Text)
	}

	// Registered from a Chinese page without naming a locale, the account's is zh-CN.
	account := unique("zh")
	r := send(t, client, "", "POST", "/v1/auth/register", chinese, registration(account, email, codeIn(t, m)))
	expect(t, r, http.StatusCreated, "")
	if r.str("user", "locale") != "zh-CN" {
		t.Fatalf("registered %s", r.Raw)
	}
	access, _, _ := login(t, account, selfPassword)
	if me := call(t, access, "GET", "/v1/me", nil); me.str("user", "locale") != "zh-CN" {
		t.Fatalf("/v1/me %s", me.Raw)
	}

}

// TestAccountLanguageWins: mail to an address an account holds is in the account's
// language, whatever the request's: a registration attempt with it, a reset code.
func TestAccountLanguageWins(t *testing.T) {
	t.Parallel()
	email, account := newEmail("zhholder"), unique("zhholder")
	r := call(t, superAdmin(t), "POST", "/v1/users", map[string]any{
		"username": "Holder_" + account, "loginAccount": account, "accountType": "member",
		"email": email, "password": map[string]any{"generate": true}, "locale": "zh-CN",
	})
	expect(t, r, http.StatusCreated, "")
	m := askCode(t, fromNewIP(), email, english)
	inChinese(t, m)
	if m.Subject != "有人尝试用您的邮箱地址注册 Roster" || !strings.Contains(m.Text, "重置密码") {
		t.Fatalf("notice %q:\n%s", m.Subject, m.Text)
	}
	before := len(mailsTo(t, email))
	expect(t, send(t, fromNewIP(), "", "POST", "/v1/auth/password/forgot", english, map[string]string{"loginAccount": account}), http.StatusAccepted, "")
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
		headers map[string]string
		locale  any // the body's, nil for none
		want    string
	}{
		{"no header, no field", nil, nil, "en"},
		{"English page", english, nil, "en"},
		{"Chinese page", chinese, nil, "zh-CN"},
		{"a language Roster does not speak", map[string]string{"Accept-Language": "fr-FR,fr;q=0.9"}, nil, "en"},
		{"the field wins over the header", chinese, "en", "en"},
		{"the field alone", nil, "zh-CN", "zh-CN"},
	}
	for _, tt := range tests {
		client := fromNewIP()
		email := newEmail("loc")
		body := map[string]any{}
		for k, v := range registration(unique("loc"), email, requestCode(t, client, email)) {
			body[k] = v
		}
		if tt.locale != nil {
			body["locale"] = tt.locale
		}
		r := send(t, client, "", "POST", "/v1/auth/register", tt.headers, body)
		expect(t, r, http.StatusCreated, "")
		if r.str("user", "locale") != tt.want {
			t.Errorf("%s: locale %q, want %q", tt.name, r.str("user", "locale"), tt.want)
		}
	}

	// A locale Roster does not speak is named, with the other bad fields.
	for _, bad := range []any{"fr", "zh-cn", "", "EN", 7} {
		body := map[string]any{"username": "x", "locale": bad}
		r := send(t, fromNewIP(), "", "POST", "/v1/auth/register", nil, body)
		expect(t, r, http.StatusBadRequest, "invalid_request")
		if r.get("error", "fields", "locale") == nil || r.get("error", "fields", "loginAccount") == nil {
			t.Errorf("locale %v: %s", bad, r.Raw)
		}
	}
}

func TestInvitationEmailLanguage(t *testing.T) {
	t.Parallel()
	managerID, manager := member(t)
	teamID, teamName := newTeam(t, "")
	join(t, teamID, managerID, "admin")
	links := "/v1/teams/" + teamID + "/invitations"

	// An address without an account gets the inviter's language, from the request.
	email := newEmail("zhinvite")
	r := send(t, fromNewIP(), manager, "POST", links, chinese, map[string]any{"email": email, "roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	m := mailTo(t, email)
	inChinese(t, m)
	if !strings.Contains(m.Subject, "邀请您加入 Roster 团队“"+teamName+"”") || !strings.Contains(m.Text, "接受邀请") {
		t.Fatalf("invitation %q:\n%s", m.Subject, m.Text)
	}
	tokenIn(t, m)
	// Resent from an English page, it is in English.
	expect(t, send(t, fromNewIP(), manager, "POST", links+"/"+r.str("id")+"/resend", english, nil), http.StatusOK, "")
	m = nthMailTo(t, email, 2)
	inEnglish(t, m, teamName)
	if !strings.Contains(m.Subject, "invited you to join "+teamName) {
		t.Fatalf("resent invitation %q", m.Subject)
	}

	// An address an account holds gets the account's language, whatever the page's.
	holder := newEmail("enholder")
	adminCreated(t, holder)
	expect(t, send(t, fromNewIP(), manager, "POST", links, chinese, map[string]any{"email": holder, "roleIds": []string{"member"}}), http.StatusCreated, "")
	inEnglish(t, mailTo(t, holder), teamName)
}

// TestPatchedLocaleChangesEmails: a user's locale, set with PATCH /v1/me, is the
// language of its next email, and is in every answer about the user but lists. (Each
// email is of another kind: one kind's re-send rule would hold the next for a minute.)
func TestPatchedLocaleChangesEmails(t *testing.T) {
	t.Parallel()
	account, email := registerMember(t)
	access, _, _ := login(t, account, selfPassword)
	moved := newEmail("moved")

	// English: the code for a new address.
	expect(t, call(t, access, "POST", "/v1/me/email", map[string]string{"email": moved}), http.StatusAccepted, "")
	m := mailTo(t, moved)
	inEnglish(t, m)
	code := codeIn(t, m)

	r := call(t, access, "PATCH", "/v1/me", map[string]any{"locale": "zh-CN"})
	expect(t, r, http.StatusOK, "")
	if r.str("locale") != "zh-CN" || r.str("username") != "张小伟" || r.Header.Get("ETag") == "" {
		t.Fatalf("patched %s", r.Raw)
	}
	// Chinese: a reset code, and the notice to the old address once the new one is set.
	before := len(mailsTo(t, email))
	expect(t, forgot(t, fromNewIP(), account), http.StatusAccepted, "")
	inChinese(t, nthMailTo(t, email, before+1))
	expect(t, call(t, access, "POST", "/v1/me/email/verify", map[string]string{"email": moved, "code": code}), http.StatusOK, "")
	m = nthMailTo(t, email, before+2)
	inChinese(t, m)
	if m.Subject != "您的 Roster 邮箱地址已更改" {
		t.Fatalf("notice %q", m.Subject)
	}

	me := call(t, access, "GET", "/v1/me", nil)
	if me.str("user", "locale") != "zh-CN" {
		t.Fatalf("/v1/me %s", me.Raw)
	}
	id := me.str("user", "id")
	if r := call(t, superAdmin(t), "GET", "/v1/users/"+id, nil); r.str("user", "locale") != "zh-CN" {
		t.Fatalf("GET /v1/users/{id} %s", r.Raw)
	}
	listed := call(t, superAdmin(t), "GET", "/v1/users?q="+account, nil).items()
	if len(listed) != 1 {
		t.Fatalf("listed %v", listed)
	}
	if _, present := listed[0]["locale"]; present {
		t.Fatalf("a list shows the locale: %v", listed[0])
	}

	// Both fields at once, and each alone; null leaves a field as it is.
	r = call(t, access, "PATCH", "/v1/me", map[string]any{"locale": "en", "username": "Renamed_" + account})
	expect(t, r, http.StatusOK, "")
	if r.str("locale") != "en" || r.str("username") != "Renamed_"+account {
		t.Fatalf("patched both %s", r.Raw)
	}
	r = call(t, access, "PATCH", "/v1/me", map[string]any{"locale": nil, "username": "张小伟"})
	expect(t, r, http.StatusOK, "")
	if r.str("locale") != "en" || r.str("username") != "张小伟" {
		t.Fatalf("patched the name %s", r.Raw)
	}
	// English again: an admin's reset, mailed to the new address.
	expect(t, call(t, superAdmin(t), "POST", "/v1/users/"+id+"/password-reset", map[string]any{"notify": true}), http.StatusOK, "")
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
		r := call(t, access, "PATCH", "/v1/me", tt.body)
		expect(t, r, http.StatusBadRequest, "invalid_request")
		if r.get("error", "fields", tt.field) == nil {
			t.Errorf("%s: fields.%s missing: %s", tt.name, tt.field, r.Raw)
		}
	}
}

// TestAdminCreatedLocale: an admin's new account takes the locale given, or the
// admin's page's, and its temporary password's email is in it.
func TestAdminCreatedLocale(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		headers map[string]string
		locale  any
		want    string
	}{{chinese, nil, "zh-CN"}, {nil, nil, "en"}, {chinese, "en", "en"}, {nil, "zh-CN", "zh-CN"}} {
		email, account := newEmail("adminloc"), unique("adminloc")
		body := map[string]any{"username": "Loc_" + account, "loginAccount": account, "accountType": "member",
			"email": email, "password": map[string]any{"generate": true}, "notify": true}
		if tt.locale != nil {
			body["locale"] = tt.locale
		}
		r := send(t, httpClient, superAdmin(t), "POST", "/v1/users", tt.headers, body)
		expect(t, r, http.StatusCreated, "")
		if r.str("user", "locale") != tt.want {
			t.Fatalf("created %s, want locale %s", r.Raw, tt.want)
		}
		if m := mailTo(t, email); tt.want == "zh-CN" {
			inChinese(t, m)
		} else {
			inEnglish(t, m)
		}
	}
	r := call(t, superAdmin(t), "POST", "/v1/users", map[string]any{"locale": "de"})
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if r.get("error", "fields", "locale") == nil {
		t.Fatalf("a bad locale: %s", r.Raw)
	}

	// A team manager's new employee too.
	managerID, manager := member(t)
	teamID, _ := newTeam(t, "")
	join(t, teamID, managerID, "admin")
	email, account := newEmail("emploc"), unique("emploc")
	r = send(t, httpClient, manager, "POST", "/v1/teams/"+teamID+"/members", chinese, map[string]any{
		"newUser": map[string]any{"username": "Employee", "loginAccount": account, "email": email,
			"password": map[string]any{"generate": true}, "notify": true},
		"roleIds": []string{"member"},
	})
	expect(t, r, http.StatusCreated, "")
	inChinese(t, mailTo(t, email))
	if u := call(t, superAdmin(t), "GET", "/v1/users/"+r.str("user", "id"), nil); u.str("user", "locale") != "zh-CN" {
		t.Fatalf("the employee: %s", u.Raw)
	}
	r = call(t, manager, "POST", "/v1/teams/"+teamID+"/members", map[string]any{
		"newUser": map[string]any{"username": "Employee", "loginAccount": unique("emploc"), "password": map[string]any{"generate": true}, "locale": "ja"},
		"roleIds": []string{"member"},
	})
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if r.get("error", "fields", "newUser.locale") == nil {
		t.Fatalf("a bad locale under newUser: %s", r.Raw)
	}
}
