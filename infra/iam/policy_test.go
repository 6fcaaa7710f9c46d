package iam

import (
	"errors"
	"slices"
	"testing"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"dynamodb:GetItem", "dynamodb:GetItem", true},
		{"dynamodb:GetItem", "dynamodb:GetItems", false},
		{"dynamodb:*", "dynamodb:GetItem", true},
		{"dynamodb:*", "cognito-idp:AdminGetUser", false},
		{"*", "anything at all", true},
		{"dynamodb:*Item", "dynamodb:BatchGetItem", true},
		{"dynamodb:*Item", "dynamodb:Query", false},
		{"dynamodb:?etItem", "dynamodb:GetItem", true},
		{"dynamodb:?etItem", "dynamodb:GGetItem", false},
		{"arn:aws:dynamodb:*:*:table/roster", "arn:aws:dynamodb:us-east-1:123456789012:table/roster", true},
		{"arn:aws:dynamodb:*:*:table/roster", "arn:aws:dynamodb:us-east-1:123456789012:table/roster/index/GSI1", false},
		{"arn:aws:dynamodb:*:*:table/roster/index/*", "arn:aws:dynamodb:us-east-1:123456789012:table/roster/index/GSI1", true},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"", "", true},
		{"", "x", false},
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, tt.s); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

const (
	table = "arn:aws:dynamodb:us-east-1:123456789012:table/roster"
	gsi1  = table + "/index/GSI1"
	pool  = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"
)

func TestDecide(t *testing.T) {
	t.Parallel()
	allowTable := Statement{Effect: Allow, Actions: []string{"dynamodb:GetItem", "dynamodb:Query"}, Resources: []string{table}}
	tests := []struct {
		name             string
		stmts            []Statement
		action, resource string
		want             Decision
	}{
		{"allowed", []Statement{allowTable}, "dynamodb:GetItem", table, Allowed},
		{"action names ignore case", []Statement{allowTable}, "DynamoDB:getitem", table, Allowed},
		{"another action", []Statement{allowTable}, "dynamodb:PutItem", table, ImplicitDeny},
		{"an index is not its table", []Statement{allowTable}, "dynamodb:Query", gsi1, ImplicitDeny},
		{"resources do not ignore case", []Statement{allowTable}, "dynamodb:GetItem", table[:len(table)-6] + "Roster", ImplicitDeny},
		{"no statement", nil, "dynamodb:GetItem", table, ImplicitDeny},
		{"wildcard action", []Statement{{Effect: Allow, Actions: []string{"dynamodb:*"}, Resources: []string{table}}}, "dynamodb:DeleteItem", table, Allowed},
		{"wildcard index", []Statement{{Effect: Allow, Actions: []string{"dynamodb:Query"}, Resources: []string{table + "/index/*"}}}, "dynamodb:Query", gsi1, Allowed},
		{"deny wins over allow", []Statement{allowTable, {Effect: Deny, Actions: []string{"dynamodb:GetItem"}, Resources: []string{"*"}}}, "dynamodb:GetItem", table, ExplicitDeny},
		{"deny wins whatever the order", []Statement{{Effect: Deny, Actions: []string{"dynamodb:*"}, Resources: []string{table}}, allowTable}, "dynamodb:GetItem", table, ExplicitDeny},
		{"a deny elsewhere does not apply", []Statement{allowTable, {Effect: Deny, Actions: []string{"dynamodb:GetItem"}, Resources: []string{pool}}}, "dynamodb:GetItem", table, Allowed},
		{"NotAction allows the rest", []Statement{{Effect: Allow, NotActions: []string{"dynamodb:DeleteItem"}, Resources: []string{table}}}, "dynamodb:PutItem", table, Allowed},
		{"NotAction leaves out its own", []Statement{{Effect: Allow, NotActions: []string{"dynamodb:DeleteItem"}, Resources: []string{table}}}, "dynamodb:DeleteItem", table, ImplicitDeny},
		{"NotResource", []Statement{{Effect: Allow, Actions: []string{"dynamodb:Query"}, NotResources: []string{table}}}, "dynamodb:Query", gsi1, Allowed},
		{"NotResource leaves out its own", []Statement{{Effect: Allow, Actions: []string{"dynamodb:Query"}, NotResources: []string{table}}}, "dynamodb:Query", table, ImplicitDeny},
		{"an Allow with a condition grants nothing", []Statement{{Effect: Allow, Actions: []string{"dynamodb:GetItem"}, Resources: []string{table}, Conditional: true}}, "dynamodb:GetItem", table, ImplicitDeny},
		{"a Deny with a condition always applies", []Statement{allowTable, {Effect: Deny, Actions: []string{"dynamodb:GetItem"}, Resources: []string{table}, Conditional: true}}, "dynamodb:GetItem", table, ExplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := (Policy{Statements: tt.stmts}).Decide(tt.action, tt.resource); got != tt.want {
				t.Errorf("Decide(%s, %s) = %v, want %v", tt.action, tt.resource, got, tt.want)
			}
		})
	}
}

func TestWithout(t *testing.T) {
	t.Parallel()
	p := Policy{Statements: []Statement{
		{Effect: Allow, Actions: []string{"dynamodb:GetItem", "dynamodb:UpdateItem"}, Resources: []string{table}},
		{Effect: Allow, Actions: []string{"dynamodb:UpdateItem"}, Resources: []string{gsi1}},
	}}
	q := p.Without("dynamodb:UpdateItem")
	if q.Decide("dynamodb:UpdateItem", table) != ImplicitDeny || q.Decide("dynamodb:GetItem", table) != Allowed {
		t.Errorf("Without(UpdateItem) = %+v", q)
	}
	if p.Decide("dynamodb:UpdateItem", table) != Allowed {
		t.Error("Without changed the policy it was called on")
	}
}

func TestParsePolicies(t *testing.T) {
	t.Parallel()
	stmt := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	doc := func(stmts ...any) []any { return []any{map[string]any{"Statement": stmts}} }
	ok := []struct {
		name     string
		policies []any
		want     Statement
	}{
		{"lists", doc(stmt("Effect", "Allow", "Action", []any{"dynamodb:GetItem"}, "Resource", []any{table})),
			Statement{Effect: Allow, Actions: []string{"dynamodb:GetItem"}, Resources: []string{table}}},
		{"scalars", doc(stmt("Effect", "Deny", "Action", "ses:SendEmail", "Resource", "*")),
			Statement{Effect: Deny, Actions: []string{"ses:SendEmail"}, Resources: []string{"*"}}},
		{"Not forms and a condition", doc(stmt("Effect", "Allow", "NotAction", "iam:*", "NotResource", table, "Condition", map[string]any{"Bool": map[string]any{"aws:SecureTransport": "true"}})),
			Statement{Effect: Allow, NotActions: []string{"iam:*"}, NotResources: []string{table}, Conditional: true}},
		{"a single statement without a list", []any{map[string]any{"Version": "2012-10-17", "Statement": stmt("Effect", "Allow", "Action", "dynamodb:Query", "Resource", gsi1)}},
			Statement{Effect: Allow, Actions: []string{"dynamodb:Query"}, Resources: []string{gsi1}}},
	}
	for _, tt := range ok {
		p, err := ParsePolicies(tt.policies)
		if err != nil || len(p.Statements) != 1 {
			t.Errorf("%s: %+v, %v", tt.name, p, err)
			continue
		}
		got := p.Statements[0]
		if got.Effect != tt.want.Effect || !slices.Equal(got.Actions, tt.want.Actions) || !slices.Equal(got.NotActions, tt.want.NotActions) ||
			!slices.Equal(got.Resources, tt.want.Resources) || !slices.Equal(got.NotResources, tt.want.NotResources) || got.Conditional != tt.want.Conditional {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}

	bad := []struct {
		name     string
		policies []any
	}{
		{"a managed policy by name", []any{"AmazonDynamoDBFullAccess"}},
		{"a SAM policy template", []any{map[string]any{"DynamoDBCrudPolicy": map[string]any{"TableName": "roster"}}}},
		{"no effect", doc(stmt("Action", "dynamodb:GetItem", "Resource", table))},
		{"an unknown effect", doc(stmt("Effect", "Maybe", "Action", "dynamodb:GetItem", "Resource", table))},
		{"no action", doc(stmt("Effect", "Allow", "Resource", table))},
		{"both Action and NotAction", doc(stmt("Effect", "Allow", "Action", "a:b", "NotAction", "a:c", "Resource", table))},
		{"no resource", doc(stmt("Effect", "Allow", "Action", "dynamodb:GetItem"))},
		{"an empty action list", doc(stmt("Effect", "Allow", "Action", []any{}, "Resource", table))},
		{"a principal", doc(stmt("Effect", "Allow", "Principal", "*", "Action", "dynamodb:GetItem", "Resource", table))},
		{"a statement that is not a mapping", doc("Allow everything")},
	}
	for _, tt := range bad {
		if _, err := ParsePolicies(tt.policies); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: err = %v, want ErrUnsupported", tt.name, err)
		}
	}
}
