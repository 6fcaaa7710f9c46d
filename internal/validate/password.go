package validate

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// commonPasswordsFile is the list SPEC.md asks for: at least 10,000 common
// passwords, embedded so that checking one costs no network call. Its header
// says where it comes from and under which licence; its body holds one
// lower-case password per line, sorted by byte value.
//
//go:embed common-passwords.txt
var commonPasswordsFile string

// commonPasswords returns the sorted body of the list, after its '#' header. It is
// binary-searched where it lies, in the binary's read-only data: loading it into a map
// would cost every cold start of a function that checks a password time and heap.
var commonPasswords = sync.OnceValue(func() string { return listBody(commonPasswordsFile) })

// listBody returns file without its leading '#' comment lines.
func listBody(file string) string {
	for strings.HasPrefix(file, "#") {
		i := strings.IndexByte(file, '\n')
		if i < 0 {
			return ""
		}
		file = file[i+1:]
	}
	return file
}

// sortedLinesContain reports whether key is one of the lines of body, which
// holds '\n'-terminated lines sorted by byte value.
func sortedLinesContain(body, key string) bool {
	// lo and hi are always the start of a line (or the end of body); the
	// lines in body[lo:hi] are the ones still to search.
	lo, hi := 0, len(body)
	for lo < hi {
		mid := lo + (hi-lo)/2
		start := lo + strings.LastIndexByte(body[lo:mid], '\n') + 1
		end := strings.IndexByte(body[start:hi], '\n')
		if end < 0 { // last line without its newline
			end = hi
		} else {
			end += start
		}
		switch line := body[start:end]; {
		case line == key:
			return true
		case line < key:
			lo = end + 1
		default:
			hi = start
		}
	}
	return false
}

// IsCommonPassword reports whether p, ignoring case, is in the embedded list of
// common passwords.
func IsCommonPassword(p string) bool {
	if p == "" || strings.ContainsRune(p, '\n') {
		return false
	}
	return sortedLinesContain(commonPasswords(), strings.ToLower(p))
}

// Password checks a new password against SPEC.md: 12 to 128 characters, not containing
// the login account (ignoring case), not a common password, and deliberately no rule on
// character classes. Cognito refuses one that begins or ends with white space, so Roster
// refuses it first with a field message. The password never appears in a message.
func Password(f Fields, field, password, loginAccount string) {
	if password == "" {
		f.Add(field, msgRequired)
		return
	}
	if n := runeLen(password); n < 12 || n > 128 {
		f.Add(field, lengthMessage(12, 128))
		return
	}
	first, _ := utf8.DecodeRuneInString(password)
	last, _ := utf8.DecodeLastRuneInString(password)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		f.Add(field, "must not begin or end with a space")
		return
	}
	if loginAccount != "" && strings.Contains(strings.ToLower(password), strings.ToLower(loginAccount)) {
		f.Add(field, "must not contain the login account")
		return
	}
	if IsCommonPassword(password) {
		f.Add(field, "is too common; choose a less common password")
	}
}
