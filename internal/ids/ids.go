// Package ids makes and checks Roster's opaque identifiers.
package ids

import (
	"crypto/rand"
	"strings"
)

const length = 26 // rand.Text: 26 base32 characters, 130 random bits

// New returns a fresh random id.
func New() string { return strings.ToLower(rand.Text()) }

// Valid reports whether s could be an id made by New, so malformed ids in paths are
// refused with 400 before any read.
func Valid(s string) bool {
	if len(s) != length {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}
