package mail

import (
	"errors"
	"time"

	"github.com/roster-dev/roster/internal/locale"
)

// A Letter is an email to send later: what the outbox stores in the change's own
// transaction and the mailer renders (Message) and sends. It holds the message's
// values rather than its text, which keeps an outbox item small (a transactional
// write is billed per KB), and keeps the one secret a message carries (a code, a
// temporary password, a link's token) in a field of its own, which the mailer
// deletes once the mail is sent or given up.
type Letter struct {
	Kind   Kind
	Locale locale.Locale
	To     string
	// Secret is the code, temporary password or invitation link; empty for the
	// kinds that carry none.
	Secret string
	// Fields are the message's other values, by name (see the Kind constants).
	Fields map[string]string
}

// Kind names a message. NoMail is the letter of a request that sends nothing (a
// password reset for an unknown account): it is written as every other letter is,
// so that such a request makes the same calls, and the mailer drops it.
type Kind string

const (
	NoMail                  Kind = "none"
	KindTemporaryPassword   Kind = "temporary_password"   // username, loginAccount, console; Secret: the password
	KindVerificationCode    Kind = "verification_code"    // Secret: the code
	KindRegistrationAttempt Kind = "registration_attempt" // console
	KindPasswordResetCode   Kind = "password_reset_code"  // Secret: the code
	KindEmailChangeCode     Kind = "email_change_code"    // Secret: the code
	KindEmailChanged        Kind = "email_changed"        // newEmail (masked)
	KindInvitation          Kind = "invitation"           // team, inviter, expiresAt; Secret: the link
)

// expiresLayout writes Fields["expiresAt"].
const expiresLayout = time.RFC3339

var (
	// ErrSecretGone is what Message answers for a letter whose secret was stripped:
	// there is nothing left to send.
	ErrSecretGone = errors.New("mail: the letter's secret is gone")
	// ErrUnknownKind is a letter of a kind this version of Roster does not write.
	ErrUnknownKind = errors.New("mail: unknown kind of letter")
)

// TemporaryPasswordLetter is TemporaryPassword, to send later.
func TemporaryPasswordLetter(l locale.Locale, to, username, loginAccount, password, consoleURL string) Letter {
	return Letter{Kind: KindTemporaryPassword, Locale: l, To: to, Secret: password,
		Fields: map[string]string{"username": username, "loginAccount": loginAccount, "console": consoleURL}}
}

// VerificationCodeLetter is VerificationCode, to send later.
func VerificationCodeLetter(l locale.Locale, to, code string) Letter {
	return Letter{Kind: KindVerificationCode, Locale: l, To: to, Secret: code}
}

// RegistrationAttemptLetter is RegistrationAttempt, to send later.
func RegistrationAttemptLetter(l locale.Locale, to, consoleURL string) Letter {
	return Letter{Kind: KindRegistrationAttempt, Locale: l, To: to, Fields: map[string]string{"console": consoleURL}}
}

// PasswordResetCodeLetter is PasswordResetCode, to send later.
func PasswordResetCodeLetter(l locale.Locale, to, code string) Letter {
	return Letter{Kind: KindPasswordResetCode, Locale: l, To: to, Secret: code}
}

// EmailChangeCodeLetter is EmailChangeCode, to send later.
func EmailChangeCodeLetter(l locale.Locale, to, code string) Letter {
	return Letter{Kind: KindEmailChangeCode, Locale: l, To: to, Secret: code}
}

// EmailChangedLetter is EmailChanged, to send later.
func EmailChangedLetter(l locale.Locale, to, newEmailMasked string) Letter {
	return Letter{Kind: KindEmailChanged, Locale: l, To: to, Fields: map[string]string{"newEmail": newEmailMasked}}
}

// InvitationLetter is Invitation, to send later.
func InvitationLetter(l locale.Locale, to, teamName, inviterName, link string, expiresAt time.Time) Letter {
	return Letter{Kind: KindInvitation, Locale: l, To: to, Secret: link,
		Fields: map[string]string{"team": teamName, "inviter": inviterName, "expiresAt": expiresAt.UTC().Format(expiresLayout)}}
}

// NoLetter is the letter of a request that sends no mail (see NoMail).
func NoLetter() Letter { return Letter{Kind: NoMail} }

// HasSecret reports whether the letter's kind carries a secret.
func (k Kind) HasSecret() bool {
	switch k {
	case KindTemporaryPassword, KindVerificationCode, KindPasswordResetCode, KindEmailChangeCode, KindInvitation:
		return true
	}
	return false
}

// Message renders the letter. A kind that carries a secret whose secret is gone
// answers ErrSecretGone, and NoMail, or a kind Roster does not know, ErrUnknownKind:
// neither is anything to send.
func (l Letter) Message() (Message, error) {
	if l.Kind.HasSecret() && l.Secret == "" {
		return Message{}, ErrSecretGone
	}
	f := func(name string) string { return l.Fields[name] }
	switch l.Kind {
	case KindTemporaryPassword:
		return TemporaryPassword(l.Locale, l.To, f("username"), f("loginAccount"), l.Secret, f("console")), nil
	case KindVerificationCode:
		return VerificationCode(l.Locale, l.To, l.Secret), nil
	case KindRegistrationAttempt:
		return RegistrationAttempt(l.Locale, l.To, f("console")), nil
	case KindPasswordResetCode:
		return PasswordResetCode(l.Locale, l.To, l.Secret), nil
	case KindEmailChangeCode:
		return EmailChangeCode(l.Locale, l.To, l.Secret), nil
	case KindEmailChanged:
		return EmailChanged(l.Locale, l.To, f("newEmail")), nil
	case KindInvitation:
		expires, err := time.Parse(expiresLayout, f("expiresAt"))
		if err != nil {
			return Message{}, errors.New("mail: an invitation letter without its expiry")
		}
		return Invitation(l.Locale, l.To, f("team"), f("inviter"), l.Secret, expires), nil
	}
	return Message{}, ErrUnknownKind
}
