package provision

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/roster-dev/roster/infra/samtemplate"
)

// Queue is an AWS::SQS::Queue CreateQueues made.
type Queue struct {
	LogicalID string
	Name      string
	URL       string
	ARN       string
}

// queueAttributes are the AWS::SQS::Queue properties that are queue attributes of the same
// name. QueueName and Tags are read apart; any other property fails, as for the table.
var queueAttributes = []string{
	"ContentBasedDeduplication", "DeduplicationScope", "DelaySeconds", "FifoQueue",
	"FifoThroughputLimit", "KmsDataKeyReusePeriodSeconds", "KmsMasterKeyId", "MaximumMessageSize",
	"MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds", "RedriveAllowPolicy",
	"RedrivePolicy", "SqsManagedSseEnabled", "VisibilityTimeout",
}

// CreateQueues creates every AWS::SQS::Queue of the template, in logical id order, with its
// attributes and tags. A queue without QueueName is named "<stack>-<logical id>", as
// CloudFormation names it less its random suffix. refs resolves the properties' expressions.
func CreateQueues(ctx context.Context, client *sqs.Client, tmpl *samtemplate.Template, refs map[string]string, stack string) ([]Queue, error) {
	var out []Queue
	for _, r := range tmpl.Queues {
		q, err := createQueue(ctx, client, tmpl, r, refs, stack)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.LogicalID, err)
		}
		out = append(out, q)
	}
	return out, nil
}

func createQueue(ctx context.Context, client *sqs.Client, tmpl *samtemplate.Template, r samtemplate.Resource, refs map[string]string, stack string) (Queue, error) {
	props, err := tmpl.ResolveProperties(r, refs)
	if err != nil {
		return Queue{}, err
	}
	q := Queue{LogicalID: r.LogicalID, Name: stack + "-" + r.LogicalID}
	if name, ok := take(props, "QueueName"); ok {
		q.Name = fmt.Sprint(name)
	}
	in := &sqs.CreateQueueInput{QueueName: &q.Name, Attributes: map[string]string{}}
	if tags, ok := take(props, "Tags"); ok {
		var list []struct{ Key, Value string }
		if err := decodeStrict(tags, &list); err != nil {
			//lint:ignore ST1005 CloudFormation's property name
			return Queue{}, fmt.Errorf("Tags: %w", err)
		}
		in.Tags = map[string]string{}
		for _, t := range list {
			in.Tags[t.Key] = t.Value
		}
	}
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if !slices.Contains(queueAttributes, k) {
			return Queue{}, fmt.Errorf("property not provisioned locally: %s", k)
		}
		if in.Attributes[k], err = attribute(props[k]); err != nil {
			return Queue{}, fmt.Errorf("%s: %w", k, err)
		}
	}
	created, err := client.CreateQueue(ctx, in)
	if err != nil {
		return Queue{}, fmt.Errorf("create queue %s: %w", q.Name, err)
	}
	q.URL = aws.ToString(created.QueueUrl)
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &q.URL, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return Queue{}, fmt.Errorf("queue %s: %w", q.Name, err)
	}
	q.ARN = attrs.Attributes["QueueArn"]
	return q, nil
}

// attribute writes a property as SQS takes an attribute: a string, the policies as JSON.
func attribute(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case int:
		return strconv.Itoa(v), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case map[string]any:
		data, err := json.Marshal(v)
		return string(data), err
	}
	return "", fmt.Errorf("%v is not a queue attribute value", v)
}
