package api

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/roster-dev/roster/infra/totp"
	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/apperr"
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
	r, err := a.Identity.SignIn(ctx, id, password, false)
	if err != nil || r.Tokens == nil {
		t.Fatalf("sign-in: %+v %v", r, err)
	}
	tokens := r.Tokens
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
	if poolMFA() {
		t.Fatal("Cognito was left with MFA on")
	}

	// And the other way: MFA on in Cognito, the record fails to turn it off.
	if err := a.Identity.SetMFA(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	if _, err := h.setMFA(ctx, id, false); !apperr.IsCode(err, "not_found") {
		t.Fatalf("setMFA = %v, want the record's not_found", err)
	}
	if !poolMFA() {
		t.Fatal("MFA left off in Cognito")
	}
}
