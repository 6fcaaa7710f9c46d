package mail

import (
	"strconv"
	"strings"
	"time"

	"github.com/roster-dev/roster/internal/locale"
)

// CodeValidity is how long an emailed code (registration, password reset,
// email change) is valid, as SPEC.md section 5 says and as the emails tell
// their readers. Code issuers should use this constant so the two cannot drift.
const CodeValidity = 10 * time.Minute

// Every message exists in each of locale.All: the message functions take the
// reader's language and write the whole message in it, subject and frame
// included. The Chinese is written as a Chinese reader expects it (its own
// word order, full-width punctuation, dates as 2026年12月6日), not as the
// English put word for word. A locale Roster does not know is written in
// English.

// zh reports whether l is Simplified Chinese; everything else is English.
func zh(l locale.Locale) bool { return l == locale.SimplifiedChinese }

// consolePage joins the console's base URL and a page path, whether or not
// the configured base ends with a slash.
func consolePage(consoleURL, path string) string {
	return strings.TrimRight(consoleURL, "/") + path
}

// TemporaryPassword is sent when an admin creates an account with a password,
// or resets one, and asks for it to be emailed. It gives the login account and
// the temporary password, and says that a new password must be chosen at the
// first sign-in.
func TemporaryPassword(l locale.Locale, to, username, loginAccount, password, consoleURL string) Message {
	login := consolePage(consoleURL, "/login")
	if zh(l) {
		return compose(l, to, "您的 Roster 账号",
			p(txt(username+"，您好：")),
			p(txt("管理员已为您创建了 Roster 账号，或重置了您账号的密码。")),
			fields{{"登录账号", loginAccount}, {"临时密码", password}},
			button{"登录 Roster", login},
			p(txt("这是临时密码，首次登录时需要设置一个新密码。")),
			note(txt("如果您没有预料到这封邮件，请告知您的管理员。")),
		)
	}
	return compose(l, to, "Your Roster account",
		p(txt("Hello "+username+",")),
		p(txt("An administrator has created a Roster account for you, or has reset the password of your account.")),
		fields{{"Login account", loginAccount}, {"Temporary password", password}},
		button{"Sign in to Roster", login},
		p(txt("This password is temporary: you must choose a new one when you first sign in.")),
		note(txt("If you did not expect this email, tell your administrator.")),
	)
}

// codeMessage is the shape every code email shares: what the code is for, the
// code, how to use it and how long it is valid, and why an unexpected one is
// harmless.
func codeMessage(l locale.Locale, to, subject, intro, c, use, ignore string) Message {
	minutes := strconv.Itoa(int(CodeValidity / time.Minute))
	valid := "It is valid for " + minutes + " minutes."
	if use != "" {
		valid = use + " " + valid
	}
	if zh(l) {
		valid = use + "验证码 " + minutes + " 分钟内有效。"
	}
	return compose(l, to, subject, p(txt(intro)), code(c), p(txt(valid)), note(txt(ignore)))
}

// VerificationCode sends the code that proves an address during
// self-registration.
func VerificationCode(l locale.Locale, to, code string) Message {
	if zh(l) {
		return codeMessage(l, to, "您的 Roster 验证码",
			"您的 Roster 验证码是：", code,
			"输入验证码即可完成账号注册。",
			"如果您没有尝试注册，请忽略这封邮件：没有验证码，任何账号都不会被创建。")
	}
	return codeMessage(l, to, "Your Roster verification code",
		"Your Roster verification code is:", code,
		"Enter it to finish creating your account.",
		"If you did not try to register, you can ignore this email: no account is created without the code.")
}

// RegistrationAttempt is sent, instead of a code, when someone asks to
// register an address that already has an account. The API answers the same
// way in both cases, so that it does not reveal which addresses are
// registered; the owner of the address still learns what happened and how to
// get back in.
func RegistrationAttempt(l locale.Locale, to, consoleURL string) Message {
	login, forgot := consolePage(consoleURL, "/login"), consolePage(consoleURL, "/forgot-password")
	if zh(l) {
		return compose(l, to, "有人尝试用您的邮箱地址注册 Roster",
			p(txt("有人尝试用这个邮箱地址注册新的 Roster 账号，但该地址已属于一个现有账号。")),
			p(txt("如果是您本人，请在 "), href(login), txt(" 登录。如果忘记了密码，可以重置：")),
			button{"重置密码", forgot},
			note(txt("如果不是您本人操作，请忽略这封邮件：您的账号没有任何变化。")),
		)
	}
	return compose(l, to, "Someone tried to register with your email address",
		p(txt("Someone tried to register a new Roster account with this email address, but it already belongs to an account.")),
		p(txt("If it was you, sign in at "), href(login), txt(". If you have forgotten your password, reset it:")),
		button{"Reset my password", forgot},
		note(txt("If it was not you, you can ignore this email: nothing about your account has changed.")),
	)
}

// PasswordResetCode sends the code that resets a forgotten password.
func PasswordResetCode(l locale.Locale, to, code string) Message {
	if zh(l) {
		return codeMessage(l, to, "您的 Roster 密码重置验证码",
			"有人申请重置您的 Roster 账号密码。您的密码重置验证码是：", code,
			"请在设置新密码时输入此验证码。",
			"如果这不是您本人的申请，请忽略这封邮件：您的密码没有改变。")
	}
	return codeMessage(l, to, "Your Roster password reset code",
		"Someone asked to reset the password of your Roster account. Your password reset code is:", code,
		"Enter it with your new password.",
		"If you did not ask for this, you can ignore this email: your password has not changed.")
}

// EmailChangeCode is sent to a new address to prove it before it replaces the
// account's current one.
func EmailChangeCode(l locale.Locale, to, code string) Message {
	if zh(l) {
		return codeMessage(l, to, "确认您的 Roster 新邮箱地址",
			"要将此地址设为您 Roster 账号的邮箱，请输入以下验证码：", code,
			"",
			"如果这不是您本人的申请，请忽略这封邮件：在输入验证码之前，任何账号都不会使用这个地址。")
	}
	return codeMessage(l, to, "Confirm your new Roster email address",
		"To make this the email address of your Roster account, enter this code:", code,
		"",
		"If you did not ask for this, you can ignore this email: no account uses this address until the code is entered.")
}

// EmailChanged tells the old address that the account's email was changed, so
// that the owner notices if someone else did it. The new address is given
// masked: the old mailbox may no longer be the owner's.
func EmailChanged(l locale.Locale, to, newEmailMasked string) Message {
	if zh(l) {
		return compose(l, to, "您的 Roster 邮箱地址已更改",
			p(txt("您的 Roster 账号邮箱已更改为 "), bold(newEmailMasked), txt("。今后与账号有关的邮件将发送到该地址。")),
			p(txt("如果是您本人更改的，无需任何操作。如果不是，请"), bold("立即联系您的管理员"), txt("：可能有其他人正在使用您的账号。")),
		)
	}
	return compose(l, to, "Your Roster email address was changed",
		p(txt("The email address of your Roster account was changed to "), bold(newEmailMasked), txt(". Emails about your account now go to that address.")),
		p(txt("If you made this change, there is nothing to do. If you did not, "), bold("contact your administrator now"), txt(": someone else may be using your account.")),
	)
}

// Invitation carries a team invitation link bound to the recipient's address.
// inviterName may be empty (the inviter's account may be gone by a resend).
func Invitation(l locale.Locale, to, teamName, inviterName, link string, expiresAt time.Time) Message {
	if zh(l) {
		subject := "您受邀加入 Roster 团队“" + teamName + "”"
		who := []span{txt("您受邀加入")}
		if inviterName != "" {
			subject = inviterName + " 邀请您加入 Roster 团队“" + teamName + "”"
			who = []span{bold(inviterName), txt(" 邀请您加入")}
		}
		return compose(l, to, subject,
			p(append(who, txt(" Roster 上的团队“"), bold(teamName), txt("”。"))...),
			button{"接受邀请", link},
			p(txt("如果您还没有 Roster 账号，可以通过此链接注册。链接有效期至 "+formatTime(l, expiresAt)+"，仅可使用一次。")),
			note(txt("如果您不清楚为什么会收到这份邀请，请忽略这封邮件。")),
		)
	}
	subject := "You are invited to join " + teamName + " on Roster"
	who := []span{txt("You are invited")}
	if inviterName != "" {
		subject = inviterName + " invited you to join " + teamName + " on Roster"
		who = []span{bold(inviterName), txt(" invited you")}
	}
	return compose(l, to, subject,
		p(append(who, txt(` to join the team "`), bold(teamName), txt(`" on Roster.`))...),
		button{"Accept the invitation", link},
		p(txt("If you have no Roster account yet, the link lets you create one. It is valid until "+formatTime(l, expiresAt)+" and can be used once.")),
		note(txt("If you do not know why you got this invitation, you can ignore this email.")),
	)
}

// formatTime writes a time for people in their language, in UTC and saying so:
// Roster does not know the reader's time zone.
func formatTime(l locale.Locale, t time.Time) string {
	if zh(l) {
		return t.UTC().Format("2006年1月2日 15:04 UTC")
	}
	return t.UTC().Format("2 January 2006 at 15:04 UTC")
}
