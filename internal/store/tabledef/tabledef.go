// Package tabledef holds Roster's table definition as the local stack provisions it from
// template.yaml (infra/provision), in a file tests read to create tables of their own
// without reading the template: the arrows go from infra/ to internal/, never back.
package tabledef

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// EnvVar names the file `bin/roster-stack run` wrote the stack's definition to.
const EnvVar = "ROSTER_TABLE_DEFINITION"

// Definition is a table's CreateTable input without its name, and the time to live that
// CloudFormation sets once the table exists.
type Definition struct {
	Table      dynamodb.CreateTableInput
	TimeToLive *types.TimeToLiveSpecification `json:",omitempty"`
}

// Create creates the table under name and returns once it is active, with its time to
// live set.
func (d Definition) Create(ctx context.Context, client *dynamodb.Client, name string) error {
	in := d.Table
	in.TableName = &name
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
	if d.TimeToLive != nil {
		if _, err := client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: &name, TimeToLiveSpecification: d.TimeToLive}); err != nil {
			return fmt.Errorf("table %s: time to live: %w", name, err)
		}
	}
	return nil
}

// WithoutStream returns d for a table with no stream. DynamoDB Local's writes to a
// table with a stream slow down as stream records pile up across its tables (README,
// "Benchmarks"), so only a table whose stream is read should have one.
func (d Definition) WithoutStream() Definition {
	d.Table.StreamSpecification = nil
	return d
}

// Write writes d to path as JSON.
func (d Definition) Write(path string) error {
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// Load reads the definition Write wrote to path, refusing fields it does not know.
func Load(path string) (Definition, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Definition{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var d Definition
	if err := dec.Decode(&d); err != nil {
		return Definition{}, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}
