package provision

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cognito "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	cognitotypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/roster-dev/roster/infra/emulator"
	"github.com/roster-dev/roster/infra/samtemplate"
)

var (
	dynamoEndpoint  string
	cognitoEndpoint string // moto, which serves SQS on the same port
)

// TestMain uses the stack's emulators under `stack run` (make test), and otherwise starts
// DynamoDB Local and moto itself, so `go test ./infra/provision` works after `make tools`.
// Under -short (make unit) it starts neither, and the tests that need them skip (clients).
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	dynamoEndpoint = os.Getenv("ROSTER_DYNAMODB_ENDPOINT")
	cognitoEndpoint = os.Getenv("ROSTER_COGNITO_ENDPOINT")
	if dynamoEndpoint == "" || cognitoEndpoint == "" {
		root, err := RepoRoot()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		logDir, err := os.MkdirTemp("", "provision-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(logDir)
		var stop func()
		dynamoEndpoint, cognitoEndpoint, stop, err = emulator.Tools{Dir: filepath.Join(root, ".tools")}.DynamoAndMoto(context.Background(), logDir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer stop()
	}
	return m.Run()
}

var awsConfig = aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}

// clients returns clients of DynamoDB Local and moto (Cognito and SQS); the test skips under -short.
func clients(t *testing.T) (*dynamodb.Client, *cognito.Client, *sqs.Client) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs DynamoDB Local and moto (-short, make unit)")
	}
	return dynamodb.NewFromConfig(awsConfig, func(o *dynamodb.Options) { o.BaseEndpoint = &dynamoEndpoint }),
		cognito.NewFromConfig(awsConfig, func(o *cognito.Options) { o.BaseEndpoint = &cognitoEndpoint }),
		sqs.NewFromConfig(awsConfig, func(o *sqs.Options) { o.BaseEndpoint = &cognitoEndpoint })
}

func loadTemplate(t *testing.T) *samtemplate.Template {
	t.Helper()
	tmpl, err := samtemplate.Load(TemplatePath())
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func uniqueName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

func TestTemplatePath(t *testing.T) {
	t.Parallel()
	p := TemplatePath()
	if filepath.Base(p) != "template.yaml" || !filepath.IsAbs(p) {
		t.Fatalf("TemplatePath() = %q", p)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
}

func TestCreateTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tmpl := loadTemplate(t)
	db, _, _ := clients(t)
	name := uniqueName("provision")
	if err := CreateTable(ctx, db, tmpl, name); err != nil {
		t.Fatal(err)
	}
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
	if err != nil {
		t.Fatal(err)
	}
	table := out.Table
	if table.TableStatus != types.TableStatusActive {
		t.Errorf("status %s", table.TableStatus)
	}
	if table.BillingModeSummary == nil || table.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing mode %+v", table.BillingModeSummary)
	}
	if !aws.ToBool(table.DeletionProtectionEnabled) {
		t.Error("deletion protection is off")
	}
	if got := keySchema(table.KeySchema); got != "pk HASH, sk RANGE" {
		t.Errorf("key schema %s", got)
	}
	// Every index of the template, with its keys and projection.
	props, err := tmpl.ResolveProperties(tmpl.Table, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, g := range props["GlobalSecondaryIndexes"].([]any) {
		g := g.(map[string]any)
		var keys []string
		for _, k := range g["KeySchema"].([]any) {
			k := k.(map[string]any)
			keys = append(keys, fmt.Sprintf("%s %s", k["AttributeName"], k["KeyType"]))
		}
		want[g["IndexName"].(string)] = strings.Join(keys, ", ") + " / " + g["Projection"].(map[string]any)["ProjectionType"].(string)
	}
	if len(want) == 0 {
		t.Fatal("the template's table has no indexes: this test expects some")
	}
	got := map[string]string{}
	for _, g := range table.GlobalSecondaryIndexes {
		got[*g.IndexName] = keySchema(g.KeySchema) + " / " + string(g.Projection.ProjectionType)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("indexes\n got %v\nwant %v", got, want)
	}
	ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &name})
	if err != nil {
		t.Fatal(err)
	}
	wantTTL := props["TimeToLiveSpecification"].(map[string]any)["AttributeName"]
	if d := ttl.TimeToLiveDescription; d.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != wantTTL {
		t.Errorf("TTL %s on %q, want ENABLED on %q", d.TimeToLiveStatus, aws.ToString(d.AttributeName), wantTTL)
	}
	// A second table from the same template is independent: one per test package.
	if err := CreateTable(ctx, db, tmpl, uniqueName("provision")); err != nil {
		t.Fatal(err)
	}
	if err := CreateTable(ctx, db, tmpl, name); err == nil {
		t.Error("creating the same table twice gave no error")
	}
}

func keySchema(ks []types.KeySchemaElement) string {
	var parts []string
	for _, k := range ks {
		parts = append(parts, *k.AttributeName+" "+string(k.KeyType))
	}
	return strings.Join(parts, ", ")
}

// A table declaring a stream gets one, of the template's view type: CloudFormation's
// StreamSpecification has no StreamEnabled, the API's needs it.
func TestCreateTableStream(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _, _ := clients(t)
	for view, spec := range map[string]string{"KEYS_ONLY": "StreamSpecification: {StreamViewType: KEYS_ONLY}", "": ""} {
		tmpl, err := samtemplate.Parse([]byte(`
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      ` + spec + `
` + minimalRest))
		if err != nil {
			t.Fatal(err)
		}
		name := uniqueName("stream")
		if err := CreateTable(ctx, db, tmpl, name); err != nil {
			t.Fatal(err)
		}
		arn, err := StreamARN(ctx, db, name)
		if err != nil {
			t.Fatal(err)
		}
		out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
		if err != nil {
			t.Fatal(err)
		}
		got := out.Table.StreamSpecification
		switch {
		case view == "" && (arn != "" || got != nil && aws.ToBool(got.StreamEnabled)):
			t.Errorf("a table without StreamSpecification has a stream: %q %+v", arn, got)
		case view != "" && (!strings.Contains(arn, ":table/"+name+"/stream/") || got == nil || string(got.StreamViewType) != view):
			t.Errorf("stream %q %+v, want one of type %s", arn, got, view)
		}
	}
}

// minimalRest is what a template needs beside its table to parse.
const minimalRest = `  P: {Type: AWS::Cognito::UserPool}
  C: {Type: AWS::Cognito::UserPoolClient}
  A:
    Type: AWS::Serverless::HttpApi
    Properties: {Auth: {DefaultAuthorizer: J, Authorizers: {J: {JwtConfiguration: {issuer: x, audience: [y]}}}}}
`

func TestCreateQueues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tmpl, err := samtemplate.Parse([]byte(`
Resources:
  T: {Type: AWS::DynamoDB::Table}
  Dlq:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: 1209600
      SqsManagedSseEnabled: true
      Tags: [{Key: app, Value: roster}]
  Named:
    Type: AWS::SQS::Queue
    Properties: {QueueName: !Sub "${Prefix}-named", VisibilityTimeout: 45}
` + minimalRest))
	if err != nil {
		t.Fatal(err)
	}
	_, _, client := clients(t)
	prefix := uniqueName("queues")
	queues, err := CreateQueues(ctx, client, tmpl, map[string]string{"Prefix": prefix}, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(queues) != 2 || queues[0].Name != prefix+"-Dlq" || queues[1].Name != prefix+"-named" {
		t.Fatalf("queues: %+v", queues)
	}
	for _, q := range queues {
		if q.ARN != "arn:aws:sqs:us-east-1:123456789012:"+q.Name || !strings.HasSuffix(q.URL, "/"+q.Name) {
			t.Errorf("%s: ARN %s, URL %s", q.LogicalID, q.ARN, q.URL)
		}
	}
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &queues[0].URL, AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if a := attrs.Attributes; a["MessageRetentionPeriod"] != "1209600" || a["SqsManagedSseEnabled"] != "true" {
		t.Errorf("Dlq attributes: %v", a)
	}
	tags, err := client.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: &queues[0].URL})
	if err != nil || tags.Tags["app"] != "roster" {
		t.Errorf("Dlq tags: %v %v", tags, err)
	}

	bad, err := samtemplate.Parse([]byte("Resources:\n  T: {Type: AWS::DynamoDB::Table}\n  Q: {Type: AWS::SQS::Queue, Properties: {Bogus: 1}}\n" + minimalRest))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CreateQueues(ctx, client, bad, nil, uniqueName("bad")); err == nil || !strings.Contains(err.Error(), "Bogus") {
		t.Errorf("an unknown queue property: %v, want an error naming it", err)
	}
}

// A property that the API does not know must fail loudly, not vanish.
func TestUnknownPropertiesFail(t *testing.T) {
	t.Parallel()
	tmpl, err := samtemplate.Parse([]byte(`
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      KinesisStreamSpecification: {StreamArn: arn:x}
  P:
    Type: AWS::Cognito::UserPool
    Properties: {UserPoolName: p, SmsConfiguration: {ExternalId: x, SnsCallerArn: arn:y}, Bogus: 1}
  C: {Type: AWS::Cognito::UserPoolClient, Properties: {UserPoolId: !Ref P, ClientName: c}}
  A:
    Type: AWS::Serverless::HttpApi
    Properties: {Auth: {DefaultAuthorizer: J, Authorizers: {J: {JwtConfiguration: {issuer: x, audience: [y]}}}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	db, idp, _ := clients(t)
	err = CreateTable(context.Background(), db, tmpl, uniqueName("unknown"))
	if err == nil || !strings.Contains(err.Error(), "KinesisStreamSpecification") {
		t.Errorf("CreateTable: %v, want an error naming KinesisStreamSpecification", err)
	}
	_, err = CreateUserPool(context.Background(), idp, tmpl, nil)
	if err == nil || !strings.Contains(err.Error(), "Bogus") {
		t.Errorf("CreateUserPool: %v, want an error naming Bogus", err)
	}
}

func TestCreateUserPool(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tmpl := loadTemplate(t)
	_, idp, _ := clients(t)
	pool, err := CreateUserPool(ctx, idp, tmpl, map[string]string{"AWS::StackName": "provision-test", "AWS::Region": "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if pool.ID == "" || pool.ClientID == "" || !strings.HasPrefix(pool.ARN, "arn:aws:cognito-idp:") {
		t.Fatalf("pool %+v", pool)
	}
	desc, err := idp.DescribeUserPool(ctx, &cognito.DescribeUserPoolInput{UserPoolId: &pool.ID})
	if err != nil {
		t.Fatal(err)
	}
	up := desc.UserPool
	if aws.ToString(up.Name) != "provision-test-users" {
		t.Errorf("name %q", aws.ToString(up.Name))
	}
	if up.MfaConfiguration != cognitotypes.UserPoolMfaTypeOptional {
		t.Errorf("MFA %s", up.MfaConfiguration)
	}
	if up.AdminCreateUserConfig == nil || !up.AdminCreateUserConfig.AllowAdminCreateUserOnly {
		t.Errorf("admin create user config %+v", up.AdminCreateUserConfig)
	}
	pp := up.Policies.PasswordPolicy
	if aws.ToInt32(pp.MinimumLength) != 12 || pp.RequireUppercase || pp.RequireLowercase || pp.RequireNumbers || pp.RequireSymbols {
		t.Errorf("password policy %+v", pp)
	}
	mfa, err := idp.GetUserPoolMfaConfig(ctx, &cognito.GetUserPoolMfaConfigInput{UserPoolId: &pool.ID})
	if err != nil {
		t.Fatal(err)
	}
	if mfa.SoftwareTokenMfaConfiguration == nil || !mfa.SoftwareTokenMfaConfiguration.Enabled {
		t.Errorf("TOTP MFA is not enabled: %+v", mfa.SoftwareTokenMfaConfiguration)
	}
	cl, err := idp.DescribeUserPoolClient(ctx, &cognito.DescribeUserPoolClientInput{UserPoolId: &pool.ID, ClientId: &pool.ClientID})
	if err != nil {
		t.Fatal(err)
	}
	c := cl.UserPoolClient
	flows := fmt.Sprint(c.ExplicitAuthFlows)
	// Only the server-side flows, with a secret: nobody signs in except through Roster.
	if flows != "[ALLOW_ADMIN_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH]" || c.PreventUserExistenceErrors != cognitotypes.PreventUserExistenceErrorTypesEnabled ||
		!aws.ToBool(c.EnableTokenRevocation) || aws.ToInt32(c.AccessTokenValidity) != 60 || c.RefreshTokenValidity != 30 || aws.ToString(c.ClientSecret) == "" {
		t.Errorf("client %s %s revocation=%v access=%d refresh=%d secret=%v", flows, c.PreventUserExistenceErrors,
			aws.ToBool(c.EnableTokenRevocation), aws.ToInt32(c.AccessTokenValidity), c.RefreshTokenValidity, c.ClientSecret != nil)
	}

	// The policy is what Roster's passwords need: 12 characters, no composition rule,
	// up to 128 characters.
	user := "policy-check"
	if _, err := idp.AdminCreateUser(ctx, &cognito.AdminCreateUserInput{UserPoolId: &pool.ID, Username: &user, MessageAction: cognitotypes.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	for pw, ok := range map[string]bool{
		"all lower case": true,
		strings.Repeat("long pass ", 12) + "12345678": true, // 128 characters
		"eleven char": false,
	} {
		_, err := idp.AdminSetUserPassword(ctx, &cognito.AdminSetUserPasswordInput{UserPoolId: &pool.ID, Username: &user, Password: &pw, Permanent: true})
		var invalid *cognitotypes.InvalidPasswordException
		switch {
		case ok && err != nil:
			t.Errorf("%d-character password %q refused: %v", len(pw), pw[:min(len(pw), 20)], err)
		case !ok && !errors.As(err, &invalid):
			t.Errorf("%d-character password accepted or failed otherwise: %v", len(pw), err)
		}
	}
}
