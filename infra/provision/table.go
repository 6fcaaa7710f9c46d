package provision

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/infra/samtemplate"
	"github.com/roster-dev/roster/internal/store/tabledef"
)

// TableDefinition returns the template's table (key schema, attribute definitions, indexes
// with their projections, billing mode, deletion protection, stream, TTL) as the local
// emulator takes it, without a name: each caller names its own.
func TableDefinition(tmpl *samtemplate.Template) (tabledef.Definition, error) {
	var def tabledef.Definition
	props, err := tmpl.ResolveProperties(tmpl.Table, nil)
	if err != nil {
		return def, err
	}
	take(props, "TableName")
	// DynamoDB Local has no backups (UpdateContinuousBackups is an unknown operation there),
	// and it does not encrypt, so there is nothing to apply for these two.
	take(props, "PointInTimeRecoverySpecification")
	take(props, "SSESpecification")
	// CloudFormation sets TTL on a table it has created; so does Definition.Create.
	ttl, hasTTL := take(props, "TimeToLiveSpecification")
	// CloudFormation's StreamSpecification has no StreamEnabled: declaring one turns it on.
	stream, hasStream := take(props, "StreamSpecification")

	if err := decodeStrict(props, &def.Table); err != nil {
		return def, fmt.Errorf("%s: property not provisioned locally: %w", tmpl.Table.LogicalID, err)
	}
	if hasStream {
		var spec types.StreamSpecification
		if err := decodeStrict(stream, &spec); err != nil {
			return def, fmt.Errorf("%s: StreamSpecification: %w", tmpl.Table.LogicalID, err)
		}
		spec.StreamEnabled = aws.Bool(true)
		def.Table.StreamSpecification = &spec
	}
	if hasTTL {
		def.TimeToLive = &types.TimeToLiveSpecification{}
		if err := decodeStrict(ttl, def.TimeToLive); err != nil {
			return def, fmt.Errorf("%s: TimeToLiveSpecification: %w", tmpl.Table.LogicalID, err)
		}
	}
	return def, nil
}

// CreateTable creates the template's table under the given name and returns once it is
// active (see TableDefinition).
func CreateTable(ctx context.Context, client *dynamodb.Client, tmpl *samtemplate.Template, name string) error {
	def, err := TableDefinition(tmpl)
	if err != nil {
		return err
	}
	return def.Create(ctx, client, name)
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
