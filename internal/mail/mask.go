package mail

import (
	"strings"
	"unicode/utf8"
)

// MaskAddress shows enough of an address for its owner to recognise it and not
// enough for anyone else to use it: the local part's first character, one star per
// remaining character (at least two, so a short local part is not given away by
// its length alone), and the domain. "nina@example.com" becomes "n***@example.com".
func MaskAddress(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return "***"
	}
	first, size := utf8.DecodeRuneInString(local)
	stars := max(utf8.RuneCountInString(local[size:]), 2)
	return string(first) + strings.Repeat("*", stars) + "@" + domain
}
