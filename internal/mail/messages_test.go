package mail

import (
	"os/exec"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/roster-dev/roster/internal/locale"
)

var expires = time.Date(2030, 3, 4, 5, 6, 0, 0, time.FixedZone("CST", 8*3600))

const (
	en = locale.English
	cn = locale.SimplifiedChinese
)

// TestMessages checks every message in every language: its recipient and subject,
// that each part is whole and ends with the footer of its language, that each part
// shows the values given and the words of its language, and none of the other's.
func TestMessages(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		msg     Message
		to      string
		subject string   // the whole expected subject
		both    []string // what each part must show
	}{
		{
			name:    "TemporaryPassword en",
			msg:     TemporaryPassword(en, "ann@example.com", "张三丰", "zhang.san", "tangerine-9x-Q", "https://console.example.com"),
			to:      "ann@example.com",
			subject: "Your Roster account",
			both: []string{"Hello 张三丰,", "zhang.san", "tangerine-9x-Q", "https://console.example.com/login", "Temporary password",
				"new one when you first sign in", "tell your administrator"},
		},
		{
			name:    "TemporaryPassword zh-CN",
			msg:     TemporaryPassword(cn, "ann@example.com", "张三丰", "zhang.san", "tangerine-9x-Q", "https://console.example.com"),
			to:      "ann@example.com",
			subject: "您的 Roster 账号",
			both: []string{"张三丰，您好：", "zhang.san", "tangerine-9x-Q", "https://console.example.com/login", "临时密码",
				"登录 Roster", "首次登录时需要设置一个新密码", "请告知您的管理员"},
		},
		{
			name:    "VerificationCode en",
			msg:     VerificationCode(en, "ann@example.com", "042917"),
			to:      "ann@example.com",
			subject: "Your Roster verification code",
			both:    []string{"042917", "Enter it to finish creating your account. It is valid for 10 minutes.", "no account is created without the code"},
		},
		{
			name:    "VerificationCode zh-CN",
			msg:     VerificationCode(cn, "ann@example.com", "042917"),
			to:      "ann@example.com",
			subject: "您的 Roster 验证码",
			both:    []string{"您的 Roster 验证码是：", "042917", "输入验证码即可完成账号注册。验证码 10 分钟内有效。", "没有验证码，任何账号都不会被创建"},
		},
		{
			name:    "RegistrationAttempt en",
			msg:     RegistrationAttempt(en, "ann@example.com", "https://console.example.com/"),
			to:      "ann@example.com",
			subject: "Someone tried to register with your email address",
			both: []string{"already belongs to an account", "If it was you, sign in at ", "https://console.example.com/login",
				"Reset my password", "https://console.example.com/forgot-password", "nothing about your account has changed"},
		},
		{
			name:    "RegistrationAttempt zh-CN",
			msg:     RegistrationAttempt(cn, "ann@example.com", "https://console.example.com/"),
			to:      "ann@example.com",
			subject: "有人尝试用您的邮箱地址注册 Roster",
			both: []string{"该地址已属于一个现有账号", "如果是您本人，请在 ", " 登录。如果忘记了密码，可以重置：", "https://console.example.com/login", "重置密码",
				"https://console.example.com/forgot-password", "您的账号没有任何变化"},
		},
		{
			name:    "PasswordResetCode en",
			msg:     PasswordResetCode(en, "ann@example.com", "550113"),
			to:      "ann@example.com",
			subject: "Your Roster password reset code",
			both:    []string{"550113", "Enter it with your new password. It is valid for 10 minutes.", "your password has not changed"},
		},
		{
			name:    "PasswordResetCode zh-CN",
			msg:     PasswordResetCode(cn, "ann@example.com", "550113"),
			to:      "ann@example.com",
			subject: "您的 Roster 密码重置验证码",
			both:    []string{"您的密码重置验证码是：", "550113", "请在设置新密码时输入此验证码。验证码 10 分钟内有效。", "您的密码没有改变"},
		},
		{
			name:    "EmailChangeCode en",
			msg:     EmailChangeCode(en, "new@example.com", "700007"),
			to:      "new@example.com",
			subject: "Confirm your new Roster email address",
			both:    []string{"700007", "It is valid for 10 minutes.", "no account uses this address until the code is entered"},
		},
		{
			name:    "EmailChangeCode zh-CN",
			msg:     EmailChangeCode(cn, "new@example.com", "700007"),
			to:      "new@example.com",
			subject: "确认您的 Roster 新邮箱地址",
			both:    []string{"请输入以下验证码：", "700007", "验证码 10 分钟内有效。", "任何账号都不会使用这个地址"},
		},
		{
			name:    "EmailChanged en",
			msg:     EmailChanged(en, "old@example.com", "n**@example.com"),
			to:      "old@example.com",
			subject: "Your Roster email address was changed",
			both:    []string{"was changed to ", "n**@example.com", "contact your administrator now"},
		},
		{
			name:    "EmailChanged zh-CN",
			msg:     EmailChanged(cn, "old@example.com", "n**@example.com"),
			to:      "old@example.com",
			subject: "您的 Roster 邮箱地址已更改",
			both:    []string{"账号邮箱已更改为 ", "n**@example.com", "立即联系您的管理员", "可能有其他人正在使用您的账号"},
		},
		{
			name:    "Invitation en",
			msg:     Invitation(en, "bob@example.com", "Sales East", "Ann Lee", "https://console.example.com/invitations/tok123", expires),
			to:      "bob@example.com",
			subject: "Ann Lee invited you to join Sales East on Roster",
			both: []string{"Sales East", "Ann Lee", "Accept the invitation", "https://console.example.com/invitations/tok123",
				"valid until 3 March 2030 at 21:06 UTC and can be used once"},
		},
		{
			name:    "Invitation zh-CN",
			msg:     Invitation(cn, "bob@example.com", "华东销售", "李安", "https://console.example.com/invitations/tok123", expires),
			to:      "bob@example.com",
			subject: "李安 邀请您加入 Roster 团队“华东销售”",
			both: []string{"李安", " 邀请您加入 Roster 上的团队“", "华东销售", "接受邀请", "https://console.example.com/invitations/tok123",
				"链接有效期至 2030年3月3日 21:06 UTC，仅可使用一次。"},
		},
		{
			name:    "Invitation without inviter en",
			msg:     Invitation(en, "bob@example.com", "Sales East", "", "https://console.example.com/invitations/tok123", expires),
			to:      "bob@example.com",
			subject: "You are invited to join Sales East on Roster",
			both:    []string{"You are invited to join the team", "https://console.example.com/invitations/tok123"},
		},
		{
			name:    "Invitation without inviter zh-CN",
			msg:     Invitation(cn, "bob@example.com", "华东销售", "", "https://console.example.com/invitations/tok123", expires),
			to:      "bob@example.com",
			subject: "您受邀加入 Roster 团队“华东销售”",
			both:    []string{"您受邀加入 Roster 上的团队“", "https://console.example.com/invitations/tok123"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := tc.msg
			f, other := english, chinese
			if strings.HasSuffix(tc.name, "zh-CN") {
				f, other = chinese, english
			}
			if len(m.To) != 1 || m.To[0] != tc.to {
				t.Errorf("To = %v, want [%s]", m.To, tc.to)
			}
			if m.Subject != tc.subject {
				t.Errorf("Subject = %q, want %q", m.Subject, tc.subject)
			}
			if !strings.HasPrefix(m.HTML, "<!DOCTYPE html>\n<html lang=\""+f.lang+"\">") || !strings.HasSuffix(strings.TrimSpace(m.HTML), "</html>") {
				t.Errorf("HTML part is not a whole document in %s:\n%s", f.lang, m.HTML)
			}
			if strings.Contains(m.Text, "<p>") || strings.Contains(m.Text, "&#") || strings.Contains(m.Text, "&amp;") {
				t.Errorf("text part holds HTML:\n%s", m.Text)
			}
			if !strings.HasSuffix(m.Text, "\n\n"+f.footer+"\n") || !strings.Contains(m.HTML, f.footer) {
				t.Errorf("a part lacks the footer:\n%s\n%s", m.Text, m.HTML)
			}
			for _, part := range []struct{ name, body string }{{"text", m.Text}, {"html", m.HTML}} {
				for _, want := range tc.both {
					if !strings.Contains(part.body, want) {
						t.Errorf("%s part does not contain %q:\n%s", part.name, want, part.body)
					}
				}
				if strings.Contains(part.body, other.footer) {
					t.Errorf("%s part holds the other language's footer:\n%s", part.name, part.body)
				}
			}
			// A Chinese message is written in Chinese, an English one in English
			// only (the values given are the only non-ASCII in the English tests
			// but for the username of TemporaryPassword's).
			if f == chinese && !hasHan(m.Text) {
				t.Errorf("the zh-CN text part has no Chinese:\n%s", m.Text)
			}
			if f == english && hasHan(strings.ReplaceAll(m.Text, "张三丰", "")) {
				t.Errorf("the English text part holds Chinese:\n%s", m.Text)
			}
		})
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

// TestUnknownLocaleIsEnglish: a locale Roster does not speak gets English.
func TestUnknownLocaleIsEnglish(t *testing.T) {
	t.Parallel()
	for _, l := range []locale.Locale{"", "fr", "zh-TW"} {
		if got, want := VerificationCode(l, "a@example.com", "1"), VerificationCode(en, "a@example.com", "1"); got.Subject != want.Subject || got.Text != want.Text || got.HTML != want.HTML {
			t.Errorf("VerificationCode(%q) is not the English one: %q", l, got.Subject)
		}
	}
}

// TestHTMLEscaping checks that every value a caller passes in reaches the
// HTML part escaped, and the text part unchanged.
func TestHTMLEscaping(t *testing.T) {
	t.Parallel()
	const (
		evil    = `<script>alert("x")</script>&'`
		escaped = `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&#39;`
		// A link that is http but would break out of an href if unescaped.
		evilLink    = `https://c.example.com/i/t?a="><script>x</script>`
		escapedLink = `https://c.example.com/i/t?a=&#34;&gt;&lt;script&gt;x&lt;/script&gt;`
	)
	type escapeCase struct {
		name      string
		msg       Message
		raw, want string
	}
	var cases []escapeCase
	for _, l := range locale.All {
		cases = append(cases, []escapeCase{
			{"TemporaryPassword username " + string(l), TemporaryPassword(l, "a@example.com", evil, "login", "pw-pw-pw-pw-pw", "https://c.example.com"), evil, escaped},
			{"TemporaryPassword login account " + string(l), TemporaryPassword(l, "a@example.com", "ann", evil, "pw-pw-pw-pw-pw", "https://c.example.com"), evil, escaped},
			{"TemporaryPassword password " + string(l), TemporaryPassword(l, "a@example.com", "ann", "login", evil, "https://c.example.com"), evil, escaped},
			{"TemporaryPassword console URL " + string(l), TemporaryPassword(l, "a@example.com", "ann", "login", "pw", evilLink), evilLink, escapedLink},
			{"VerificationCode " + string(l), VerificationCode(l, "a@example.com", evil), evil, escaped},
			{"RegistrationAttempt console URL " + string(l), RegistrationAttempt(l, "a@example.com", evilLink), evilLink, escapedLink},
			{"EmailChanged " + string(l), EmailChanged(l, "a@example.com", evil), evil, escaped},
			{"Invitation team " + string(l), Invitation(l, "a@example.com", evil, "Ann", "https://c.example.com/i/t", expires), evil, escaped},
			{"Invitation inviter " + string(l), Invitation(l, "a@example.com", "Sales", evil, "https://c.example.com/i/t", expires), evil, escaped},
			{"Invitation link " + string(l), Invitation(l, "a@example.com", "Sales", "Ann", evilLink, expires), evilLink, escapedLink},
		}...)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if strings.Contains(tc.msg.HTML, "<script>") {
				t.Fatalf("HTML part holds the raw value:\n%s", tc.msg.HTML)
			}
			if !strings.Contains(tc.msg.HTML, tc.want) {
				t.Fatalf("HTML part does not hold the escaped value %q:\n%s", tc.want, tc.msg.HTML)
			}
			if !strings.Contains(tc.msg.Text, tc.raw) {
				t.Fatalf("text part does not hold the value unchanged:\n%s", tc.msg.Text)
			}
		})
	}
}

// TestUnsafeLinkIsNeutralised checks that only absolute http and https links
// become an href; anything else (a script, a data URL, a scheme-relative or
// relative link) is replaced, in every message with a link.
func TestUnsafeLinkIsNeutralised(t *testing.T) {
	t.Parallel()
	for _, link := range []string{
		"javascript:alert(1)",
		"JavaScript:alert(1)",
		" javascript:alert(1)",
		"java\tscript:alert(1)",
		"data:text/html;base64,PHNjcmlwdD4=",
		"vbscript:msgbox(1)",
		"mailto:x@example.com",
		"//evil.example.com/i/t",
		"/invitations/t",
		"https:",
		"",
	} {
		for name, m := range map[string]Message{
			"Invitation":                Invitation(en, "a@example.com", "Sales", "Ann", link, expires),
			"Invitation zh-CN":          Invitation(cn, "a@example.com", "Sales", "Ann", link, expires),
			"TemporaryPassword":         TemporaryPassword(en, "a@example.com", "ann", "login", "pw", link),
			"TemporaryPassword zh-CN":   TemporaryPassword(cn, "a@example.com", "ann", "login", "pw", link),
			"RegistrationAttempt":       RegistrationAttempt(en, "a@example.com", link),
			"RegistrationAttempt zh-CN": RegistrationAttempt(cn, "a@example.com", link),
		} {
			hrefs := hrefsOf(m.HTML)
			if len(hrefs) == 0 {
				t.Fatalf("%s(%q): HTML part has no link:\n%s", name, link, m.HTML)
			}
			for _, h := range hrefs {
				if h != unsafeURL {
					t.Errorf("%s(%q): href=%q, want %q", name, link, h, unsafeURL)
				}
			}
		}
	}
	for _, link := range []string{"https://c.example.com/i/t", "HTTPS://c.example.com/i/t", "http://localhost:3000/i/t"} {
		m := Invitation(en, "a@example.com", "Sales", "Ann", link, expires)
		if hrefs := hrefsOf(m.HTML); len(hrefs) != 1 || hrefs[0] != link {
			t.Errorf("Invitation(%q): hrefs %q, want [%q]", link, hrefs, link)
		}
	}
}

// hrefsOf returns the values of the href attributes in page, as written.
func hrefsOf(page string) []string {
	var out []string
	for _, part := range strings.Split(page, `href="`)[1:] {
		v, _, _ := strings.Cut(part, `"`)
		out = append(out, v)
	}
	return out
}

func TestSubjectIsOneLine(t *testing.T) {
	t.Parallel()
	m := Invitation(en, "a@example.com", "Sales\r\nBcc: x@example.com", "Ann\n", "https://c.example.com/i/t", expires)
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Fatalf("Subject = %q, holds a line break", m.Subject)
	}
	if want := "Ann  invited you to join Sales  Bcc: x@example.com on Roster"; m.Subject != want {
		t.Fatalf("Subject = %q, want %q", m.Subject, want)
	}
}

// TestBlocks pins down how each kind of block is written in each part: the
// text part carries the same words as the HTML part, without markup.
func TestBlocks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		block      block
		frame      *frame
		text, html string
	}{
		{"paragraph", p(txt("a < b")), english, "a < b", "<p>a &lt; b</p>"},
		{"note", note(txt("aside")), english, "aside", `<p style="color:#6a737d;">aside</p>`},
		{"bold", p(txt("to "), bold(`A&B`), txt(".")), english, "to A&B.", "<p>to <strong>A&amp;B</strong>.</p>"},
		{"link", p(txt("at "), href("https://x.example/?a=1&b=2"), txt(".")), english,
			"at https://x.example/?a=1&b=2.",
			`<p>at <a href="https://x.example/?a=1&amp;b=2">https://x.example/?a=1&amp;b=2</a>.</p>`},
		{"code", code("042917"), english, "042917", `<p style="` + codeStyle + `">042917</p>`},
		{"fields", fields{{"Login", "ann"}, {"Password", "p<w"}}, english, "Login: ann\nPassword: p<w",
			`<table role="presentation" cellspacing="0" cellpadding="0" border="0" style="margin:16px 0;">` + "\n" +
				`<tr><td style="padding:4px 16px 4px 0;color:#6a737d;">Login</td><td style="padding:4px 0;` + monoStyle + `">ann</td></tr>` + "\n" +
				`<tr><td style="padding:4px 16px 4px 0;color:#6a737d;">Password</td><td style="padding:4px 0;` + monoStyle + `">p&lt;w</td></tr>` + "\n" +
				"</table>"},
		{"button", button{"Go", "https://x.example/go"}, english, "Go:\nhttps://x.example/go",
			`<p><a href="https://x.example/go" style="` + buttonStyle + `">Go</a></p>` + "\n" +
				`<p style="color:#6a737d;word-break:break-all;">If the button does not work, open https://x.example/go</p>`},
		{"fields zh-CN", fields{{"登录账号", "ann"}}, chinese, "登录账号：ann",
			`<table role="presentation" cellspacing="0" cellpadding="0" border="0" style="margin:16px 0;">` + "\n" +
				`<tr><td style="padding:4px 16px 4px 0;color:#6a737d;">登录账号</td><td style="padding:4px 0;` + monoStyle + `">ann</td></tr>` + "\n" +
				"</table>"},
		{"button zh-CN", button{"接受邀请", "https://x.example/go"}, chinese, "接受邀请：\nhttps://x.example/go",
			`<p><a href="https://x.example/go" style="` + buttonStyle + `">接受邀请</a></p>` + "\n" +
				`<p style="color:#6a737d;word-break:break-all;">如果按钮无法点击，请在浏览器中打开：https://x.example/go</p>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var text, page strings.Builder
			tc.block.writeText(&text, tc.frame)
			tc.block.writeHTML(&page, tc.frame)
			if text.String() != tc.text {
				t.Errorf("text = %q, want %q", text.String(), tc.text)
			}
			if page.String() != tc.html {
				t.Errorf("html = %q, want %q", page.String(), tc.html)
			}
		})
	}
}

// TestCompose checks the layout around the blocks: blank lines between blocks
// and the footer in the text part, a whole document in the HTML part.
func TestCompose(t *testing.T) {
	t.Parallel()
	for _, f := range []struct {
		locale locale.Locale
		frame  *frame
	}{{en, english}, {cn, chinese}} {
		m := compose(f.locale, "a@example.com", "Hi", p(txt("one")), code("two"))
		if want := "one\n\ntwo\n\n" + f.frame.footer + "\n"; m.Text != want {
			t.Errorf("%s: Text = %q, want %q", f.locale, m.Text, want)
		}
		if want := htmlHead(f.frame) + "<p>one</p>\n" + `<p style="` + codeStyle + `">two</p>` + "\n" + htmlFoot(f.frame); m.HTML != want {
			t.Errorf("%s: HTML = %q, want %q", f.locale, m.HTML, want)
		}
		if want := `<html lang="` + string(f.locale) + `">`; !strings.Contains(m.HTML, want) {
			t.Errorf("%s: HTML does not declare its language %s", f.locale, want)
		}
	}
}

// TestNoReflectiveTemplates guards the binary size of every function that
// sends mail: text/template and html/template call methods by name through
// reflection, which stops the linker from dropping unused methods and doubled
// those binaries.
func TestNoReflectiveTemplates(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list this package's dependencies")
	}
	out, err := exec.CommandContext(t.Context(), goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "text/template" || dep == "html/template" {
			t.Errorf("internal/mail depends on %s", dep)
		}
	}
}

func BenchmarkMessage(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Invitation(en, "a@example.com", "Sales", "Ann", "https://c.example.com/i/t", expires)
	}
}
