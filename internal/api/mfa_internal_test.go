package api

import (
	"context"
	"testing"

	"github.com/roster-dev/roster/infra/totp"
	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/identity"
	"github.com/roster-dev/roster/internal/identity/cognito"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/mail/ses"
	"github.com/roster-dev/roster/internal/store/storetest"
)

// When the user's record cannot take the MFA switch (here: the record is missing, as
// for a user deleted meanwhile), Cognito is switched back, so sign-in and the record
// never disagree. The store is the injected failure: a table without the user.
func TestSetMFAUndoesCognitoWhenTheRecordFails(t *testing.T) {
	ctx := context.Background()
	loaded, err := app.Load(ctx, cognito.Service, ses.Service)
	if err != nil {
		t.Fatal(err)
	}
	a := *loaded
	a.Store = storetest.New(t)
	h := New(&a)

	// A Cognito user with a verified authenticator, MFA still off.
	id := ids.New()
	const password = "an undo test passphrase"
	if err := a.Identity.CreateUser(ctx, id, password); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Identity.DeleteUser(context.Background(), id) })
	if err := a.Identity.SetPassword(ctx, id, password, true); err != nil {
		t.Fatal(err)
	}
	signIn := func() identity.Result {
		t.Helper()
		r, err := a.Identity.SignIn(ctx, id, password)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tokens := signIn().Tokens
	secret, err := a.Identity.AssociateSoftwareToken(ctx, tokens.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.Now(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Identity.VerifySoftwareToken(ctx, tokens.AccessToken, code); err != nil {
		t.Fatal(err)
	}

	if _, err := h.setMFA(ctx, id, true); !apperr.IsCode(err, "not_found") {
		t.Fatalf("setMFA = %v, want the record's not_found", err)
	}
	if r := signIn(); r.Tokens == nil {
		t.Fatalf("Cognito was left asking for %s", r.Challenge)
	}

	// And the other way: MFA on in Cognito, the record fails to turn it off.
	if err := a.Identity.SetMFA(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	if _, err := h.setMFA(ctx, id, false); !apperr.IsCode(err, "not_found") {
		t.Fatalf("setMFA = %v, want the record's not_found", err)
	}
	if r := signIn(); r.Challenge != identity.SoftwareTokenMFA {
		t.Fatalf("MFA left off in Cognito: %+v", r)
	}
}
