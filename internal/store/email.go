package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// EmailTaken reports whether some user holds email (ignoring case).
func (s *Store) EmailTaken(ctx context.Context, email string) (bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:            aws.String(s.table),
		Key:                  emailKey(validate.Fold(email)).av(),
		ProjectionExpression: aws.String("pk"),
	})
	if err != nil {
		return false, apperr.Wrap(err, "get email claim")
	}
	return out.Item != nil, nil
}

// ChangeEmail gives u the verified address email (see SaveUser: conditioned on the
// version u was read at, the old claim released, the new one claimed or email_taken,
// the search items of the old address dropped). It answers the user as written.
func (s *Store) ChangeEmail(ctx context.Context, u user.User, email string) (user.User, error) {
	next := u
	next.Email, next.EmailVerified = email, true
	return s.SaveUser(ctx, u, next)
}
