package store_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/user"
)

// A search item is a pointer checked against its user when read: items an edit or a
// deletion has not removed (yet) never show a user under a term it does not have.
func TestSearchLeavesOutItemsOfTermsAUserHasNot(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, table := storetest.Table(t)
	s := store.New(db, table)
	u := newUser("quill", "", user.Member, user.Active) // terms "quill" and "u_quill"
	if err := s.CreateUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	put := func(term, userID string) {
		item, err := attributevalue.MarshalMap(map[string]any{
			"pk": "USEARCH#" + term[:1], "sk": term + " " + userID, "userId": userID, "term": term, "version": 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	put("quest", u.ID)     // a term the user does not have (any more)
	put("quay", ids.New()) // a user that does not exist (any more)
	tests := []struct {
		q    string
		want []string
	}{
		{"qu", []string{u.ID}}, // once, under "quill"
		{"que", nil},
		{"qua", nil},
		{"u_q", []string{u.ID}},
	}
	for _, tt := range tests {
		if got := listed(t, s, store.UserFilter{Query: tt.q}); !slices.Equal(got, tt.want) {
			t.Errorf("q=%s: listed %v, want %v", tt.q, got, tt.want)
		}
	}
}

// A search reads a bounded number of items per request: a run of items that all
// fail their check ends the page early, with a cursor that goes on after them.
func TestSearchPastManyStaleItemsPagesOn(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, table := storetest.Table(t)
	s := store.New(db, table)
	u := newUser("zulu", "", user.Member, user.Active)
	if err := s.CreateUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	var writes []types.WriteRequest
	for i := range 600 { // sorted before "zulu": terms of users that are gone
		term := fmt.Sprintf("zu%04d", i)
		item, err := attributevalue.MarshalMap(map[string]any{
			"pk": "USEARCH#z", "sk": term + " " + ids.New(), "userId": ids.New(), "term": term, "version": 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	for chunk := range slices.Chunk(writes, 25) {
		out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: chunk}})
		if err != nil || len(out.UnprocessedItems) > 0 {
			t.Fatalf("seeding stale items: %v", err)
		}
	}
	first, next, err := s.ListUsers(ctx, store.UserFilter{Query: "zu"}, store.Page{Limit: 20})
	if err != nil || len(first) != 0 || next == "" {
		t.Fatalf("first page: %d users, cursor %q, %v; want none and a cursor", len(first), next, err)
	}
	if got := listed(t, s, store.UserFilter{Query: "zu"}); !slices.Equal(got, []string{u.ID}) {
		t.Fatalf("all pages list %v, want the one user", got)
	}
}

// An edit deletes the items of its old terms after it is written. A slow edit's late
// delete must not remove the item a newer edit wrote for the same term again.
func TestLateSearchDeleteKeepsANewerEditsItem(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	v1 := newUser("lark", "", user.Member, user.Active)
	v1.Username = "Quinn"
	if err := s.CreateUser(ctx, v1, false); err != nil {
		t.Fatal(err)
	}
	rename := func(u user.User, name string) user.User {
		t.Helper()
		next := u
		next.Username = name
		saved, err := s.SaveUser(ctx, u, next, store.Effects{})
		if err != nil {
			t.Fatal(err)
		}
		return saved
	}
	v2 := rename(v1, "Ruth")
	if got := listed(t, s, store.UserFilter{Query: "quinn"}); len(got) != 0 {
		t.Fatalf("the old name still finds the user: %v", got)
	}
	rename(v2, "Quinn")                           // v3 writes "quinn" again
	s.DropSearchItems(ctx, v2, []string{"quinn"}) // v2's delete, arriving late
	if got := listed(t, s, store.UserFilter{Query: "quinn"}); !slices.Equal(got, []string{v1.ID}) {
		t.Fatalf("after a late delete by an older edit, q=quinn lists %v, want the user", got)
	}
	if got := listed(t, s, store.UserFilter{Query: "ruth"}); len(got) != 0 {
		t.Fatalf("the previous name still finds the user: %v", got)
	}
}

// Only the few are in the filtered indexes: admins in the by-type one (GSI2), the
// frozen in the by-status ones (GSI3, GSI4). Each edit adds or removes the keys, and
// the lists follow.
func TestOnlyAdminsAndTheFrozenAreInTheFilteredIndexes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, table := storetest.Table(t)
	s := store.New(db, table)
	u := newUser("sparse", "", user.Member, user.Active)
	if err := s.CreateUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	indexKeys := func() []string {
		t.Helper()
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "USER#" + u.ID}, "sk": &types.AttributeValueMemberS{Value: "PROFILE"}}})
		if err != nil {
			t.Fatal(err)
		}
		var present []string
		for _, attr := range []string{"gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk", "gsi4pk", "gsi4sk"} {
			if _, ok := out.Item[attr]; ok {
				present = append(present, attr)
			}
		}
		return present
	}
	steps := []struct {
		t        user.AccountType
		s        user.Status
		keys     []string
		listedBy []store.UserFilter
		notBy    []store.UserFilter
	}{
		{user.Member, user.Active, nil,
			[]store.UserFilter{{}, {AccountType: user.Member}, {Status: user.Active}, {AccountType: user.Member, Status: user.Active}},
			[]store.UserFilter{{AccountType: user.PlatformAdmin}, {Status: user.Frozen}, {AccountType: user.Member, Status: user.Frozen}}},
		{user.Member, user.Frozen, []string{"gsi3pk", "gsi3sk", "gsi4pk", "gsi4sk"},
			[]store.UserFilter{{}, {AccountType: user.Member}, {Status: user.Frozen}, {AccountType: user.Member, Status: user.Frozen}},
			[]store.UserFilter{{Status: user.Active}, {AccountType: user.Member, Status: user.Active}}},
		{user.PlatformAdmin, user.Frozen, []string{"gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk", "gsi4pk", "gsi4sk"},
			[]store.UserFilter{{AccountType: user.PlatformAdmin}, {Status: user.Frozen}, {AccountType: user.PlatformAdmin, Status: user.Frozen}},
			[]store.UserFilter{{AccountType: user.Member}, {AccountType: user.Member, Status: user.Frozen}, {AccountType: user.PlatformAdmin, Status: user.Active}}},
		{user.PlatformAdmin, user.Active, []string{"gsi2pk", "gsi2sk"},
			[]store.UserFilter{{}, {AccountType: user.PlatformAdmin}, {Status: user.Active}, {AccountType: user.PlatformAdmin, Status: user.Active}},
			[]store.UserFilter{{Status: user.Frozen}, {AccountType: user.PlatformAdmin, Status: user.Frozen}, {AccountType: user.Member}}},
	}
	current := u
	for i, step := range steps {
		if i > 0 {
			next := current
			next.AccountType, next.Status = step.t, step.s
			saved, err := s.SaveUser(ctx, current, next, store.Effects{})
			if err != nil {
				t.Fatal(err)
			}
			current = saved
		}
		if got := indexKeys(); !slices.Equal(got, step.keys) {
			t.Errorf("%s %s: index keys %v, want %v", step.s, step.t, got, step.keys)
		}
		for _, f := range step.listedBy {
			if got := listed(t, s, f); !slices.Equal(got, []string{u.ID}) {
				t.Errorf("%s %s: %+v lists %v, want the user", step.s, step.t, f, got)
			}
		}
		for _, f := range step.notBy {
			if got := listed(t, s, f); len(got) != 0 {
				t.Errorf("%s %s: %+v lists the user", step.s, step.t, f)
			}
		}
	}
}

// Search items written before items carried a version are older than any edit: a
// rename removes them like any other.
func TestRenameDropsAVersionlessSearchItem(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, table := storetest.Table(t)
	s := store.New(db, table)
	u := newUser("vela", "", user.Member, user.Active) // terms "u_vela" and "vela"
	if err := s.CreateUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	key := map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "USEARCH#u"}, "sk": &types.AttributeValueMemberS{Value: "u_vela " + u.ID},
	}
	old := map[string]types.AttributeValue{"userId": &types.AttributeValueMemberS{Value: u.ID}, "term": &types.AttributeValueMemberS{Value: "u_vela"}}
	for k, v := range key {
		old[k] = v
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: old}); err != nil {
		t.Fatal(err)
	}
	next := u
	next.Username = "Lyra"
	if _, err := s.SaveUser(ctx, u, next, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item != nil {
		t.Fatalf("the old name's item is still there: %v, %v", out.Item, err)
	}
}
