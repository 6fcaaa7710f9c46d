package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/user"
)

// UserFilter narrows a user list; zero values mean no filter.
type UserFilter struct {
	AccountType user.AccountType
	Status      user.Status
	Query       string // prefix of username, login account or email, any case
}

// Page asks for one page of a list.
type Page struct {
	Limit  int
	Cursor string
}

// ListUsers answers one page of users, newest first, or in term order when searching.
// Every path is a Query on one partition, so a page costs the same however many users
// there are.
func (s *Store) ListUsers(ctx context.Context, f UserFilter, p Page) ([]user.User, string, error) {
	if f.Query != "" {
		return s.searchUsers(ctx, f, p)
	}
	index, partition := "GSI1", usersAll
	switch {
	case f.AccountType != "" && f.Status != "":
		index, partition = "GSI4", usersByTypeStatus(f.AccountType, f.Status)
	case f.AccountType != "":
		index, partition = "GSI2", usersByType(f.AccountType)
	case f.Status != "":
		index, partition = "GSI3", usersByStatus(f.Status)
	}
	n := strings.TrimPrefix(index, "GSI")
	pkAttr, skAttr := "gsi"+n+"pk", "gsi"+n+"sk"
	attrs := []string{"pk", "sk", pkAttr, skAttr}
	list := "users:" + partition
	start, err := decodeCursor(p.Cursor, list, attrs, pkAttr, partition)
	if err != nil {
		return nil, "", err
	}
	expr, err := expression.NewBuilder().
		WithKeyCondition(expression.Key(pkAttr).Equal(expression.Value(partition))).
		Build()
	if err != nil {
		return nil, "", apperr.Wrap(err, "build query")
	}
	items, next, err := s.queryPage(ctx, &dynamodb.QueryInput{
		IndexName:                 aws.String(index),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ExclusiveStartKey:         start,
	}, list, attrs, p.Limit)
	if err != nil {
		return nil, "", err
	}
	// The index projects whole user items: the page is decoded from the Query, no
	// BatchGetItem (a page costs ~1 RRU instead of 1 + 0.5 per user).
	var records []userRecord
	if err := attributevalue.UnmarshalListOfMaps(items, &records); err != nil {
		return nil, "", apperr.Wrap(err, "unmarshal users")
	}
	users := make([]user.User, len(records))
	for i, r := range records {
		users[i] = r.user()
	}
	return users, next, nil
}

// searchUsers pages through search items whose term starts with the query. A user
// found by several of its terms is shown once, at the first of them in term order:
// the items carry all the user's terms, so that choice needs no state across pages.
func (s *Store) searchUsers(ctx context.Context, f UserFilter, p Page) ([]user.User, string, error) {
	q := strings.ToLower(f.Query)
	partition := searchPartition(q)
	attrs := []string{"pk", "sk"}
	list := "users-search:" + q + ":" + string(f.AccountType) + ":" + string(f.Status)
	start, err := decodeCursor(p.Cursor, list, attrs, "pk", partition)
	if err != nil {
		return nil, "", err
	}
	expr, err := expression.NewBuilder().
		WithKeyCondition(expression.Key("pk").Equal(expression.Value(partition)).
			And(expression.Key("sk").BeginsWith(q))).
		Build()
	if err != nil {
		return nil, "", apperr.Wrap(err, "build query")
	}
	var kept []searchRecord
	for {
		out, err := s.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(s.table),
			KeyConditionExpression:    expr.KeyCondition(),
			ExpressionAttributeNames:  expr.Names(),
			ExpressionAttributeValues: expr.Values(),
			ExclusiveStartKey:         start,
			Limit:                     aws.Int32(int32(p.Limit + 1)),
		})
		if err != nil {
			return nil, "", apperr.Wrap(err, "query user search")
		}
		var records []searchRecord
		if err := attributevalue.UnmarshalListOfMaps(out.Items, &records); err != nil {
			return nil, "", apperr.Wrap(err, "unmarshal search items")
		}
		for _, r := range records {
			if r.matches(q, f) {
				kept = append(kept, r)
			}
		}
		start = out.LastEvaluatedKey
		if len(kept) > p.Limit || start == nil {
			break
		}
	}
	next := ""
	if len(kept) > p.Limit {
		kept = kept[:p.Limit]
		last := kept[len(kept)-1].key.av()
		next = encodeCursor(list, last, attrs)
	}
	ids := make([]string, len(kept))
	for i, r := range kept {
		ids[i] = r.UserID
	}
	users, err := s.Users(ctx, ids)
	return users, next, err
}

func (r searchRecord) matches(q string, f UserFilter) bool {
	if f.AccountType != "" && r.AccountType != string(f.AccountType) {
		return false
	}
	if f.Status != "" && r.Status != string(f.Status) {
		return false
	}
	// Terms are sorted: the first that starts with q is where this user is shown.
	for _, t := range r.Terms {
		if strings.HasPrefix(t, q) {
			return t == r.Term
		}
	}
	return false
}

// Users reads users by id with BatchGetItem, in the order given; ids of users deleted
// meanwhile are left out.
func (s *Store) Users(ctx context.Context, ids []string) ([]user.User, error) {
	if len(ids) == 0 {
		return []user.User{}, nil
	}
	byID := make(map[string]user.User, len(ids))
	for chunk := range slices.Chunk(ids, 100) {
		keys := make([]map[string]types.AttributeValue, len(chunk))
		for i, id := range chunk {
			keys[i] = userKey(id).av()
		}
		request := map[string]types.KeysAndAttributes{s.table: {Keys: keys}}
		for attempt := 0; len(request) > 0; attempt++ {
			if attempt == 5 {
				return nil, apperr.Wrap(errUnprocessed, "batch get users")
			}
			if attempt > 0 {
				time.Sleep(time.Duration(attempt*attempt) * 20 * time.Millisecond)
			}
			out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: request})
			if err != nil {
				return nil, apperr.Wrap(err, "batch get users")
			}
			var records []userRecord
			if err := attributevalue.UnmarshalListOfMaps(out.Responses[s.table], &records); err != nil {
				return nil, apperr.Wrap(err, "unmarshal users")
			}
			for _, r := range records {
				byID[r.ID] = r.user()
			}
			request = out.UnprocessedKeys
		}
	}
	users := make([]user.User, 0, len(ids))
	for _, id := range ids {
		if u, ok := byID[id]; ok {
			users = append(users, u)
		}
	}
	return users, nil
}
