package iam

import (
	"fmt"

	"github.com/roster-dev/roster/infra/samtemplate"
)

// FromTemplate reads every function's policies from the template, resolved with refs as
// CloudFormation would resolve them, by the function's logical id (its principal), with what
// SAM adds to the role it generates for the function's events (samAdded). A function with no
// Policies and no such event may call nothing.
func FromTemplate(t *samtemplate.Template, refs map[string]string) (map[string]Policy, error) {
	out := make(map[string]Policy, len(t.Functions))
	for _, fn := range t.Functions {
		raw, err := t.ResolvePolicies(fn, refs)
		if err != nil {
			return nil, err
		}
		p, err := ParsePolicies(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fn.LogicalID, err)
		}
		added, err := samAdded(t, fn, refs)
		if err != nil {
			return nil, err
		}
		p.Statements = append(p.Statements, added...)
		out[fn.LogicalID] = p
	}
	return out, nil
}

// StreamReadActions are what Lambda's poller needs on a DynamoDB stream, with the function's
// role: CreateEventSourceMapping checks them all.
var StreamReadActions = []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}

// samAdded is what SAM adds to a function's generated role for its DynamoDB events
// (samtranslator's PullEventSource): the managed policy AWSLambdaDynamoDBExecutionRole, whose
// statement is copied here (the stream reads and CloudWatch Logs, on every resource), and for
// an OnFailure destination of Type SQS an inline sqs:SendMessage on that queue. A function
// that names its own Role gets neither: its role must grant them.
func samAdded(t *samtemplate.Template, fn samtemplate.Function, refs map[string]string) ([]Statement, error) {
	if fn.HasRole || len(fn.StreamEvents) == 0 {
		return nil, nil
	}
	managed := Statement{
		Effect:    Allow,
		Actions:   append(append([]string{}, StreamReadActions...), "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: []string{"*"},
		AddedBy:   "SAM: managed policy AWSLambdaDynamoDBExecutionRole, for the DynamoDB events",
	}
	out := []Statement{managed}
	for _, ev := range fn.StreamEvents {
		c, err := t.StreamConfig(fn, ev, refs)
		if err != nil {
			return nil, err
		}
		if c.OnFailureType == "SQS" {
			out = append(out, Statement{Effect: Allow, Actions: []string{"sqs:SendMessage"}, Resources: []string{c.OnFailure},
				AddedBy: "SAM: the OnFailure destination of event " + ev.Name})
		}
	}
	return out, nil
}
