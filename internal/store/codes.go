package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/mail"
)

// CodePurpose says what an emailed code proves; codes of one purpose never
// redeem another's.
type CodePurpose string

const (
	// RegistrationCode proves an email address during self-registration;
	// its subject is the folded address.
	RegistrationCode CodePurpose = "REGISTER"
	// PasswordResetCode resets a forgotten password; its subject is the folded
	// login account, so an unknown account is stored exactly like a known one.
	PasswordResetCode CodePurpose = "RESET"
	// EmailChangeCode proves a new address for a signed-in user; its subject is
	// the user id and its Email the new address.
	EmailChangeCode CodePurpose = "EMAIL"
)

// The rules of SPEC.md section 5 for every emailed code.
const (
	CodeValidity    = 10 * time.Minute
	CodeResendAfter = time.Minute
	CodeMaxTries    = 5
)

// Code is one emailed code's grant: for whom and what it was issued.
type Code struct {
	Purpose CodePurpose
	Subject string
	// Email is bound into the code's hash: a code sent for one address is wrong
	// for any other.
	Email string
	// UserID is the account a reset or email change applies to; empty for a
	// registration, and for a reset asked for an account that does not exist.
	UserID string

	redeemedAt int64
}

// codeRecord is an issued code, stored as a hash: too few values for a hash to hide a
// 6-digit code from a reader of the table (the try counter protects it), but it keeps
// codes out of plain sight, and binding purpose, subject and address into it keeps a
// code from being replayed elsewhere.
type codeRecord struct {
	key
	Hash       string `dynamodbav:"hash"`
	Tries      int    `dynamodbav:"tries"`
	IssuedAt   int64  `dynamodbav:"issuedAt"`   // Unix milliseconds
	ValidUntil int64  `dynamodbav:"validUntil"` // Unix milliseconds, checked at read time
	ExpiresAt  int64  `dynamodbav:"expiresAt"`  // Unix seconds: TTL, which only cleans up
	UserID     string `dynamodbav:"userId,omitempty"`
	Email      string `dynamodbav:"email,omitempty"`
	RedeemedAt int64  `dynamodbav:"redeemedAt,omitempty"`
}

// NewCodeSecret makes a code: 6 decimal digits from the system's secure random source.
func NewCodeSecret() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000)) // rand.Reader never returns an error
	return fmt.Sprintf("%06d", n.Int64())
}

func codeKey(p CodePurpose, subject string) key {
	return key{PK: "CODE#" + string(p) + "#" + subject, SK: "CODE"}
}

func codeHash(c Code, secret string) string {
	sum := sha256.Sum256([]byte(string(c.Purpose) + "\x00" + c.Subject + "\x00" + c.Email + "\x00" + secret))
	return hex.EncodeToString(sum[:])
}

// ErrCodeInvalid is the answer for a code that is wrong, expired, used up or was
// never issued: the caller cannot tell these apart, by design. The operation names
// the request field it came from.
var ErrCodeInvalid = apperr.New(apperr.Invalid, apperr.CodeInvalidRequest, "The code is incorrect or has expired.")

// IssueCode stores secret as c's code with letter (or mail.NoLetter) in one
// transaction, replacing an earlier code once it is CodeResendAfter old; sooner, it
// answers rate_limited with the time left. The check is the write's condition, so
// concurrent requests cannot both send a code.
func (s *Store) IssueCode(ctx context.Context, c Code, secret string, now time.Time, letter mail.Letter) error {
	tx := s.txn()
	cond := notExists().Or(expression.Name("issuedAt").LessThanEqual(expression.Value(now.Add(-CodeResendAfter).UnixMilli())))
	tx.put(codeRecord{
		key:        codeKey(c.Purpose, c.Subject),
		Hash:       codeHash(c, secret),
		IssuedAt:   now.UnixMilli(),
		ValidUntil: now.Add(CodeValidity).UnixMilli(),
		ExpiresAt:  now.Add(CodeValidity).Unix() + 1,
		UserID:     c.UserID,
		Email:      c.Email,
	}, cond, errCodeTooSoon)
	tx.effects(Effects{Mail: []mail.Letter{letter}, At: now})
	err := tx.run(ctx)
	if !errors.Is(err, apperr.CodeRateLimited) {
		return err
	}
	// Only a refused request reads the code, to say how long is left.
	item, err := s.getItem(ctx, codeKey(c.Purpose, c.Subject))
	if err != nil {
		return err
	}
	var old codeRecord
	if err := attributevalue.UnmarshalMap(item, &old); err != nil {
		return apperr.Wrap(err, "unmarshal code")
	}
	wait := time.UnixMilli(old.IssuedAt).Add(CodeResendAfter).Sub(now)
	return apperr.Limited(max(wait, time.Second))
}

// errCodeTooSoon is IssueCode's condition failing: a code was issued less than
// CodeResendAfter ago. IssueCode answers it with the time left.
var errCodeTooSoon = apperr.New(apperr.RateLimited, apperr.CodeRateLimited, "A code was sent less than a minute ago.")

// RedeemCode uses up the code issued for c if secret is it, and answers the grant
// (with the UserID it was issued for), or ErrCodeInvalid. Each attempt takes a try
// before the hash is compared, so no more than CodeMaxTries guesses are ever compared,
// and the redemption is conditional, so of concurrent ones exactly one wins.
func (s *Store) RedeemCode(ctx context.Context, c Code, secret string, now time.Time) (Code, error) {
	k := codeKey(c.Purpose, c.Subject)
	cond := exists().
		And(expression.Name("tries").LessThan(expression.Value(CodeMaxTries))).
		And(expression.Name("validUntil").GreaterThan(expression.Value(now.UnixMilli()))).
		And(expression.AttributeNotExists(expression.Name("redeemedAt")))
	out, err := s.updateItem(ctx, k, expression.Add(expression.Name("tries"), expression.Value(1)), &cond, types.ReturnValueAllNew)
	if isConditionFailed(err) {
		return Code{}, ErrCodeInvalid
	}
	if err != nil {
		return Code{}, apperr.Wrap(err, "count code try")
	}
	var r codeRecord
	if err := attributevalue.UnmarshalMap(out.Attributes, &r); err != nil {
		return Code{}, apperr.Wrap(err, "unmarshal code")
	}
	want := codeHash(c, secret)
	if subtle.ConstantTimeCompare([]byte(r.Hash), []byte(want)) != 1 {
		return Code{}, ErrCodeInvalid
	}
	redeemedAt := now.UnixMilli()
	unredeemed := expression.Name("hash").Equal(expression.Value(want)).And(expression.AttributeNotExists(expression.Name("redeemedAt")))
	_, err = s.updateItem(ctx, k, expression.Set(expression.Name("redeemedAt"), expression.Value(redeemedAt)), &unredeemed, types.ReturnValueNone)
	if isConditionFailed(err) {
		return Code{}, ErrCodeInvalid
	}
	if err != nil {
		return Code{}, apperr.Wrap(err, "redeem code")
	}
	c.UserID, c.redeemedAt = r.UserID, redeemedAt
	return c, nil
}

// RestoreCode undoes a redemption whose operation then failed for another reason
// (a login account already taken, say), giving back the try it took, so the person
// can correct the request and use the same code again.
func (s *Store) RestoreCode(ctx context.Context, c Code) error {
	sameRedemption := expression.Name("redeemedAt").Equal(expression.Value(c.redeemedAt))
	_, err := s.updateItem(ctx, codeKey(c.Purpose, c.Subject),
		expression.Remove(expression.Name("redeemedAt")).Add(expression.Name("tries"), expression.Value(-1)),
		&sameRedemption, types.ReturnValueNone)
	if err != nil && !isConditionFailed(err) {
		return apperr.Wrap(err, "restore code")
	}
	return nil
}
