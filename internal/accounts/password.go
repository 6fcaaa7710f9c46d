package accounts

import (
	"crypto/rand"
	"math/big"
)

// Letters and digits that cannot be mistaken for one another when read aloud or
// copied from an email.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// GeneratePassword makes a temporary password of 20 characters (about 115 bits),
// well inside the policy: long enough, and never in the common-password list.
func GeneratePassword() string {
	b := make([]byte, 20)
	limit := big.NewInt(int64(len(passwordAlphabet)))
	for i := range b {
		n, _ := rand.Int(rand.Reader, limit) // rand.Reader never returns an error
		b[i] = passwordAlphabet[n.Int64()]
	}
	return string(b)
}
