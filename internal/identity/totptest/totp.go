// Package totptest computes RFC 6238 codes with Cognito's parameters (HMAC-SHA1, 6 digits,
// 30-second steps), for the tests and benchmarks that act as a person's authenticator
// app against the local Cognito. Roster itself never computes codes: Cognito checks them.
package totptest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// Step is the life of one code.
const Step = 30 * time.Second

// At returns the code of a base32 secret (as AssociateSoftwareToken returns it) at t.
func At(secret string, t time.Time) (string, error) {
	s := strings.ToUpper(secret)
	if r := len(s) % 8; r != 0 {
		s += strings.Repeat("=", 8-r)
	}
	key, err := base32.StdEncoding.DecodeString(s)
	if err != nil {
		return "", fmt.Errorf("totp secret is not base32: %w", err)
	}
	var counter [8]byte
	binary.BigEndian.PutUint64(counter[:], uint64(t.Unix()/int64(Step/time.Second)))
	mac := hmac.New(sha1.New, key)
	mac.Write(counter[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:])&0x7fffffff)%1_000_000), nil
}

// Now returns the current code. The local Cognito accepts only the current step, so in
// a step's last seconds it waits for the next one: the code must still be current when
// it arrives.
func Now(secret string) (string, error) {
	if left := Step - time.Duration(time.Now().UnixNano())%Step; left < 3*time.Second {
		time.Sleep(left + 100*time.Millisecond)
	}
	return At(secret, time.Now())
}

// Wrong returns a well-formed code that is not the current one.
func Wrong(secret string) (string, error) {
	code, err := At(secret, time.Now())
	if err != nil {
		return "", err
	}
	var n int
	fmt.Sscanf(code, "%d", &n)
	return fmt.Sprintf("%06d", (n+500_000)%1_000_000), nil
}
