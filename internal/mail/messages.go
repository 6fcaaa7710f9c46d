package mail

import (
	"strconv"
	"strings"
	"time"
)

// CodeValidity is how long an emailed code (registration, password reset,
// email change) is valid, as SPEC.md section 5 says and as the emails tell
// their readers. Code issuers should use this constant so the two cannot drift.
const CodeValidity = 10 * time.Minute

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
	return compose(to, "Your Roster account",
		p(txt("Hello "+username+",")),
		p(txt("An administrator has created a Roster account for you, or has reset the password of your account.")),
		fields{{"Login account", loginAccount}, {"Temporary password", password}},
		button{"Sign in to Roster", consolePage(consoleURL, "/login")},
		p(txt("This password is temporary: you must choose a new one when you first sign in.")),
		note(txt("If you did not expect this email, tell your administrator.")),
	)
}

// codeMessage is the shape every code email shares: what the code is for, the
// code, how to use it and how long it is valid, and why an unexpected one is
// harmless.
func codeMessage(to, subject, intro, c, use, ignore string) Message {
	valid := "It is valid for " + strconv.Itoa(int(CodeValidity/time.Minute)) + " minutes."
	if use != "" {
		valid = use + " " + valid
	}
	return compose(to, subject, p(txt(intro)), code(c), p(txt(valid)), note(txt(ignore)))
}

// VerificationCode sends the code that proves an address during
// self-registration.
func VerificationCode(to, code string) Message {
	return codeMessage(to, "Your Roster verification code",
		"Your Roster verification code is:", code,
		"Enter it to finish creating your account.",
		"If you did not try to register, you can ignore this email: no account is created without the code.")
}

// RegistrationAttempt is sent, instead of a code, when someone asks to
// register an address that already has an account. The API answers the same
// way in both cases, so that it does not reveal which addresses are
// registered; the owner of the address still learns what happened and how to
// get back in.
func RegistrationAttempt(to, consoleURL string) Message {
	return compose(to, "Someone tried to register with your email address",
		p(txt("Someone tried to register a new Roster account with this email address, but it already belongs to an account.")),
		p(txt("If it was you, sign in at "), href(consolePage(consoleURL, "/login")), txt(". If you have forgotten your password, reset it:")),
		button{"Reset my password", consolePage(consoleURL, "/forgot-password")},
		note(txt("If it was not you, you can ignore this email: nothing about your account has changed.")),
	)
}

// PasswordResetCode sends the code that resets a forgotten password.
func PasswordResetCode(to, code string) Message {
	return codeMessage(to, "Your Roster password reset code",
		"Someone asked to reset the password of your Roster account. Your password reset code is:", code,
		"Enter it with your new password.",
		"If you did not ask for this, you can ignore this email: your password has not changed.")
}

// EmailChangeCode is sent to a new address to prove it before it replaces the
// account's current one.
func EmailChangeCode(to, code string) Message {
	return codeMessage(to, "Confirm your new Roster email address",
		"To make this the email address of your Roster account, enter this code:", code,
		"",
		"If you did not ask for this, you can ignore this email: no account uses this address until the code is entered.")
}

// EmailChanged tells the old address that the account's email was changed, so
// that the owner notices if someone else did it. The new address is given
// masked: the old mailbox may no longer be the owner's.
func EmailChanged(to, newEmailMasked string) Message {
	return compose(to, "Your Roster email address was changed",
		p(txt("The email address of your Roster account was changed to "), bold(newEmailMasked), txt(". Emails about your account now go to that address.")),
		p(txt("If you made this change, there is nothing to do. If you did not, "), bold("contact your administrator now"), txt(": someone else may be using your account.")),
	)
}

// Invitation carries a team invitation link bound to the recipient's address.
// inviterName may be empty (the inviter's account may be gone by a resend).
func Invitation(to, teamName, inviterName, link string, expiresAt time.Time) Message {
	subject := "You are invited to join " + teamName + " on Roster"
	who := []span{txt("You are invited")}
	if inviterName != "" {
		subject = inviterName + " invited you to join " + teamName + " on Roster"
		who = []span{bold(inviterName), txt(" invited you")}
	}
	return compose(to, subject,
		p(append(who, txt(` to join the team "`), bold(teamName), txt(`" on Roster.`))...),
		button{"Accept the invitation", link},
		p(txt("If you have no Roster account yet, the link lets you create one. It is valid until "+formatTime(expiresAt)+" and can be used once.")),
		note(txt("If you do not know why you got this invitation, you can ignore this email.")),
	)
}

// formatTime writes a time for people, in UTC and saying so: Roster does not
// know the reader's time zone.
func formatTime(t time.Time) string {
	return t.UTC().Format("2 January 2006 at 15:04 UTC")
}
