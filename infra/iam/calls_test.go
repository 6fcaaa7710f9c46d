package iam

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestCalls(t *testing.T) {
	t.Parallel()
	scope := Scope{Partition: "aws", Region: "us-east-1", AccountID: "123456789012"}
	identity := "arn:aws:ses:us-east-1:123456789012:identity/"
	tests := []struct {
		name, service, target, path, body string
		want                              []Call
	}{
		{"GetItem", DynamoDB, "DynamoDB_20120810.GetItem", "/", `{"TableName":"roster","Key":{}}`,
			[]Call{{"dynamodb:GetItem", []string{table}}}},
		{"a table named by its ARN", DynamoDB, "DynamoDB_20120810.PutItem", "/", `{"TableName":"` + table + `"}`,
			[]Call{{"dynamodb:PutItem", []string{table}}}},
		{"Query on the table", DynamoDB, "DynamoDB_20120810.Query", "/", `{"TableName":"roster"}`,
			[]Call{{"dynamodb:Query", []string{table}}}},
		{"Query on an index", DynamoDB, "DynamoDB_20120810.Query", "/", `{"TableName":"roster","IndexName":"GSI1"}`,
			[]Call{{"dynamodb:Query", []string{gsi1}}}},
		{"Scan on an index", DynamoDB, "DynamoDB_20120810.Scan", "/", `{"TableName":"roster","IndexName":"GSI1"}`,
			[]Call{{"dynamodb:Scan", []string{gsi1}}}},
		{"every kind of transaction item", DynamoDB, "DynamoDB_20120810.TransactWriteItems", "/",
			`{"TransactItems":[{"ConditionCheck":{"TableName":"roster"}},{"Put":{"TableName":"roster"}},{"Update":{"TableName":"other"}},{"Delete":{"TableName":"roster"}}]}`,
			[]Call{{"dynamodb:ConditionCheckItem", []string{table}}, {"dynamodb:PutItem", []string{table}},
				{"dynamodb:UpdateItem", []string{"arn:aws:dynamodb:us-east-1:123456789012:table/other"}}, {"dynamodb:DeleteItem", []string{table}}}},
		{"TransactGetItems", DynamoDB, "DynamoDB_20120810.TransactGetItems", "/", `{"TransactItems":[{"Get":{"TableName":"roster"}}]}`,
			[]Call{{"dynamodb:GetItem", []string{table}}}},
		{"a Get in a write transaction", DynamoDB, "DynamoDB_20120810.TransactWriteItems", "/", `{"TransactItems":[{"Get":{"TableName":"roster"}}]}`,
			[]Call{unknown(DynamoDB, "TransactWriteItems item of kind Get")}},
		{"BatchGetItem", DynamoDB, "DynamoDB_20120810.BatchGetItem", "/", `{"RequestItems":{"roster":{"Keys":[]}}}`,
			[]Call{{"dynamodb:BatchGetItem", []string{table}}}},
		{"BatchWriteItem", DynamoDB, "DynamoDB_20120810.BatchWriteItem", "/", `{"RequestItems":{"roster":[]}}`,
			[]Call{{"dynamodb:BatchWriteItem", []string{table}}}},
		{"no table", DynamoDB, "DynamoDB_20120810.ListTables", "/", `{}`,
			[]Call{{"dynamodb:ListTables", []string{"*"}}}},
		{"PartiQL", DynamoDB, "DynamoDB_20120810.ExecuteStatement", "/", `{"Statement":"SELECT * FROM roster"}`,
			[]Call{unknown(DynamoDB, "ExecuteStatement")}},
		{"an unreadable body", DynamoDB, "DynamoDB_20120810.GetItem", "/", `{`,
			[]Call{unknown(DynamoDB, "GetItem with an unreadable body")}},
		{"Cognito admin call", Cognito, "AWSCognitoIdentityProviderService.AdminDisableUser", "/", `{"UserPoolId":"us-east-1_abc","Username":"u"}`,
			[]Call{{"cognito-idp:AdminDisableUser", []string{pool}}}},
		{"Cognito call made with a user's token", Cognito, "AWSCognitoIdentityProviderService.ChangePassword", "/", `{"AccessToken":"x"}`, nil},
		{"Cognito sign-in", Cognito, "AWSCognitoIdentityProviderService.InitiateAuth", "/", `{"ClientId":"c"}`, nil},
		{"Cognito call without a pool", Cognito, "AWSCognitoIdentityProviderService.ListUserPools", "/", `{}`,
			[]Call{{"cognito-idp:ListUserPools", []string{"*"}}}},
		{"SES SendEmail", SES, "", "/v2/email/outbound-emails", `{"FromEmailAddress":"Roster <no-reply@example.com>"}`,
			[]Call{{"ses:SendEmail", []string{identity + "no-reply@example.com", identity + "example.com"}}}},
		{"SES SendEmail through sending authorization", SES, "", "/v2/email/outbound-emails",
			`{"FromEmailAddress":"no-reply@example.com","FromEmailAddressIdentityArn":"` + identity + `example.com"}`,
			[]Call{{"ses:SendEmail", []string{identity + "example.com"}}}},
		{"SES SendEmail with a configuration set", SES, "", "/v2/email/outbound-emails", `{"FromEmailAddress":"a@example.com","ConfigurationSetName":"cs"}`,
			[]Call{{"ses:SendEmail", []string{identity + "a@example.com", identity + "example.com"}},
				{"ses:SendEmail", []string{"arn:aws:ses:us-east-1:123456789012:configuration-set/cs"}}}},
		{"SES, another path", SES, "", "/v2/email/identities", `{}`,
			[]Call{unknown(SES, "POST /v2/email/identities")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(tt.body))
			if tt.target != "" {
				r.Header.Set("X-Amz-Target", tt.target)
			}
			got := Calls(tt.service, r, []byte(tt.body), scope)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Calls = %v\nwant    %v", got, tt.want)
			}
		})
	}
}

// Nothing grants what a request the package cannot read needs.
func TestUnknownCallsAreRefused(t *testing.T) {
	t.Parallel()
	e := NewEnforcer(Scope{}, "", map[string]Policy{"Fn": {Statements: []Statement{{Effect: Allow, Actions: []string{"*"}, Resources: []string{"*"}}}}})
	for _, c := range []Call{unknown(DynamoDB, "ExecuteStatement"), unknown(SES, "GET /v2/email/identities")} {
		if r := e.Check("Fn", []Call{c}); r == nil || r.Action != c.Action {
			t.Errorf("%v is allowed by Action: *, Resource: *", c)
		}
	}
	if r := e.Check("Fn", []Call{{Action: "dynamodb:GetItem", Resources: []string{table}}}); r != nil {
		t.Errorf("a readable call is refused: %+v", r)
	}
}

// Whatever a caller sends, Calls answers without panicking, and every call it names has a
// resource for Check to read.
func FuzzCalls(f *testing.F) {
	f.Add(DynamoDB, "DynamoDB_20120810.TransactWriteItems", "/", `{"TransactItems":[{"Put":{"TableName":"t"}},{}]}`)
	f.Add(DynamoDB, "DynamoDB_20120810.BatchGetItem", "/", `{"RequestItems":{"a":{},"b":null}}`)
	f.Add(Cognito, "AWSCognitoIdentityProviderService.AdminGetUser", "/", `{"UserPoolId":7}`)
	f.Add(SES, "", "/v2/email/outbound-emails", `{"FromEmailAddress":"<@>"}`)
	f.Fuzz(func(t *testing.T, service, target, path, body string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.URL.Path = path
		r.Header.Set("X-Amz-Target", target)
		for _, c := range Calls(service, r, []byte(body), Scope{Partition: "aws", Region: "r", AccountID: "1"}) {
			if c.Action == "" || len(c.Resources) == 0 {
				t.Fatalf("call %+v names no action or no resource", c)
			}
		}
	})
}
