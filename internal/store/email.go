package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/validate"
)

// EmailTaken reports whether some user holds email (ignoring case).
func (s *Store) EmailTaken(ctx context.Context, email string) (bool, error) {
	id, err := s.EmailHolder(ctx, email)
	return id != "", err
}

// EmailHolder is the id of the user whose claim holds email (ignoring case), "" when
// none does. The claim may be a half-made user's (see CreatePendingUser).
func (s *Store) EmailHolder(ctx context.Context, email string) (string, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table),
		Key:       emailKey(validate.Fold(email)).av(),
	})
	if err != nil {
		return "", apperr.Wrap(err, "get email claim")
	}
	if out.Item == nil {
		return "", nil
	}
	var c claimRecord
	if err := attributevalue.UnmarshalMap(out.Item, &c); err != nil {
		return "", apperr.Wrap(err, "unmarshal email claim")
	}
	return c.UserID, nil
}
