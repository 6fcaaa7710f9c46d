package validate

import (
	"net/mail"
	"strings"
	"unicode"
)

// The punctuation SPEC.md allows in usernames and login accounts, besides
// letters and digits. It is also the set Cognito accepts in user names, so a
// login account can be used as the Cognito user name as it is.
const nameSymbols = "+=,.@-_"

const (
	msgUsernameChars = "may contain only letters, digits and + = , . @ - _"
	msgLoginChars    = "may contain only ASCII letters, digits and + = , . @ - _"
	msgEmail         = "must be a valid email address"
	msgMobile        = "must be in E.164 format: + and 8 to 15 digits, e.g. +8613800138000"
)

// Username checks a display name: trimmed, 3 to 64 characters, letters of any
// script, digits and + = , . @ - _, nothing invisible (see displayName). It returns
// the trimmed value in NFC.
func Username(f Fields, field, v string) string {
	v = displayName(f, field, v)
	if v == "" {
		f.Add(field, msgRequired)
		return v
	}
	if n := runeLen(v); n < 3 || n > 64 {
		f.Add(field, lengthMessage(3, 64))
	}
	for _, r := range v {
		if !usernameRune(r) {
			f.Add(field, msgUsernameChars)
			break
		}
	}
	return v
}

// usernameRune accepts letters and digits of any script. Combining marks
// (Mn, Mc) count as part of a letter: without them names written in Devanagari,
// Thai or Arabic with vowel signs ("देव") would be refused although every
// visible character is a letter.
func usernameRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) ||
		unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) ||
		strings.ContainsRune(nameSymbols, r)
}

// LoginAccount checks the name a person signs in with: 3 to 64 characters,
// ASCII letters, digits and + = , . @ - _. It is not trimmed: a login account
// cannot change after creation, so it must be exactly what the person typed,
// and a stray space is reported rather than silently removed. The value is
// returned as given, case kept; use Fold for the uniqueness key.
func LoginAccount(f Fields, field, v string) string {
	if v == "" {
		f.Add(field, msgRequired)
		return v
	}
	if n := runeLen(v); n < 3 || n > 64 {
		f.Add(field, lengthMessage(3, 64))
	}
	for _, r := range v {
		if !loginRune(r) {
			f.Add(field, msgLoginChars)
			break
		}
	}
	return v
}

func loginRune(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
		strings.ContainsRune(nameSymbols, r)
}

// Fold gives the key under which a login account or an email address is
// unique: SPEC.md makes both unique ignoring case. Both are ASCII once
// validated, so lower-casing the whole string is exact; for an email the local
// part is folded too, because two accounts differing only in the case of the
// local part would reach the same mailbox at every common provider.
func Fold(loginOrEmail string) string { return strings.ToLower(loginOrEmail) }

// Email checks an address: trimmed, at most 254 characters, a bare address
// (no display name, no comments, no quoting), exactly one @, and a domain of
// at least two DNS labels. The trimmed value is returned with its case kept.
func Email(f Fields, field, v string) string {
	v = trimmed(v)
	switch {
	case v == "":
		f.Add(field, msgRequired)
	case len(v) > 254:
		f.Add(field, "must be at most 254 characters")
	case !isEmail(v):
		f.Add(field, msgEmail)
	}
	return v
}

func isEmail(v string) bool {
	// ASCII only: SES cannot send to internationalised (SMTPUTF8) addresses,
	// so accepting one would create an account that never gets its codes.
	// A domain in Unicode can still be entered in its xn-- form.
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] >= 0x7f {
			return false
		}
	}
	// net/mail does the RFC 5322 parsing; requiring it to hand back exactly the
	// input refuses display names ("Bob <b@x.io>"), comments and quoted local
	// parts, which Roster would otherwise store in a form nobody typed.
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || a.Address != v {
		return false
	}
	local, domain, _ := strings.Cut(v, "@")
	if local == "" || len(local) > 64 || strings.Contains(domain, "@") {
		return false
	}
	return isDomain(domain)
}

// isDomain accepts a DNS host name with at least two labels. It refuses what
// net/mail allows but no mailbox has: domain literals ("[10.0.0.1]"), single
// labels ("localhost") and numeric top-level labels (bare IP addresses).
func isDomain(d string) bool {
	if len(d) > 253 {
		return false
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return strings.IndexFunc(tld, func(r rune) bool { return r < '0' || r > '9' }) >= 0
}

// Mobile checks an optional phone number in E.164: '+', a country code that
// does not start with 0, and 8 to 15 digits in all. "" means no number. The
// trimmed value is returned; no spaces or dashes are removed from inside it,
// so what is stored is what Cognito's phone_number attribute accepts.
func Mobile(f Fields, field, v string) string {
	v = trimmed(v)
	if v == "" {
		return v
	}
	digits, ok := strings.CutPrefix(v, "+")
	if !ok || len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
		f.Add(field, msgMobile)
		return v
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			f.Add(field, msgMobile)
			break
		}
	}
	return v
}
