// Package locale names the languages Roster speaks (in its emails, and through the
// console) and picks one for a request from its Accept-Language header.
package locale

import (
	"sync"

	"golang.org/x/text/language"
)

// Locale is a language Roster writes in, as a BCP 47 tag.
type Locale string

const (
	English           Locale = "en"
	SimplifiedChinese Locale = "zh-CN"
	// Default is the language of a user who never chose one, and of a request that
	// names none Roster speaks.
	Default = English
)

// All lists every locale, the default first.
var All = []Locale{English, SimplifiedChinese}

// Valid reports whether l is one of All, written exactly so (the API stores and answers
// the tag as given, so "zh-cn" is refused rather than kept in a second spelling).
func (l Locale) Valid() bool { return l == English || l == SimplifiedChinese }

// OrDefault is l, or Default when l is empty or unknown (a record written before users had
// a locale).
func (l Locale) OrDefault() Locale {
	if l.Valid() {
		return l
	}
	return Default
}

// matcher is built on first use: most functions never read Accept-Language, and a
// matcher costs allocations at cold start.
var matcher = sync.OnceValue(func() language.Matcher {
	return language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})
})

// FromAcceptLanguage picks the locale that best matches an Accept-Language header
// ("zh-CN,zh;q=0.9,en;q=0.8") with x/text's matcher, which weighs the listed
// languages by their q values and knows how near one is to another: zh, zh-CN, zh-SG
// and zh-Hans are SimplifiedChinese, en-GB is English, and zh-TW alone is
// SimplifiedChinese (the nearer script) while "zh-TW, en" is English. A header that
// names no language Roster speaks, or cannot be read, is Default.
func FromAcceptLanguage(header string) Locale {
	if header == "" {
		return Default
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, index, confidence := matcher().Match(tags...)
	if confidence == language.No {
		return Default
	}
	return All[index]
}
