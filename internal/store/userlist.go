package store

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
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

// ListUsers answers one page of users, newest first, or in term order when searching.
// Every path is a Query on one partition (see userRecord for the lists), so a page
// costs the same however many users there are.
func (s *Store) ListUsers(ctx context.Context, f UserFilter, p Page) ([]user.User, string, error) {
	if f.Query != "" {
		return s.searchUsers(ctx, f, p)
	}
	index, partition := "GSI1", usersAll
	switch {
	case f.AccountType != "" && statusListed(f.Status):
		index, partition = "GSI4", usersByTypeStatus(f.AccountType, f.Status)
	case typeListed(f.AccountType):
		index, partition = "GSI2", usersByType(f.AccountType)
	case statusListed(f.Status):
		index, partition = "GSI3", usersByStatus(f.Status)
	}
	n := strings.TrimPrefix(index, "GSI")
	pkAttr, skAttr := "gsi"+n+"pk", "gsi"+n+"sk"
	q := query{index: index, keyCond: expression.Key(pkAttr).Equal(expression.Value(partition)), reverse: true}
	spec := listSpec{name: "users:" + partition + ":" + string(f.AccountType) + ":" + string(f.Status),
		attrs: []string{"pk", "sk", pkAttr, skAttr}, pkAttr: pkAttr, partition: partition}
	// The index projects the fields a user list shows: the page is decoded from the
	// Query, with no BatchGetItem of its users.
	decode := func(r userRecord) (user.User, bool) { return r.user(), true }
	keep := func(u user.User) bool {
		return (f.AccountType == "" || u.AccountType == f.AccountType) && (f.Status == "" || u.Status == f.Status)
	}
	return collect(ctx, s, q, spec, p, readRecords(decode, keep))
}

// searchUsers pages through the search items whose term starts with the query, in
// term order, keeping an item only if its user still has the term, is shown at it
// (shownAt) and passes the filters. Items are read until they name the users the page
// needs, so those users are read with one BatchGetItem, usually one a page.
func (s *Store) searchUsers(ctx context.Context, f UserFilter, p Page) ([]user.User, string, error) {
	q := strings.ToLower(f.Query)
	partition := searchPartition(q)
	list := "users-search:" + q + ":" + string(f.AccountType) + ":" + string(f.Status)
	attrs := []string{"pk", "sk"}
	start, err := decodeCursor(p.Cursor, list, attrs, "pk", partition)
	if err != nil {
		return nil, "", err
	}
	qry := query{
		keyCond:  expression.Key("pk").Equal(expression.Value(partition)).And(expression.Key("sk").BeginsWith(q)),
		eventual: true, start: start, limit: 2 * (p.Limit + 1), // a user has up to three terms, mostly two that match
	}
	var (
		pending   []map[string]types.AttributeValue // read, not checked yet, in term order
		more      = true
		read      int
		kept      []user.User
		keptItems []map[string]types.AttributeValue
		checked   map[string]types.AttributeValue // the last item checked
	)
	for {
		need := p.Limit + 1 - len(kept)
		for more && usersIn(pending) < need && read < maxReadPerPage {
			items, last, err := s.query(ctx, qry)
			if err != nil {
				return nil, "", err
			}
			pending, read = append(pending, items...), read+len(items)
			qry.start, more = last, last != nil
		}
		batch := pending[:prefixNaming(pending, need)]
		pending = pending[len(batch):]
		if len(batch) > 0 {
			checked = batch[len(batch)-1]
		}
		users, keep, err := s.checkSearchItems(ctx, batch, q, f)
		if err != nil {
			return nil, "", err
		}
		for i := range batch {
			if keep[i] {
				kept, keptItems = append(kept, users[i]), append(keptItems, batch[i])
			}
		}
		switch {
		case len(kept) > p.Limit:
			return kept[:p.Limit], encodeCursor(list, keptItems[p.Limit-1], attrs), nil
		case len(pending) > 0: // check the rest of what was read
		case !more:
			return kept, "", nil
		case read >= maxReadPerPage:
			// A bounded cost per request, as collect: what was found, and where to go on.
			return kept, encodeCursor(list, checked, attrs), nil
		}
	}
}

// usersIn counts the distinct users search items point to.
func usersIn(items []map[string]types.AttributeValue) int {
	seen := map[string]bool{}
	for _, item := range items {
		seen[strAttr(item, "userId")] = true
	}
	return len(seen)
}

// prefixNaming answers the length of the shortest prefix of items that points to n
// distinct users, or of all of them.
func prefixNaming(items []map[string]types.AttributeValue, n int) int {
	seen := map[string]bool{}
	for i, item := range items {
		id := strAttr(item, "userId")
		if !seen[id] && len(seen) == n {
			return i
		}
		seen[id] = true
	}
	return len(items)
}

// checkSearchItems reads the users of a run of search items and says which items
// stand: see searchUsers.
func (s *Store) checkSearchItems(ctx context.Context, items []map[string]types.AttributeValue, q string, f UserFilter) ([]user.User, []bool, error) {
	var records []searchRecord
	if err := attributevalue.UnmarshalListOfMaps(items, &records); err != nil {
		return nil, nil, apperr.Wrap(err, "unmarshal search items")
	}
	ids := make([]string, len(records))
	for i, r := range records {
		ids[i] = r.UserID
	}
	byID, err := s.usersByID(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	users := make([]user.User, len(records))
	keep := make([]bool, len(records))
	for i, r := range records {
		u, ok := byID[r.UserID]
		users[i] = u
		keep[i] = ok && shownAt(u, q) == r.Term &&
			(f.AccountType == "" || u.AccountType == f.AccountType) &&
			(f.Status == "" || u.Status == f.Status)
	}
	return users, keep, nil
}

// usersByID reads users by id with one eventually consistent BatchGetItem (a list
// page's read); ids of users deleted meanwhile, or not yet created (pending), are
// left out.
func (s *Store) usersByID(ctx context.Context, ids []string) (map[string]user.User, error) {
	keys := make([]key, len(ids))
	for i, id := range ids {
		keys[i] = userKey(id)
	}
	items, err := s.getSnapshot(ctx, keys)
	if err != nil {
		return nil, err
	}
	var records []storedUser
	if err := attributevalue.UnmarshalListOfMaps(items, &records); err != nil {
		return nil, apperr.Wrap(err, "unmarshal users")
	}
	out := make(map[string]user.User, len(records))
	for _, r := range records {
		if !r.Pending {
			out[r.ID] = r.user()
		}
	}
	return out, nil
}
