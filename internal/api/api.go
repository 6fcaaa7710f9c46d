// Package api holds Roster's HTTP operations, one method per route of SPEC.md
// section 6. Each decodes and validates its request, loads the caller once, asks
// authz, and calls the store (and, for some, the sign-in directory). Mail an
// operation causes is written with its change (store.Effects); no operation sends it.
package api

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/accounts"
	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/identity"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// API holds the operations that need only the table.
type API struct {
	*app.App
}

// New returns the operations of a that need only the table.
func New(a *app.App) *API { return &API{App: a} }

// Directory holds the operations that also call the sign-in directory (Cognito): they
// are its methods, not API's, so a function that serves one cannot be built without
// the directory (NewDirectory takes it), and one that serves another does not link
// the directory's client.
type Directory struct {
	*API
	Identity identity.Provider
	// Accounts creates and removes whole accounts, records and sign-in together.
	Accounts *accounts.Accounts
}

// NewDirectory returns the operations of a that also call the sign-in directory idp
// (cognito.Load).
func NewDirectory(a *app.App, idp identity.Provider) *Directory {
	return &Directory{API: New(a), Identity: idp, Accounts: accounts.New(a.Store, idp)}
}

// caller loads the user behind the request's access token, once per request, and
// lets authz decide whether that user may act at all (deleted and frozen users not).
func (a *API) caller(ctx context.Context, req events.APIGatewayV2HTTPRequest) (user.User, error) {
	id, err := httpapi.Subject(req, a.ClientID)
	if err != nil {
		return user.User{}, err
	}
	var found *user.User
	u, err := a.Store.User(ctx, id)
	switch {
	case err == nil:
		found = &u
	case !errors.Is(err, apperr.CodeNotFound):
		return user.User{}, err
	}
	if err := authz.Caller(found, httpapi.IssuedAt(req)); err != nil {
		return user.User{}, err
	}
	return u, nil
}

// pathID reads an id path parameter, refusing malformed ones before any read.
func pathID(req events.APIGatewayV2HTTPRequest, name string) (string, error) {
	id := req.PathParameters[name]
	if !ids.Valid(id) {
		return "", apperr.InvalidFields(map[string]string{name: "is not a valid id"})
	}
	return id, nil
}

// invalid returns the collected fields as one 400, or nil when there are none.
func invalid(f validate.Fields) error {
	if f.Empty() {
		return nil
	}
	// A body that could not be read as an object has no fields to speak of: naming the
	// "missing" ones as well would send the caller looking for the wrong mistake.
	if msg, ok := f["body"]; ok {
		return apperr.InvalidFields(validate.Fields{"body": msg})
	}
	return apperr.InvalidFields(f)
}

// list is the shape of every list answer.
type list[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

func newList[T any](items []T, next string) list[T] {
	l := list[T]{Items: items}
	if l.Items == nil {
		l.Items = []T{}
	}
	if next != "" {
		l.NextCursor = &next
	}
	return l
}
