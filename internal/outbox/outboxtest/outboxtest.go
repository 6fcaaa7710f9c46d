// Package outboxtest finds a test table's outbox items and hands them to the mailer as
// the stream would, for tests that run handlers in process on a table of their own
// (storetest.StreamedTable): the local stack's poller watches only the stack's table.
package outboxtest

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/roster-dev/roster/internal/outbox"
	"github.com/roster-dev/roster/internal/store"
)

// Records returns the outbox inserts of the table's stream, from its start, as the
// mapping's filter passes them (KEYS_ONLY). Items sent since are among them, as a stream
// replays them: the mailer and Pending skip what is gone.
func Records(t testing.TB, db *dynamodb.Client, table string) []events.DynamoDBEventRecord {
	t.Helper()
	ctx := context.Background()
	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil || desc.Table.LatestStreamArn == nil {
		t.Fatalf("table %s has no stream: %v", table, err)
	}
	opts := db.Options()
	streams := dynamodbstreams.New(dynamodbstreams.Options{
		Region: opts.Region, Credentials: opts.Credentials, BaseEndpoint: opts.BaseEndpoint, HTTPClient: opts.HTTPClient,
	})
	stream, err := streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: desc.Table.LatestStreamArn})
	if err != nil {
		t.Fatal(err)
	}
	var out []events.DynamoDBEventRecord
	for _, shard := range stream.StreamDescription.Shards {
		it, err := streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
			StreamArn: desc.Table.LatestStreamArn, ShardId: shard.ShardId, ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon,
		})
		if err != nil {
			t.Fatal(err)
		}
		// An open shard always answers a next iterator: stop at the first empty page.
		for iter := it.ShardIterator; iter != nil; {
			page, err := streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Records {
				pk, _ := r.Dynamodb.Keys["pk"].(*streamtypes.AttributeValueMemberS)
				if r.EventName != streamtypes.OperationTypeInsert || pk == nil || !strings.HasPrefix(pk.Value, "OUTBOX#") {
					continue
				}
				out = append(out, events.DynamoDBEventRecord{
					EventID: aws.ToString(r.EventID), EventName: "INSERT", EventSource: "aws:dynamodb",
					Change: events.DynamoDBStreamRecord{
						Keys:           map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute(pk.Value), "sk": events.NewStringAttribute("OUTBOX")},
						SequenceNumber: aws.ToString(r.Dynamodb.SequenceNumber),
						StreamViewType: "KEYS_ONLY",
					},
				})
			}
			if len(page.Records) == 0 {
				break
			}
			iter = page.NextShardIterator
		}
	}
	return out
}

// Pending returns the outbox items of the table as the mailer reads them.
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
