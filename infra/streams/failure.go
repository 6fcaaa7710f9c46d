package streams

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/roster-dev/roster/infra/gateway"
)

// FailureRecord is what Lambda sends an on-failure destination for stream records it gives
// up on: where they are in the stream, not the records themselves (invocation record of
// services-dynamodb-errors / with-ddb).
type FailureRecord struct {
	RequestContext  FailureRequest  `json:"requestContext"`
	ResponseContext FailureResponse `json:"responseContext"`
	Version         string          `json:"version"`
	Timestamp       string          `json:"timestamp"`
	BatchInfo       BatchInfo       `json:"DDBStreamBatchInfo"`
}

// FailureRequest names the last invocation and why the records were given up.
type FailureRequest struct {
	RequestID              string `json:"requestId"`
	FunctionARN            string `json:"functionArn"`
	Condition              string `json:"condition"` // RetryAttemptsExhausted or RecordAgeExceeded
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

// FailureResponse is how the last invocation answered.
type FailureResponse struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError,omitempty"` // "Unhandled" when it failed
}

// BatchInfo locates the records given up.
type BatchInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamARN                       string `json:"streamArn"`
}

// giveUp sends the failure record of recs to the destination, or drops them without one.
// A send that fails (the queue's emulator down, the role refused) is retried: the shard waits
// rather than lose the record. It reports false when ctx ended first.
func (s *shard) giveUp(ctx context.Context, recs []record, attempts int, condition string, last outcome) bool {
	m := s.m
	if m.OnFailure == "" {
		m.log.Warn("records given up, with no destination", "condition", condition, "shard", s.id,
			"from", recs[0].seq, "to", recs[len(recs)-1].seq, "records", len(recs))
		m.count(func(st *Stats) { st.Discarded += len(recs) })
		return true
	}
	body, err := json.Marshal(m.failureRecord(s.id, recs, attempts, condition, last, time.Now()))
	if err != nil {
		m.trouble(err)
		return false
	}
	for try := 1; ; try++ {
		err := m.authorize("sqs:SendMessage", m.OnFailure)
		if err == nil {
			err = m.p.cfg.Sender.Send(ctx, m.OnFailure, string(body))
		}
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return false
		}
		m.trouble(fmt.Errorf("sending the failure record to %s: %w", m.OnFailure, err))
		if !sleep(ctx, m.p.cfg.Backoff(try)) {
			return false
		}
	}
	m.log.Warn("records sent to the on-failure destination", "condition", condition, "shard", s.id,
		"from", recs[0].seq, "to", recs[len(recs)-1].seq, "records", len(recs), "destination", m.OnFailure)
	m.count(func(st *Stats) { st.DeadLettered += len(recs) })
	return true
}

func (m *mapping) failureRecord(shardID string, recs []record, attempts int, condition string, last outcome, now time.Time) FailureRecord {
	id := last.requestID
	if id == "" {
		id = newRequestID()
	}
	resp := FailureResponse{StatusCode: 200, ExecutedVersion: "$LATEST"}
	var fe *gateway.FunctionError
	if errors.As(last.fnErr, &fe) {
		resp.FunctionError = "Unhandled"
	}
	arrival := func(r record) string { return r.created.UTC().Format("2006-01-02T15:04:05Z") }
	return FailureRecord{
		RequestContext:  FailureRequest{RequestID: id, FunctionARN: m.functionARN, Condition: condition, ApproximateInvokeCount: attempts},
		ResponseContext: resp,
		Version:         "1.0",
		Timestamp:       now.UTC().Format("2006-01-02T15:04:05.000Z"),
		BatchInfo: BatchInfo{
			ShardID:                         shardID,
			StartSequenceNumber:             recs[0].seq,
			EndSequenceNumber:               recs[len(recs)-1].seq,
			ApproximateArrivalOfFirstRecord: arrival(recs[0]),
			ApproximateArrivalOfLastRecord:  arrival(recs[len(recs)-1]),
			BatchSize:                       len(recs),
			StreamARN:                       m.Stream,
		},
	}
}

// newRequestID is a request id of Lambda's shape, for a failure record no invocation made.
func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
