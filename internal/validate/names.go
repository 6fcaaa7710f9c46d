package validate

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// SPEC.md section 2: every name (username, team, role) is NFC-normalised, invisible
// and bidirectional control characters are refused, and "unique ignoring case" means
// after Unicode case folding. This file is the one place that says what that is.

const msgInvisible = "must not contain invisible or text-direction characters"

// displayName is the first step of every name rule: the value trimmed and in NFC, so
// that "é" typed as one character or as "e" and a combining accent is stored (and
// counted, and compared) the same way. It records field when the name holds a
// character nobody sees or one that reorders the text around it: those would let two
// names that look the same both exist ("Sales" and "Sa\u200bles"), or let a name turn
// the rest of a line it is shown in backwards (U+202E in an email subject).
func displayName(f Fields, field, v string) string {
	v = norm.NFC.String(trimmed(v))
	switch {
	case !utf8.ValidString(v):
		f.Add(field, "must be valid UTF-8 text")
	case hasControl(v, false):
		f.Add(field, msgControl)
	case strings.IndexFunc(v, invisible) >= 0:
		f.Add(field, msgInvisible)
	}
	return v
}

// invisible reports whether r shows nothing or changes the layout around it rather than
// being a character of a name: format characters (zero-width, bidi controls), the other
// default-ignorable code points fonts draw as nothing (the Hangul fillers are letters, so
// "ㅤㅤㅤ" would pass), line and paragraph separators, and the blank Braille pattern.
// Ordinary spaces are allowed: a team may be called "Sales East".
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Bidi_Control,
		unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) ||
		r == '\u2800'
}

// NameKey returns the key under which a team or role name is unique (and lists sort),
// so that two names a person cannot tell apart cannot both exist: NFKC (full-width
// "ＳＡＬＥＳ", ligatures), Unicode case folding ("Straße" is "STRASSE"), and runs of white
// space as one space. The name itself is kept as typed; only its key is compared.
func NameKey(name string) string {
	k := norm.NFKC.String(cases.Fold().String(norm.NFKC.String(name)))
	var b strings.Builder
	b.Grow(len(k))
	space := false
	for _, r := range k {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space { // a prefix typed with a trailing space keeps it: "Sales " is not "Salesforce"
		b.WriteByte(' ')
	}
	return b.String()
}
