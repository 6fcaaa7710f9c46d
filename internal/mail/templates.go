package mail

import (
	"embed"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"
	"unicode"
)

// CodeValidity is how long an emailed code (registration, password reset,
// email change) is valid, as SPEC.md section 5 says and as the emails tell
// their readers. Code issuers should use this constant so the two cannot drift.
const CodeValidity = 10 * time.Minute

// templateFS holds one text and one HTML template per message, plus a layout
// of each kind that frames them. The HTML ones are html/template, so every
// value (a username, a team name, a link) is escaped for its context; the text
// ones are text/template, because escaping would corrupt a plain-text part.
//
//go:embed templates
var templateFS embed.FS

// pair is one message's two templates.
type pair struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// The message names; each has templates/<name>.txt and templates/<name>.html.
const (
	tmplTemporaryPassword   = "temporary_password"
	tmplVerificationCode    = "verification_code"
	tmplRegistrationAttempt = "registration_attempt"
	tmplPasswordResetCode   = "password_reset_code"
	tmplEmailChangeCode     = "email_change_code"
	tmplEmailChanged        = "email_changed"
	tmplInvitation          = "invitation"
)

var templateNames = []string{
	tmplTemporaryPassword, tmplVerificationCode, tmplRegistrationAttempt,
	tmplPasswordResetCode, tmplEmailChangeCode, tmplEmailChanged, tmplInvitation,
}

// templates parses every template once, on first use rather than at init:
// most functions never send mail and should not pay for parsing at cold start.
// A parse error is a bug in an embedded file that the package tests catch, so
// it panics rather than burdening every caller with an error that cannot
// happen in a tested build.
var templates = sync.OnceValue(parseTemplates)

func parseTemplates() map[string]pair {
	textLayout := texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/layout.txt"))
	htmlLayout := htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/layout.html"))
	set := make(map[string]pair, len(templateNames))
	for _, name := range templateNames {
		set[name] = pair{
			text: texttemplate.Must(texttemplate.Must(textLayout.Clone()).ParseFS(templateFS, "templates/"+name+".txt")),
			html: htmltemplate.Must(htmltemplate.Must(htmlLayout.Clone()).ParseFS(templateFS, "templates/"+name+".html")),
		}
	}
	return set
}

// render builds a Message for one recipient from the named templates. Like
// parsing, execution can only fail if a template and its data disagree, which
// the tests of every message would show; so it panics instead of returning an
// error.
func render(name, to, subject string, data any) Message {
	t, ok := templates()[name]
	if !ok {
		panic("mail: no template " + name)
	}
	var text, html strings.Builder
	if err := t.text.ExecuteTemplate(&text, "layout", data); err != nil {
		panic("mail: render " + name + ".txt: " + err.Error())
	}
	if err := t.html.ExecuteTemplate(&html, "layout", data); err != nil {
		panic("mail: render " + name + ".html: " + err.Error())
	}
	return Message{To: []string{to}, Subject: oneLine(subject), Text: text.String(), HTML: html.String()}
}

// oneLine turns control characters (a newline in a team name, say) into
// spaces: a subject is a single header line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// consolePage joins the console's base URL and a page path, whether or not
// the configured base ends with a slash.
func consolePage(consoleURL, path string) string {
	return strings.TrimRight(consoleURL, "/") + path
}

// TemporaryPassword is sent when an admin creates an account with a password,
// or resets one, and asks for it to be emailed. It gives the login account and
// the temporary password, and says that a new password must be chosen at the
// first sign-in.
func TemporaryPassword(to, username, loginAccount, password, consoleURL string) Message {
	return render(tmplTemporaryPassword, to, "Your Roster account", struct {
		Username, LoginAccount, Password, LoginURL string
	}{username, loginAccount, password, consolePage(consoleURL, "/login")})
}

// codeData is what every code email shows.
type codeData struct {
	Code    string
	Minutes int
}

func newCodeData(code string) codeData {
	return codeData{Code: code, Minutes: int(CodeValidity / time.Minute)}
}

// VerificationCode sends the code that proves an address during
// self-registration.
func VerificationCode(to, code string) Message {
	return render(tmplVerificationCode, to, "Your Roster verification code", newCodeData(code))
}

// RegistrationAttempt is sent, instead of a code, when someone asks to
// register an address that already has an account. The API answers the same
// way in both cases, so that it does not reveal which addresses are
// registered; the owner of the address still learns what happened and how to
// get back in.
func RegistrationAttempt(to, consoleURL string) Message {
	return render(tmplRegistrationAttempt, to, "Someone tried to register with your email address", struct {
		LoginURL, ResetURL string
	}{consolePage(consoleURL, "/login"), consolePage(consoleURL, "/forgot-password")})
}

// PasswordResetCode sends the code that resets a forgotten password.
func PasswordResetCode(to, code string) Message {
	return render(tmplPasswordResetCode, to, "Your Roster password reset code", newCodeData(code))
}

// EmailChangeCode is sent to a new address to prove it before it replaces the
// account's current one.
func EmailChangeCode(to, code string) Message {
	return render(tmplEmailChangeCode, to, "Confirm your new Roster email address", newCodeData(code))
}

// EmailChanged tells the old address that the account's email was changed, so
// that the owner notices if someone else did it. The new address is given
// masked: the old mailbox may no longer be the owner's.
func EmailChanged(to, newEmailMasked string) Message {
	return render(tmplEmailChanged, to, "Your Roster email address was changed", struct {
		NewEmail string
	}{newEmailMasked})
}

// Invitation carries a team invitation link bound to the recipient's address.
// inviterName may be empty (the inviter's account may be gone by a resend).
func Invitation(to, teamName, inviterName, link string, expiresAt time.Time) Message {
	subject := "You are invited to join " + teamName + " on Roster"
	if inviterName != "" {
		subject = inviterName + " invited you to join " + teamName + " on Roster"
	}
	return render(tmplInvitation, to, subject, struct {
		Team, Inviter, Link, Expires string
	}{teamName, inviterName, link, formatTime(expiresAt)})
}

// formatTime writes a time for people, in UTC and saying so: Roster does not
// know the reader's time zone.
func formatTime(t time.Time) string {
	return t.UTC().Format("2 January 2006 at 15:04 UTC")
}
