package validate

import (
	"fmt"
	"strconv"
)

// List paging of SPEC.md section 6.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Invitation link validity of SPEC.md section 4, in hours.
const (
	DefaultValidForHours = 7 * 24
	MaxValidForHours     = 30 * 24
)

// Limit parses a list's page size from its query parameter: "" means the
// default of 20; otherwise a whole number from 1 to 100. On a bad value it
// records the field and returns the default, so the caller can go on
// collecting errors without a special case.
func Limit(f Fields, field, raw string) int {
	if raw == "" {
		return DefaultLimit
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > MaxLimit {
		f.Add(field, fmt.Sprintf("must be a whole number from 1 to %d", MaxLimit))
		return DefaultLimit
	}
	return n
}

// ValidForHours checks an invitation link's validity period: absent (nil)
// means 7 days; otherwise 1 hour to 30 days, in whole hours.
func ValidForHours(f Fields, field string, hours *int) int {
	if hours == nil {
		return DefaultValidForHours
	}
	if *hours < 1 || *hours > MaxValidForHours {
		f.Add(field, fmt.Sprintf("must be from 1 to %d hours", MaxValidForHours))
		return DefaultValidForHours
	}
	return *hours
}

// VerificationCode checks the shape of an emailed code (registration,
// password reset, email change): exactly 6 digits, surrounding spaces
// trimmed because people paste codes from emails. Whether the code is right is
// decided by the store, where wrong tries are counted.
func VerificationCode(f Fields, field, v string) string { return digits(f, field, v, 6) }

// InvitationCode checks the shape of a team invitation code: exactly 8 digits,
// surrounding spaces trimmed.
func InvitationCode(f Fields, field, v string) string { return digits(f, field, v, 8) }

func digits(f Fields, field, v string, n int) string {
	v = trimmed(v)
	if v == "" {
		f.Add(field, msgRequired)
		return v
	}
	ok := len(v) == n
	for i := 0; ok && i < len(v); i++ {
		ok = '0' <= v[i] && v[i] <= '9'
	}
	if !ok {
		f.Add(field, fmt.Sprintf("must be %d digits", n))
	}
	return v
}

// Required records field when v is empty or only white space: for opaque
// values with no rule of their own (ids, tokens, sessions), which are passed
// on unchanged.
func Required(f Fields, field, v string) string {
	if trimmed(v) == "" {
		f.Add(field, msgRequired)
	}
	return v
}
