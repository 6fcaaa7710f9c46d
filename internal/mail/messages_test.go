package mail

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

var expires = time.Date(2030, 3, 4, 5, 6, 0, 0, time.FixedZone("CST", 8*3600))

func TestMessages(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		msg     Message
		to      string
		subject string   // part of the expected subject
		both    []string // values each part must show
	}{
		{
			name:    "TemporaryPassword",
			msg:     TemporaryPassword("ann@example.com", "张三丰", "zhang.san", "tangerine-9x-Q", "https://console.example.com"),
			to:      "ann@example.com",
			subject: "Your Roster account",
			both:    []string{"张三丰", "zhang.san", "tangerine-9x-Q", "https://console.example.com/login", "new one when you first sign in"},
		},
		{
			name:    "VerificationCode",
			msg:     VerificationCode("ann@example.com", "042917"),
			to:      "ann@example.com",
			subject: "verification code",
			both:    []string{"042917", "10 minutes"},
		},
		{
			name:    "RegistrationAttempt",
			msg:     RegistrationAttempt("ann@example.com", "https://console.example.com/"),
			to:      "ann@example.com",
			subject: "tried to register",
			both:    []string{"https://console.example.com/forgot-password", "https://console.example.com/login"},
		},
		{
			name:    "PasswordResetCode",
			msg:     PasswordResetCode("ann@example.com", "550113"),
			to:      "ann@example.com",
			subject: "password reset code",
			both:    []string{"550113", "10 minutes"},
		},
		{
			name:    "EmailChangeCode",
			msg:     EmailChangeCode("new@example.com", "700007"),
			to:      "new@example.com",
			subject: "Confirm your new",
			both:    []string{"700007", "10 minutes"},
		},
		{
			name:    "EmailChanged",
			msg:     EmailChanged("old@example.com", "n**@example.com"),
			to:      "old@example.com",
			subject: "email address was changed",
			both:    []string{"n**@example.com", "contact your administrator"},
		},
		{
			name:    "Invitation",
			msg:     Invitation("bob@example.com", "Sales East", "Ann Lee", "https://console.example.com/invitations/tok123", expires),
			to:      "bob@example.com",
			subject: "Ann Lee invited you to join Sales East",
			both:    []string{"Sales East", "Ann Lee", "https://console.example.com/invitations/tok123", "3 March 2030 at 21:06 UTC"},
		},
		{
			name:    "Invitation without inviter",
			msg:     Invitation("bob@example.com", "Sales East", "", "https://console.example.com/invitations/tok123", expires),
			to:      "bob@example.com",
			subject: "You are invited to join Sales East",
			both:    []string{"You are invited", "https://console.example.com/invitations/tok123"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := tc.msg
			if len(m.To) != 1 || m.To[0] != tc.to {
				t.Errorf("To = %v, want [%s]", m.To, tc.to)
			}
			if !strings.Contains(m.Subject, tc.subject) {
				t.Errorf("Subject = %q, want it to contain %q", m.Subject, tc.subject)
			}
			if !strings.HasPrefix(m.HTML, "<!DOCTYPE html>") || !strings.HasSuffix(strings.TrimSpace(m.HTML), "</html>") {
				t.Errorf("HTML part is not a whole document:\n%s", m.HTML)
			}
			if strings.Contains(m.Text, "<p>") || strings.Contains(m.Text, "&#") || strings.Contains(m.Text, "&amp;") {
				t.Errorf("text part holds HTML:\n%s", m.Text)
			}
			if !strings.HasSuffix(m.Text, "\n\n"+footer+"\n") || !strings.Contains(m.HTML, footer) {
				t.Errorf("a part lacks the footer:\n%s\n%s", m.Text, m.HTML)
			}
			for _, part := range []struct{ name, body string }{{"text", m.Text}, {"html", m.HTML}} {
				for _, want := range tc.both {
					if !strings.Contains(part.body, want) {
						t.Errorf("%s part does not contain %q:\n%s", part.name, want, part.body)
					}
				}
			}
		})
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
	cases := []struct {
		name      string
		msg       Message
		raw, want string
	}{
		{"TemporaryPassword username", TemporaryPassword("a@example.com", evil, "login", "pw-pw-pw-pw-pw", "https://c.example.com"), evil, escaped},
		{"TemporaryPassword login account", TemporaryPassword("a@example.com", "ann", evil, "pw-pw-pw-pw-pw", "https://c.example.com"), evil, escaped},
		{"TemporaryPassword password", TemporaryPassword("a@example.com", "ann", "login", evil, "https://c.example.com"), evil, escaped},
		{"TemporaryPassword console URL", TemporaryPassword("a@example.com", "ann", "login", "pw", evilLink), evilLink, escapedLink},
		{"VerificationCode", VerificationCode("a@example.com", evil), evil, escaped},
		{"RegistrationAttempt console URL", RegistrationAttempt("a@example.com", evilLink), evilLink, escapedLink},
		{"EmailChanged", EmailChanged("a@example.com", evil), evil, escaped},
		{"Invitation team", Invitation("a@example.com", evil, "Ann", "https://c.example.com/i/t", expires), evil, escaped},
		{"Invitation inviter", Invitation("a@example.com", "Sales", evil, "https://c.example.com/i/t", expires), evil, escaped},
		{"Invitation link", Invitation("a@example.com", "Sales", "Ann", evilLink, expires), evilLink, escapedLink},
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
			"Invitation":          Invitation("a@example.com", "Sales", "Ann", link, expires),
			"TemporaryPassword":   TemporaryPassword("a@example.com", "ann", "login", "pw", link),
			"RegistrationAttempt": RegistrationAttempt("a@example.com", link),
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
		m := Invitation("a@example.com", "Sales", "Ann", link, expires)
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
	m := Invitation("a@example.com", "Sales\r\nBcc: x@example.com", "Ann\n", "https://c.example.com/i/t", expires)
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
		text, html string
	}{
		{"paragraph", p(txt("a < b")), "a < b", "<p>a &lt; b</p>"},
		{"note", note(txt("aside")), "aside", `<p style="color:#6a737d;">aside</p>`},
		{"bold", p(txt("to "), bold(`A&B`), txt(".")), "to A&B.", "<p>to <strong>A&amp;B</strong>.</p>"},
		{"link", p(txt("at "), href("https://x.example/?a=1&b=2"), txt(".")),
			"at https://x.example/?a=1&b=2.",
			`<p>at <a href="https://x.example/?a=1&amp;b=2">https://x.example/?a=1&amp;b=2</a>.</p>`},
		{"code", code("042917"), "042917", `<p style="` + codeStyle + `">042917</p>`},
		{"fields", fields{{"Login", "ann"}, {"Password", "p<w"}}, "Login: ann\nPassword: p<w",
			`<table role="presentation" cellspacing="0" cellpadding="0" border="0" style="margin:16px 0;">` + "\n" +
				`<tr><td style="padding:4px 16px 4px 0;color:#6a737d;">Login</td><td style="padding:4px 0;` + monoStyle + `">ann</td></tr>` + "\n" +
				`<tr><td style="padding:4px 16px 4px 0;color:#6a737d;">Password</td><td style="padding:4px 0;` + monoStyle + `">p&lt;w</td></tr>` + "\n" +
				"</table>"},
		{"button", button{"Go", "https://x.example/go"}, "Go:\nhttps://x.example/go",
			`<p><a href="https://x.example/go" style="` + buttonStyle + `">Go</a></p>` + "\n" +
				`<p style="color:#6a737d;word-break:break-all;">If the button does not work, open https://x.example/go</p>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var text, page strings.Builder
			tc.block.writeText(&text)
			tc.block.writeHTML(&page)
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
	m := compose("a@example.com", "Hi", p(txt("one")), code("two"))
	if want := "one\n\ntwo\n\n" + footer + "\n"; m.Text != want {
		t.Errorf("Text = %q, want %q", m.Text, want)
	}
	if want := htmlHead + "<p>one</p>\n" + `<p style="` + codeStyle + `">two</p>` + "\n" + htmlFoot; m.HTML != want {
		t.Errorf("HTML = %q, want %q", m.HTML, want)
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
		Invitation("a@example.com", "Sales", "Ann", "https://c.example.com/i/t", expires)
	}
}
