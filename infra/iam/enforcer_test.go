package iam

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cognito "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// upstream stands in for an emulator: it answers every request with an empty success and
// counts what reached it.
type upstream struct {
	mu      sync.Mutex
	reached []string
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	u.reached = append(u.reached, target(r)+r.URL.Path)
	u.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"MessageId":"m"}`))
}

func (u *upstream) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.reached)
}

// The SDK clients Roster's functions use, signing with key through a proxy of e.
func clients(t *testing.T, e *Enforcer, key string) (*dynamodb.Client, *cognito.Client, *sesv2.Client, map[string]*upstream) {
	t.Helper()
	ups := map[string]*upstream{}
	urls := map[string]string{}
	for _, service := range []string{DynamoDB, Cognito, SES} {
		u := &upstream{}
		up := httptest.NewServer(u)
		t.Cleanup(up.Close)
		h, err := e.Proxy(service, up.URL)
		if err != nil {
			t.Fatal(err)
		}
		proxy := httptest.NewServer(h)
		t.Cleanup(proxy.Close)
		ups[service], urls[service] = u, proxy.URL
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(key, "secret", ""),
		RetryMaxAttempts: 1}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(urls[DynamoDB]) }),
		cognito.NewFromConfig(cfg, func(o *cognito.Options) { o.BaseEndpoint = aws.String(urls[Cognito]) }),
		sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.BaseEndpoint = aws.String(urls[SES]) }),
		ups
}

func TestProxyHoldsEachPrincipalToItsPolicy(t *testing.T) {
	t.Parallel()
	policy := Policy{Statements: []Statement{
		{Effect: Allow, Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}, Resources: []string{table}},
		{Effect: Allow, Actions: []string{"cognito-idp:AdminEnableUser"}, Resources: []string{pool}},
		{Effect: Allow, Actions: []string{"ses:SendEmail"}, Resources: []string{"arn:aws:ses:us-east-1:123456789012:identity/example.com"}},
	}}
	e := NewEnforcer(Scope{Partition: "aws", Region: "us-east-1", AccountID: "123456789012"}, "stack", map[string]Policy{"ReaderFunction": policy})
	var refusals []Refusal
	var mu sync.Mutex
	e.OnRefusal = func(r Refusal) { mu.Lock(); refusals = append(refusals, r); mu.Unlock() }
	ctx := context.Background()
	key := map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "a"}}
	put := func(table string) ddbtypes.TransactWriteItem {
		return ddbtypes.TransactWriteItem{Put: &ddbtypes.Put{TableName: aws.String(table), Item: key}}
	}
	update := ddbtypes.TransactWriteItem{Update: &ddbtypes.Update{TableName: aws.String("roster"), Key: key, UpdateExpression: aws.String("SET a = :a")}}
	poolID := aws.String("us-east-1_abc")

	db, idp, ses, ups := clients(t, e, "ReaderFunction")
	send := &sesv2.SendEmailInput{FromEmailAddress: aws.String("Roster <no-reply@example.com>"),
		Destination: &sestypes.Destination{ToAddresses: []string{"a@b.c"}},
		Content:     &sestypes.EmailContent{Simple: &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("s")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("t")}}}}}
	tests := []struct {
		name    string
		call    func() error
		service string
		// refused: the AWS error code the SDK must decode ("" for a call let through), and the
		// words its message must hold.
		code, words string
		status      int
	}{
		{"an allowed read", func() error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("roster"), Key: key})
			return err
		}, DynamoDB, "", "", 0},
		{"an action the policy lacks", func() error {
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("roster"), Key: key})
			return err
		}, DynamoDB, "AccessDeniedException", "is not authorized to perform: dynamodb:DeleteItem on resource: " + table + " because no identity-based policy allows", 400},
		{"another table", func() error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("other"), Key: key})
			return err
		}, DynamoDB, "AccessDeniedException", "dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/other", 400},
		{"an index the policy does not name", func() error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("roster"), IndexName: aws.String("GSI1"), KeyConditionExpression: aws.String("a = :a")})
			return err
		}, DynamoDB, "AccessDeniedException", "dynamodb:Query on resource: " + gsi1, 400},
		{"a transaction whose items are all allowed", func() error {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{put("roster")}})
			return err
		}, DynamoDB, "", "", 0},
		{"a transaction with one item the policy does not allow", func() error {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{put("roster"), update}})
			return err
		}, DynamoDB, "AccessDeniedException", "dynamodb:UpdateItem on resource: " + table, 400},
		{"an allowed admin call", func() error {
			_, err := idp.AdminEnableUser(ctx, &cognito.AdminEnableUserInput{UserPoolId: poolID, Username: aws.String("u")})
			return err
		}, Cognito, "", "", 0},
		{"an admin call the policy lacks", func() error {
			_, err := idp.AdminDisableUser(ctx, &cognito.AdminDisableUserInput{UserPoolId: poolID, Username: aws.String("u")})
			return err
		}, Cognito, "AccessDeniedException", "cognito-idp:AdminDisableUser on resource: " + pool, 400},
		{"a call made with a user's own token is no IAM call", func() error {
			_, err := idp.GetUser(ctx, &cognito.GetUserInput{AccessToken: aws.String("t")})
			return err
		}, Cognito, "", "", 0},
		{"mail from an allowed domain's address", func() error {
			_, err := ses.SendEmail(ctx, send)
			return err
		}, SES, "", "", 0},
		{"mail from another identity", func() error {
			other := *send
			other.FromEmailAddress = aws.String("x@elsewhere.com")
			_, err := ses.SendEmail(ctx, &other)
			return err
		}, SES, "AccessDeniedException", "ses:SendEmail on resource: arn:aws:ses:us-east-1:123456789012:identity/x@elsewhere.com", 403},
	}
	for _, tt := range tests {
		before := ups[tt.service].count()
		err := tt.call()
		reached := ups[tt.service].count() > before
		if tt.code == "" {
			if err != nil || !reached {
				t.Errorf("%s: err = %v, reached the emulator = %v; want it let through", tt.name, err, reached)
			}
			continue
		}
		var api smithy.APIError
		var resp *smithyhttp.ResponseError
		if !errors.As(err, &api) || api.ErrorCode() != tt.code || !strings.Contains(api.ErrorMessage(), tt.words) {
			t.Errorf("%s: err = %v; want %s naming %q", tt.name, err, tt.code, tt.words)
		} else if !errors.As(err, &resp) || resp.HTTPStatusCode() != tt.status {
			t.Errorf("%s: status of %v, want %d", tt.name, err, tt.status)
		}
		if reached {
			t.Errorf("%s: a refused call reached the emulator", tt.name)
		}
	}
	if len(refusals) != 6 || refusals[0] != (Refusal{Principal: "ReaderFunction", Action: "dynamodb:DeleteItem", Resource: table, Decision: ImplicitDeny}) {
		t.Errorf("refusals = %+v", refusals)
	}
	if used := e.Used()["ReaderFunction"]; used["dynamodb:GetItem on "+table] != 1 || used["dynamodb:DeleteItem on "+table] != 0 {
		t.Errorf("Used = %v", used)
	}

	// An explicit deny says so.
	e.SetPolicy("ReaderFunction", Policy{Statements: append(policy.Statements, Statement{Effect: Deny, Actions: []string{"dynamodb:*"}, Resources: []string{"*"}})})
	var api smithy.APIError
	if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("roster"), Key: key}); !errors.As(err, &api) ||
		!strings.Contains(api.ErrorMessage(), "with an explicit deny in an identity-based policy") {
		t.Errorf("explicit deny: %v", err)
	}
}

func TestProxyKnowsItsCallers(t *testing.T) {
	t.Parallel()
	e := NewEnforcer(Scope{Partition: "aws", Region: "us-east-1", AccountID: "123456789012"}, "stack", map[string]Policy{"ReaderFunction": {}})
	ctx := context.Background()
	in := &cognito.AdminDeleteUserInput{UserPoolId: aws.String("us-east-1_abc"), Username: aws.String("u")}

	// The stack's own key is not checked.
	_, idp, _, ups := clients(t, e, "stack")
	if _, err := idp.AdminDeleteUser(ctx, in); err != nil || ups[Cognito].count() != 1 {
		t.Errorf("the unchecked key: %v", err)
	}
	// A key that names no function is refused, as AWS refuses an unknown key.
	_, idp, _, ups = clients(t, e, "SomebodyElse")
	var api smithy.APIError
	if _, err := idp.AdminDeleteUser(ctx, in); !errors.As(err, &api) || api.ErrorCode() != "UnrecognizedClientException" || ups[Cognito].count() != 0 {
		t.Errorf("an unknown key: %v", err)
	}
	// A function with no policy may make no IAM call, but may sign a user in.
	_, idp, _, ups = clients(t, e, "ReaderFunction")
	if _, err := idp.AdminDeleteUser(ctx, in); !errors.As(err, &api) || api.ErrorCode() != "AccessDeniedException" {
		t.Errorf("no policy: %v", err)
	}
	if _, err := idp.InitiateAuth(ctx, &cognito.InitiateAuthInput{ClientId: aws.String("c"), AuthFlow: "USER_PASSWORD_AUTH"}); err != nil || ups[Cognito].count() != 1 {
		t.Errorf("sign-in: %v", err)
	}
}

func TestSigner(t *testing.T) {
	t.Parallel()
	tests := []struct{ header, key, region string }{
		{"AWS4-HMAC-SHA256 Credential=LoginFunction/20261206/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc", "LoginFunction", "eu-west-1"},
		{"AWS4-HMAC-SHA256 Credential=local/20261206/us-east-1/ses/aws4_request,SignedHeaders=host,Signature=abc", "local", "us-east-1"},
		{"", "", ""},
		{"Bearer token", "", ""},
	}
	for _, tt := range tests {
		if k, r := signer(tt.header); k != tt.key || r != tt.region {
			t.Errorf("signer(%q) = %q, %q; want %q, %q", tt.header, k, r, tt.key, tt.region)
		}
	}
}
