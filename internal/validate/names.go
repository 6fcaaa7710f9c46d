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

// invisible reports whether r shows nothing, or changes how the text around it is
// laid out, rather than being a character of the name:
//   - format characters (Cf): zero-width space and joiners, the soft hyphen, the
//     byte-order mark, and every bidirectional control (LRM, RLM, ALM, the embeddings
//     and overrides U+202A-U+202E, the isolates U+2066-U+2069);
//   - the other default-ignorable code points, which fonts draw as nothing: the
//     Hangul fillers (letters by category, so "ㅤㅤㅤ" would pass as a name), the
//     combining grapheme joiner, variation selectors;
//   - line and paragraph separators, which break a line as a newline does;
//   - U+2800, the blank Braille pattern, a symbol drawn as a space.
//
// Ordinary spaces are not refused here: a team may be called "Sales East".
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Bidi_Control,
		unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) ||
		r == '\u2800'
}

// NameKey is the key under which a team or role name is unique, for the claims that
// enforce it and the lists sorted by name. Two names with the same key look alike to
// a person, and only one of them may exist:
//   - compatibility forms are their plain letters (NFKC): the full-width "ＳＡＬＥＳ"
//     that Chinese input methods type, ligatures ("ﬁ"), the no-break and ideographic
//     spaces;
//   - case is folded the Unicode way, not just lower-cased: "STRASSE" and "Straße",
//     "ΣΊΣΥΦΟΣ" and "σίσυφος" are one name;
//   - runs of white space are one space, as a web page shows them.
//
// The name itself is kept as it was typed (in NFC): the key is only compared.
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
