package provision

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/infra/samtemplate"
)

// CreateTable creates the template's table (key schema, attribute definitions, indexes with
// their projections, billing mode, deletion protection, stream, TTL) under the given name and
// returns once it is active. Store tests call it to get a table of their own per package.
func CreateTable(ctx context.Context, client *dynamodb.Client, tmpl *samtemplate.Template, name string) error {
	props, err := tmpl.ResolveProperties(tmpl.Table, nil)
	if err != nil {
		return err
	}
	// The caller names the table: each test package has its own.
	take(props, "TableName")
	// DynamoDB Local has no backups (UpdateContinuousBackups is an unknown operation there),
	// and it does not encrypt, so there is nothing to apply for these two.
	take(props, "PointInTimeRecoverySpecification")
	take(props, "SSESpecification")
	// CloudFormation sets TTL on a table it has created; so does this, below.
	ttl, hasTTL := take(props, "TimeToLiveSpecification")
	// CloudFormation's StreamSpecification has no StreamEnabled: declaring one turns it on.
	stream, hasStream := take(props, "StreamSpecification")

	var in dynamodb.CreateTableInput
	if err := decodeStrict(props, &in); err != nil {
		return fmt.Errorf("%s: property not provisioned locally: %w", tmpl.Table.LogicalID, err)
	}
	in.TableName = &name
	if hasStream {
		var spec types.StreamSpecification
		if err := decodeStrict(stream, &spec); err != nil {
			return fmt.Errorf("%s: StreamSpecification: %w", tmpl.Table.LogicalID, err)
		}
		spec.StreamEnabled = aws.Bool(true)
		in.StreamSpecification = &spec
	}
	if _, err := client.CreateTable(ctx, &in); err != nil {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	waiter := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 100 * time.Millisecond
		o.MaxDelay = time.Second
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: &name}, 30*time.Second); err != nil {
		return fmt.Errorf("table %s never became active: %w", name, err)
	}
	if hasTTL {
		var spec types.TimeToLiveSpecification
		if err := decodeStrict(ttl, &spec); err != nil {
			return fmt.Errorf("%s: TimeToLiveSpecification: %w", tmpl.Table.LogicalID, err)
		}
		if _, err := client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: &name, TimeToLiveSpecification: &spec}); err != nil {
			return fmt.Errorf("table %s: time to live: %w", name, err)
		}
	}
	return nil
}

// StreamARN returns the ARN of a table's latest stream, as the emulator names it; "" when the
// table has none.
func StreamARN(ctx context.Context, client *dynamodb.Client, name string) (string, error) {
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
	if err != nil {
		return "", fmt.Errorf("describe table %s: %w", name, err)
	}
	if s := out.Table.StreamSpecification; s == nil || !aws.ToBool(s.StreamEnabled) {
		return "", nil
	}
	return aws.ToString(out.Table.LatestStreamArn), nil
}
