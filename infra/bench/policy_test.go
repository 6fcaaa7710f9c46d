package bench

import (
	"slices"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/roster-dev/roster/infra/samtemplate"
)

func TestPolicyGaps(t *testing.T) {
	t.Parallel()
	var doc yaml.Node
	src := `
- Statement:
    - Effect: Allow
      Action:
        - dynamodb:GetItem
        - dynamodb:UpdateItem
      Resource: arn
    - Effect: Allow
      Action: cognito-idp:AdminDisableUser
      Resource: arn
`
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	allowed := samtemplate.Function{Policies: &doc}.Actions()
	tests := []struct {
		name  string
		calls []string
		want  []string
	}{
		{"all allowed", []string{"dynamodb:GetItem", "dynamodb:UpdateItem", "cognito-idp:AdminDisableUser"}, nil},
		{"a DynamoDB call not allowed", []string{"dynamodb:GetItem", "dynamodb:BatchWriteItem"}, []string{"dynamodb:BatchWriteItem"}},
		{"an admin Cognito call not allowed", []string{"cognito-idp:AdminEnableUser"}, []string{"cognito-idp:AdminEnableUser"}},
		{"token calls and transactions are not checked", []string{"cognito-idp:InitiateAuth", "dynamodb:TransactWriteItems"}, nil},
		{"an email needs ses:SendEmail", []string{"sesv2:POST /v2/email/outbound-emails"}, []string{"ses:SendEmail"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := map[string]int{}
			for _, c := range tt.calls {
				calls[c] = 1
			}
			if got := policyGaps(Tally{Calls: calls}, allowed); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
