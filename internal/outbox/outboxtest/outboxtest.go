// Package outboxtest finds a test table's outbox items and hands them to the mailer as
// the stream would, for tests that run handlers in process on a table of their own
// (storetest.Table): the local stack's poller watches only the stack's table.
package outboxtest

import (
	"context"
	"strconv"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/outbox"
	"github.com/roster-dev/roster/internal/store"
)

// Records answers the table's outbox items as the stream's KEYS_ONLY records. It scans
// the table: for a test's own small table only.
func Records(t testing.TB, db *dynamodb.Client, table string) []events.DynamoDBEventRecord {
	t.Helper()
	var out []events.DynamoDBEventRecord
	in := &dynamodb.ScanInput{
		TableName:                 aws.String(table),
		ConsistentRead:            aws.Bool(true),
		ProjectionExpression:      aws.String("pk, sk"),
		FilterExpression:          aws.String("begins_with(pk, :outbox)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":outbox": &types.AttributeValueMemberS{Value: "OUTBOX#"}},
	}
	for {
		page, err := db.Scan(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range page.Items {
			pk := item["pk"].(*types.AttributeValueMemberS).Value
			out = append(out, events.DynamoDBEventRecord{
				EventID: strconv.Itoa(len(out)), EventName: "INSERT", EventSource: "aws:dynamodb",
				Change: events.DynamoDBStreamRecord{
					Keys:           map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute(pk), "sk": events.NewStringAttribute("OUTBOX")},
					SequenceNumber: strconv.Itoa(100 + len(out)),
					StreamViewType: "KEYS_ONLY",
				},
			})
		}
		if page.LastEvaluatedKey == nil {
			return out
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// Pending answers the outbox items of the table as the mailer reads them.
func Pending(t testing.TB, db *dynamodb.Client, table string) []store.Outgoing {
	t.Helper()
	s := store.New(db, table)
	var out []store.Outgoing
	for _, r := range Records(t, db, table) {
		id, _ := store.OutboxID(r.Change.Keys["pk"].String())
		o, found, err := s.Outgoing(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if found {
			out = append(out, o)
		}
	}
	return out
}

// Deliver hands every outbox item of the table to m, in one batch, and answers m's
// batch item failures.
func Deliver(t testing.TB, m *outbox.Mailer, db *dynamodb.Client, table string) []events.DynamoDBBatchItemFailure {
	t.Helper()
	resp, err := m.Handle(context.Background(), events.DynamoDBEvent{Records: Records(t, db, table)})
	if err != nil {
		t.Fatal(err)
	}
	return resp.BatchItemFailures
}
