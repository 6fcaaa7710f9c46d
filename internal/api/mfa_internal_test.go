package api

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/identity/cognito"
	"github.com/roster-dev/roster/internal/identity/totptest"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
)

// When the user's record cannot take the MFA switch (here: the record is missing, as
// for a user deleted meanwhile), Cognito is switched back, so sign-in and the record
// never disagree. The store is the injected failure: a table without the user.
func TestSetMFAUndoesCognitoWhenTheRecordFails(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the local stack (-short, make unit)")
	}
	ctx := t.Context()
	a, err := app.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	a.Store = storetest.New(t)
	h := NewDirectory(a, cognito.Load(a))

	// A Cognito user with a verified authenticator, MFA still off.
	id := ids.New()
	const password = "an undo test passphrase"
	if err := h.Identity.CreateUser(ctx, id, password); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Identity.DeleteUser(context.Background(), id) })
	if err := h.Identity.SetPassword(ctx, id, password, true); err != nil {
		t.Fatal(err)
	}
	// What the pool itself holds: sign-in would hold the pool to the record (see
	// cognito's asRecorded), so the pool is read as an operator would.
	pool := cip.NewFromConfig(aws.Config{Region: os.Getenv("AWS_REGION"), Credentials: credentials.NewStaticCredentialsProvider(
		os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), "")},
		func(o *cip.Options) { o.BaseEndpoint = app.Endpoint("COGNITO_IDENTITY_PROVIDER") })
	poolMFA := func() bool {
		t.Helper()
		out, err := pool.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &a.UserPoolID, Username: &id})
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(out.UserMFASettingList, "SOFTWARE_TOKEN_MFA")
	}
	r, err := h.Identity.SignIn(ctx, id, password, false)
	if err != nil || r.Tokens == nil {
		t.Fatalf("sign-in: %+v %v", r, err)
	}
	tokens := r.Tokens
	secret, err := h.Identity.AssociateSoftwareToken(ctx, tokens.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totptest.Now(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Identity.VerifySoftwareToken(ctx, tokens.AccessToken, code); err != nil {
		t.Fatal(err)
	}

	if err := h.setMFA(ctx, id, true, store.Effects{}); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("setMFA = %v, want the record's not_found", err)
	}
	if poolMFA() {
		t.Fatal("Cognito was left with MFA on")
	}

	// And the other way: MFA on in Cognito, the record fails to turn it off.
	if err := h.Identity.SetMFA(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	if err := h.setMFA(ctx, id, false, store.Effects{}); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("setMFA = %v, want the record's not_found", err)
	}
	if !poolMFA() {
		t.Fatal("MFA left off in Cognito")
	}
}
