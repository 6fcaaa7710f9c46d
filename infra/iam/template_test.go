package iam

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/roster-dev/roster/infra/provision"
	"github.com/roster-dev/roster/infra/samtemplate"
)

// templatePolicies reads template.yaml's policies as the local stack resolves them.
func templatePolicies(t *testing.T) map[string]Policy {
	t.Helper()
	root, err := provision.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	refs := map[string]string{
		"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::StackName": "roster",
		"Table": "roster", "Table.Arn": table, "UserPool": "us-east-1_abc", "UserPool.Arn": pool,
		"UserPoolClient": "client", "SenderEmail": "no-reply@mail.example.com", "ConsoleUrl": "https://console.example.com",
	}
	// The stream and the queues, named as CloudFormation would name them.
	refs["Table.StreamArn"] = table + "/stream/2026-01-01T00:00:00.000"
	for _, q := range tmpl.Queues {
		refs[q.LogicalID+".Arn"] = "arn:aws:sqs:us-east-1:123456789012:roster-" + q.LogicalID
		refs[q.LogicalID] = "https://sqs.us-east-1.amazonaws.com/123456789012/roster-" + q.LogicalID
		refs[q.LogicalID+".QueueName"] = "roster-" + q.LogicalID
	}
	policies, err := FromTemplate(tmpl, refs)
	if err != nil {
		t.Fatal(err)
	}
	if len(policies) != len(tmpl.Functions) {
		t.Fatalf("%d policies for %d functions", len(policies), len(tmpl.Functions))
	}
	return policies
}

// Calls the code makes on paths AWS refused before the local stack enforced the policies, and a
// few that bound the rest: each must stay allowed, or stay refused.
func TestTemplatePolicies(t *testing.T) {
	t.Parallel()
	policies := templatePolicies(t)
	identity := "arn:aws:ses:us-east-1:123456789012:identity/"
	tests := []struct {
		function, action, resource string
		want                       Decision
	}{
		// The membership transaction counts the user's joins.
		{"AddTeamMemberFunction", "dynamodb:UpdateItem", table, Allowed},
		{"CreateTeamFunction", "dynamodb:UpdateItem", table, Allowed},
		// Mail an admin or a manager causes takes its tries of the mail limits.
		{"CreateUserFunction", "dynamodb:UpdateItem", table, Allowed},
		{"CreateInvitationFunction", "dynamodb:UpdateItem", table, Allowed},
		// Registering with an invitation reads it, checks its team and roles, and reads custom roles.
		{"RegisterFunction", "dynamodb:GetItem", table, Allowed},
		{"RegisterFunction", "dynamodb:ConditionCheckItem", table, Allowed},
		{"RegisterFunction", "dynamodb:BatchGetItem", table, Allowed},
		// Lists query the indexes they use, and only those.
		{"ListUsersFunction", "dynamodb:Query", table + "/index/GSI4", Allowed},
		{"ListTeamsFunction", "dynamodb:Query", table + "/index/GSI1", Allowed},
		{"ListTeamsFunction", "dynamodb:Query", table + "/index/GSI2", ImplicitDeny},
		{"ListRolesFunction", "dynamodb:Query", table, ImplicitDeny},
		{"GetMeFunction", "dynamodb:PutItem", table, ImplicitDeny},
		// Mail leaves from the mailer only, from the sender's address, or its domain where that
		// is the verified identity; request functions write it to the outbox.
		{"SendMailFunction", "ses:SendEmail", identity + "no-reply@mail.example.com", Allowed},
		{"SendMailFunction", "ses:SendEmail", identity + "mail.example.com", Allowed},
		{"SendMailFunction", "ses:SendEmail", identity + "ceo@mail.example.com", ImplicitDeny},
		{"SendMailFunction", "ses:SendEmail", identity + "example.com", ImplicitDeny},
		{"SendVerificationCodeFunction", "ses:SendEmail", identity + "mail.example.com", ImplicitDeny},
		{"CreateInvitationFunction", "ses:SendEmail", identity + "mail.example.com", ImplicitDeny},
		{"LoginFunction", "ses:SendEmail", identity + "mail.example.com", ImplicitDeny},
		// An audit event is put in its change's transaction.
		{"FreezeUserFunction", "dynamodb:PutItem", table, Allowed},
		{"FreezeUserFunction", "dynamodb:BatchWriteItem", table, ImplicitDeny},
		// Admin calls on Roster's own pool only.
		{"FreezeUserFunction", "cognito-idp:AdminDisableUser", pool, Allowed},
		{"FreezeUserFunction", "cognito-idp:AdminDisableUser", pool + "x", ImplicitDeny},
		{"FreezeUserFunction", "cognito-idp:AdminDeleteUser", pool, ImplicitDeny},
		// Sign-in takes the server-side flows, with the app client's secret read from Cognito,
		// and only the functions that sign people in may do either.
		{"LoginFunction", "cognito-idp:AdminInitiateAuth", pool, Allowed},
		{"LoginFunction", "cognito-idp:DescribeUserPoolClient", pool, Allowed},
		{"ChallengeFunction", "cognito-idp:AdminRespondToAuthChallenge", pool, Allowed},
		{"RefreshFunction", "cognito-idp:AdminInitiateAuth", pool, Allowed},
		{"RefreshFunction", "cognito-idp:AdminRespondToAuthChallenge", pool, ImplicitDeny},
		{"GetMeFunction", "cognito-idp:DescribeUserPoolClient", pool, ImplicitDeny},
		{"CreateUserFunction", "cognito-idp:AdminInitiateAuth", pool, ImplicitDeny},
	}
	for _, tt := range tests {
		if got := policies[tt.function].Decide(tt.action, tt.resource); got != tt.want {
			t.Errorf("%s: %s on %s is %v, want %v", tt.function, tt.action, tt.resource, got, tt.want)
		}
	}
}

// Least privilege in the template's shape: no wildcard, no action an index cannot take, no
// condition the local stack would not evaluate. What SAM adds is not the template's to narrow.
func TestTemplatePoliciesAreNarrow(t *testing.T) {
	t.Parallel()
	for fn, p := range templatePolicies(t) {
		for _, s := range p.Statements {
			if s.AddedBy != "" {
				continue
			}
			if s.Effect != Allow || len(s.NotActions) > 0 || len(s.NotResources) > 0 || s.Conditional {
				t.Errorf("%s: %+v is not a plain Allow", fn, s)
			}
			for _, a := range s.Actions {
				if strings.ContainsAny(a, "*?") {
					t.Errorf("%s: action %s is a wildcard", fn, a)
				}
			}
			for _, r := range s.Resources {
				if strings.ContainsAny(r, "*?") {
					t.Errorf("%s: resource %s is a wildcard", fn, r)
				}
				if strings.Contains(r, "/index/") {
					for _, a := range s.Actions {
						if a != "dynamodb:Query" {
							t.Errorf("%s: %s on an index (only Query reads one)", fn, a)
						}
					}
				}
			}
		}
	}
}

// What SAM adds to a generated role for a DynamoDB event: the stream reads (the managed
// policy, on every stream) and sqs:SendMessage on an SQS OnFailure destination, and nothing
// for a function with its own Role. An explicit Deny in the template still wins.
func TestSAMAddsStreamPolicies(t *testing.T) {
	t.Parallel()
	const stream = table + "/stream/2026-01-01T00:00:00.000"
	const dlq, other = "arn:aws:sqs:us-east-1:123456789012:dlq", "arn:aws:sqs:us-east-1:123456789012:other"
	tmpl, err := samtemplate.Parse([]byte(`
Resources:
  Table: {Type: AWS::DynamoDB::Table}
  P: {Type: AWS::Cognito::UserPool}
  C: {Type: AWS::Cognito::UserPoolClient}
  A:
    Type: AWS::Serverless::HttpApi
    Properties: {Auth: {DefaultAuthorizer: J, Authorizers: {J: {JwtConfiguration: {issuer: x, audience: [y]}}}}}
  Dlq: {Type: AWS::SQS::Queue}
  MailerFunction:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - {Effect: Allow, Action: dynamodb:GetItem, Resource: !GetAtt Table.Arn}
      Events:
        Outbox:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            DestinationConfig: {OnFailure: {Type: SQS, Destination: !GetAtt Dlq.Arn}}
  NoTypeFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Outbox:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            DestinationConfig: {OnFailure: {Destination: !GetAtt Dlq.Arn}}
  DeniedFunction:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - {Effect: Deny, Action: dynamodb:GetRecords, Resource: "*"}
      Events:
        Outbox: {Type: DynamoDB, Properties: {Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST}}
  OwnRoleFunction:
    Type: AWS::Serverless::Function
    Properties:
      Role: arn:aws:iam::123456789012:role/own
      Events:
        Outbox: {Type: DynamoDB, Properties: {Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST}}
`))
	if err != nil {
		t.Fatal(err)
	}
	policies, err := FromTemplate(tmpl, map[string]string{"Table.Arn": table, "Table.StreamArn": stream, "Dlq.Arn": dlq})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		function, action, resource string
		want                       Decision
	}{
		{"MailerFunction", "dynamodb:GetItem", table, Allowed},
		{"MailerFunction", "dynamodb:DescribeStream", stream, Allowed},
		{"MailerFunction", "dynamodb:GetRecords", stream, Allowed},
		{"MailerFunction", "dynamodb:GetShardIterator", stream, Allowed},
		{"MailerFunction", "dynamodb:ListStreams", stream, Allowed},
		{"MailerFunction", "dynamodb:PutItem", table, ImplicitDeny},
		{"MailerFunction", "sqs:SendMessage", dlq, Allowed},
		{"MailerFunction", "sqs:SendMessage", other, ImplicitDeny},
		// Without Type, SAM adds no destination policy: the role must grant it.
		{"NoTypeFunction", "dynamodb:GetRecords", stream, Allowed},
		{"NoTypeFunction", "sqs:SendMessage", dlq, ImplicitDeny},
		{"DeniedFunction", "dynamodb:GetRecords", stream, ExplicitDeny},
		{"DeniedFunction", "dynamodb:GetShardIterator", stream, Allowed},
		{"OwnRoleFunction", "dynamodb:GetRecords", stream, ImplicitDeny},
	}
	for _, tt := range tests {
		if got := policies[tt.function].Decide(tt.action, tt.resource); got != tt.want {
			t.Errorf("%s: %s on %s is %v, want %v", tt.function, tt.action, tt.resource, got, tt.want)
		}
	}
}
