package mail

import (
	htmltemplate "html/template"
	"strings"
	"testing"
	"time"
)

var expires = time.Date(2030, 3, 4, 5, 6, 0, 0, time.FixedZone("CST", 8*3600))

func TestTemplates(t *testing.T) {
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
			for _, part := range []struct{ name, body string }{{"text", m.Text}, {"html", m.HTML}} {
				if strings.Contains(part.body, "<no value>") {
					t.Errorf("%s part has a missing value:\n%s", part.name, part.body)
				}
				for _, want := range tc.both {
					if !strings.Contains(part.body, want) {
						t.Errorf("%s part does not contain %q:\n%s", part.name, want, part.body)
					}
				}
			}
		})
	}
}

// TestHTMLEscaping checks that every value a user can choose reaches the HTML
// part escaped, and the text part unchanged.
func TestHTMLEscaping(t *testing.T) {
	t.Parallel()
	const evil = `<script>alert("x")</script>&'`
	cases := []struct {
		name string
		msg  Message
	}{
		{"TemporaryPassword username", TemporaryPassword("a@example.com", evil, "login", "pw-pw-pw-pw-pw", "https://c.example.com")},
		{"TemporaryPassword password", TemporaryPassword("a@example.com", "ann", "login", evil, "https://c.example.com")},
		{"EmailChanged", EmailChanged("a@example.com", evil)},
		{"Invitation team", Invitation("a@example.com", evil, "Ann", "https://c.example.com/i/t", expires)},
		{"Invitation inviter", Invitation("a@example.com", "Sales", evil, "https://c.example.com/i/t", expires)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if strings.Contains(tc.msg.HTML, "<script>") {
				t.Fatalf("HTML part holds the raw value:\n%s", tc.msg.HTML)
			}
			if !strings.Contains(tc.msg.HTML, htmltemplate.HTMLEscapeString(evil)) {
				t.Fatalf("HTML part does not hold the escaped value %q:\n%s", htmltemplate.HTMLEscapeString(evil), tc.msg.HTML)
			}
			if !strings.Contains(tc.msg.Text, evil) {
				t.Fatalf("text part does not hold the value unchanged:\n%s", tc.msg.Text)
			}
		})
	}
}

func TestUnsafeLinkIsNeutralised(t *testing.T) {
	t.Parallel()
	m := Invitation("a@example.com", "Sales", "Ann", "javascript:alert(1)", expires)
	if strings.Contains(m.HTML, `href="javascript:`) {
		t.Fatalf("HTML part links to a script:\n%s", m.HTML)
	}
}

func TestSubjectIsOneLine(t *testing.T) {
	t.Parallel()
	m := Invitation("a@example.com", "Sales\r\nBcc: x@example.com", "Ann\n", "https://c.example.com/i/t", expires)
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Fatalf("Subject = %q, holds a line break", m.Subject)
	}
}

// BenchmarkFirstMessage measures what the first email of a cold function pays:
// parsing every embedded template, then rendering one message.
func BenchmarkFirstMessage(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		parseTemplates()
		VerificationCode("a@example.com", "123456")
	}
}

// BenchmarkMessage measures rendering once the templates are parsed.
func BenchmarkMessage(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Invitation("a@example.com", "Sales", "Ann", "https://c.example.com/i/t", expires)
	}
}
