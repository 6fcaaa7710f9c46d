package store_test

import (
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

// An edit deletes the items of its old terms after it is written. A slow edit's late
// delete must not remove the item a newer edit wrote for the same term again.
func TestLateSearchDeleteKeepsANewerEditsItem(t *testing.T) {
	t.Parallel()
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
		saved, err := s.SaveUser(ctx, u, next)
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

// Only frozen users are in the by-status indexes: an active user's item has no key
// there, and freezing and recovering add and remove it.
func TestOnlyFrozenUsersAreInTheStatusIndexes(t *testing.T) {
	t.Parallel()
	db, table := storetest.Table(t)
	s := store.New(db, table)
	u := newUser("sparse", "", user.Member, user.Active)
	if err := s.CreateUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	statusKeys := func() []string {
		t.Helper()
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "USER#" + u.ID}, "sk": &types.AttributeValueMemberS{Value: "PROFILE"}}})
		if err != nil {
			t.Fatal(err)
		}
		var present []string
		for _, attr := range []string{"gsi3pk", "gsi3sk", "gsi4pk", "gsi4sk"} {
			if _, ok := out.Item[attr]; ok {
				present = append(present, attr)
			}
		}
		return present
	}
	if got := statusKeys(); len(got) != 0 {
		t.Fatalf("an active user has %v", got)
	}
	frozen := u
	frozen.Status = user.Frozen
	saved, err := s.SaveUser(ctx, u, frozen)
	if err != nil {
		t.Fatal(err)
	}
	if got := statusKeys(); len(got) != 4 {
		t.Fatalf("a frozen user has only %v", got)
	}
	active := saved
	active.Status = user.Active
	if _, err := s.SaveUser(ctx, saved, active); err != nil {
		t.Fatal(err)
	}
	if got := statusKeys(); len(got) != 0 {
		t.Fatalf("a recovered user still has %v", got)
	}
	for _, f := range []store.UserFilter{{Status: user.Frozen}, {Status: user.Frozen, AccountType: user.Member}} {
		if got := listed(t, s, f); len(got) != 0 {
			t.Errorf("%+v lists the recovered user", f)
		}
	}
	for _, f := range []store.UserFilter{{Status: user.Active}, {Status: user.Active, AccountType: user.Member}} {
		if got := listed(t, s, f); !slices.Equal(got, []string{u.ID}) {
			t.Errorf("%+v lists %v, want the recovered user", f, got)
		}
	}
}
