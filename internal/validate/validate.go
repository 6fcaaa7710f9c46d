// Package validate holds the field rules of SPEC.md section 2, so that every operation
// refuses the same values with the same messages. A handler runs every checker it needs
// against one Fields and answers all the bad fields at once. Messages never repeat the
// submitted value, so no secret leaks through an error body or a log line.
package validate

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fields collects every bad field of one request: field name (the JSON name,
// dotted for nested values, e.g. "password.value", "newUser.email", indexed for
// list elements, e.g. "permissions[3]") -> human message.
//
// Make one with Fields{}; the zero value (nil) cannot record anything.
type Fields map[string]string

// Add records message for field unless the field already has one: the first
// rule a value breaks is the most useful thing to tell the user, and later
// checks of the same value are often consequences of it.
func (f Fields) Add(field, message string) {
	if _, ok := f[field]; !ok {
		f[field] = message
	}
}

// Empty reports whether no field was refused.
func (f Fields) Empty() bool { return len(f) == 0 }

// Messages shared by several checkers, so the same rule reads the same everywhere.
const (
	msgRequired = "is required"
	msgControl  = "must not contain control characters"
)

// lengthMessage words a rune-count rule.
func lengthMessage(lo, hi int) string {
	if lo <= 0 {
		return fmt.Sprintf("must be at most %d characters", hi)
	}
	return fmt.Sprintf("must be %d to %d characters", lo, hi)
}

// runeLen counts characters as a person does (one per code point), not bytes:
// "张三丰" is 3 characters even though it is 9 bytes of UTF-8.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// hasControl reports whether s holds a control character; names are shown in
// lists and email subjects, where a newline or a NUL would break the layout.
func hasControl(s string, allowNewlines bool) bool {
	for _, r := range s {
		if allowNewlines && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// indexed names one element of a list field, e.g. "roleIds[2]".
func indexed(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}

// trimmed is strings.TrimSpace; named so that each checker says plainly which
// fields are trimmed (SPEC.md: username is, login account and password are not).
func trimmed(s string) string { return strings.TrimSpace(s) }
