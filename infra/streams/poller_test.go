package streams

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/infra/iam"
	"github.com/roster-dev/roster/infra/samtemplate"
)

const outboxFilter = `{"eventName": ["INSERT"], "dynamodb": {"Keys": {"pk": {"S": [{"prefix": "OUTBOX#"}]}}}}`

// The outbox's filter passes only new outbox items: not other items, not their updates or
// deletions. Filtered records cost no invocation.
func TestFilterPassesOnlyMatchingInserts(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{config: func(c *samtemplate.StreamConfig) { c.Filters = []string{outboxFilter} }})
	h.start()
	h.put("USER#1", "OUTBOX#1", "OUTBOX#2", "TEAM#1")
	ctx := context.Background()
	if _, err := h.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &h.table,
		Key:              map[string]dbtypes.AttributeValue{"pk": &dbtypes.AttributeValueMemberS{Value: "OUTBOX#1"}},
		UpdateExpression: aws.String("SET sentAt = :now"), ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":now": &dbtypes.AttributeValueMemberS{Value: "now"}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &h.table,
		Key: map[string]dbtypes.AttributeValue{"pk": &dbtypes.AttributeValueMemberS{Value: "OUTBOX#2"}}}); err != nil {
		t.Fatal(err)
	}
	h.put("OUTBOX#3")
	h.processed(3, 10*time.Second)
	h.waitFor("6 records filtered", 5*time.Second, func() bool { return h.stats().Filtered == 4 })
	var got []string
	for _, b := range h.seen() {
		for _, r := range b.Records {
			got = append(got, r.EventName+" "+r.PK)
		}
	}
	if want := []string{"INSERT OUTBOX#1", "INSERT OUTBOX#2", "INSERT OUTBOX#3"}; !slices.Equal(got, want) {
		t.Errorf("the function got %v, want %v", got, want)
	}
}

// Batches hold at most BatchSize records, in stream order; with a batching window, records
// written together wait for it and go in one invocation.
func TestBatching(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{config: func(c *samtemplate.StreamConfig) {
		c.BatchSize, c.MaximumBatchingWindowInSeconds = 4, 1
	}})
	h.start()
	var pks []string
	for i := range 10 {
		pks = append(pks, fmt.Sprintf("ITEM#%02d", i))
	}
	h.putAll(pks...)
	h.processed(10, 15*time.Second)
	var got []string
	var sizes []int
	for _, b := range h.seen() {
		got = append(got, b.pks()...)
		sizes = append(sizes, len(b.Records))
	}
	if !slices.Equal(got, pks) || !slices.Equal(sizes, []int{4, 4, 2}) {
		t.Errorf("batches of %v holding %v, want 4, 4, 2 holding %v", sizes, got, pks)
	}

	// One record alone waits for the window, then goes.
	start := time.Now()
	h.put("LONE#1")
	h.processed(11, 10*time.Second)
	last := h.seen()[len(h.seen())-1]
	if d := last.at.Sub(start); d < 900*time.Millisecond || !slices.Equal(last.pks(), []string{"LONE#1"}) {
		t.Errorf("a lone record was invoked %s after its write (window 1 s): %v", d, last.pks())
	}
}

// A partial batch response resumes from the lowest failed sequence number: the records
// before it are not sent again.
func TestPartialFailureResumes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{
		config: func(c *samtemplate.StreamConfig) { c.BatchSize, c.ReportBatchItemFailures = 5, true },
		decide: func(b batch, n int) instruction {
			if n == 0 { // the third and fifth records failed
				return instruction{Failures: []string{b.Records[4].Seq, b.Records[2].Seq}}
			}
			return instruction{}
		},
	})
	h.start()
	h.putAll("A", "B", "C", "D", "E")
	h.processed(5, 10*time.Second)
	seen := h.seen()
	if len(seen) != 2 || !slices.Equal(seen[0].pks(), []string{"A", "B", "C", "D", "E"}) || !slices.Equal(seen[1].pks(), []string{"C", "D", "E"}) {
		t.Fatalf("batches %+v, want A-E then C-E", seen)
	}
	if s := h.stats(); s.Retries != 1 || s.Processed != 5 || s.DeadLettered != 0 || s.Invocations != 2 {
		t.Errorf("stats %+v", s)
	}
}

// Partial responses Lambda reads as a complete failure retry the whole batch; without
// ReportBatchItemFailures, the response is not read at all.
func TestPartialResponses(t *testing.T) {
	t.Parallel()
	raw := func(s string) *string { return &s }
	for name, tt := range map[string]struct {
		report  bool
		first   func(b batch) instruction
		retried []string // the second invocation's records; nil: none
	}{
		"empty list":              {true, func(batch) instruction { return instruction{Raw: raw(`{"batchItemFailures":[]}`)} }, nil},
		"null list":               {true, func(batch) instruction { return instruction{Raw: raw(`{"batchItemFailures":null}`)} }, nil},
		"null response":           {true, func(batch) instruction { return instruction{Raw: raw(`null`)} }, nil},
		"empty identifier":        {true, func(batch) instruction { return instruction{Failures: []string{""}} }, []string{"A", "B"}},
		"unknown identifier":      {true, func(batch) instruction { return instruction{Failures: []string{"999"}} }, []string{"A", "B"}},
		"wrong key":               {true, func(batch) instruction { return instruction{Raw: raw(`{"batchItemFailures":[{"id":"1"}]}`)} }, []string{"A", "B"}},
		"second failed":           {true, func(b batch) instruction { return instruction{Failures: []string{b.Records[1].Seq}} }, []string{"B"}},
		"not read without report": {false, func(b batch) instruction { return instruction{Failures: []string{b.Records[0].Seq}} }, nil},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, options{
				config: func(c *samtemplate.StreamConfig) { c.ReportBatchItemFailures = tt.report },
				decide: func(b batch, n int) instruction {
					if n == 0 {
						return tt.first(b)
					}
					return instruction{}
				},
			})
			h.start()
			h.putAll("A", "B")
			h.processed(2, 10*time.Second)
			time.Sleep(300 * time.Millisecond) // room for a wrong retry to show
			seen := h.seen()
			switch {
			case tt.retried == nil && len(seen) != 1:
				t.Errorf("batches %+v, want one", seen)
			case tt.retried != nil && (len(seen) != 2 || !slices.Equal(seen[1].pks(), tt.retried)):
				t.Errorf("batches %+v, want a retry of %v", seen, tt.retried)
			}
		})
	}
}

// A function error splits the batch in two, each half retried on its own, until the bad
// record is alone; it alone goes to the destination once its retries are spent. Splitting
// spends no retry: the record alone is tried once and retried MaximumRetryAttempts times.
func TestBisect(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{
		config: func(c *samtemplate.StreamConfig) {
			c.BatchSize, c.BisectBatchOnFunctionError, c.MaximumRetryAttempts = 8, true, 4
		},
		decide: func(b batch, _ int) instruction {
			if slices.Contains(b.pks(), "POISON") {
				return instruction{Error: "cannot send this one"}
			}
			return instruction{}
		},
	})
	h.start()
	pks := []string{"A", "B", "C", "D", "E", "POISON", "G", "H"}
	h.putAll(pks...)
	dl := h.deadLetters(1, 20*time.Second)
	if len(dl) != 1 {
		t.Fatalf("failure records %+v, want one", dl)
	}
	h.processed(7, 10*time.Second)
	var sizes []int
	var poisonSeq string
	var ok []string
	for _, b := range h.seen() {
		sizes = append(sizes, len(b.Records))
		if slices.Contains(b.pks(), "POISON") {
			poisonSeq = b.Records[slices.Index(b.pks(), "POISON")].Seq
		} else {
			ok = append(ok, b.pks()...)
		}
	}
	// A-H fails and splits; A-D passes, E-H fails and splits; E,POISON fails and splits; E
	// passes; POISON alone fails once and 4 retries; then G,H.
	if want := []int{8, 4, 4, 2, 1, 1, 1, 1, 1, 1, 2}; !slices.Equal(sizes, want) {
		t.Errorf("batch sizes %v, want %v", sizes, want)
	}
	sort.Strings(ok)
	if want := []string{"A", "B", "C", "D", "E", "G", "H"}; !slices.Equal(ok, want) {
		t.Errorf("processed %v, want %v", ok, want)
	}
	info := dl[0].BatchInfo
	if info.BatchSize != 1 || info.StartSequenceNumber != poisonSeq || info.EndSequenceNumber != poisonSeq || dl[0].RequestContext.ApproximateInvokeCount != 8 {
		t.Errorf("failure record %+v, want the poison record alone after the 8 invocations that held it", dl[0])
	}
}

// Records whose retries are spent go to the destination as Lambda's failure record: where
// they are in the stream, the last invocation, and why.
func TestRetriesExhaustedDeadLetter(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{
		config: func(c *samtemplate.StreamConfig) { c.MaximumRetryAttempts = 2 },
		decide: func(b batch, _ int) instruction {
			if b.pks()[0] == "BAD#1" {
				return instruction{Error: "address refused"}
			}
			return instruction{}
		},
	})
	h.start()
	h.putAll("BAD#1", "BAD#2")
	dl := h.deadLetters(1, 15*time.Second)
	if len(dl) != 1 {
		t.Fatalf("failure records %+v, want one", dl)
	}
	seen := h.seen()
	if len(seen) != 3 {
		t.Fatalf("%d invocations, want 3 (the first and 2 retries)", len(seen))
	}
	fr := dl[0]
	want := FailureRecord{
		RequestContext:  FailureRequest{RequestID: seen[2].RequestID, FunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:" + fnName, Condition: "RetryAttemptsExhausted", ApproximateInvokeCount: 3},
		ResponseContext: FailureResponse{StatusCode: 200, ExecutedVersion: "$LATEST", FunctionError: "Unhandled"},
		Version:         "1.0",
		BatchInfo: BatchInfo{StartSequenceNumber: seen[0].Records[0].Seq, EndSequenceNumber: seen[0].Records[1].Seq, BatchSize: 2,
			StreamARN: h.mapping.Stream, ShardID: fr.BatchInfo.ShardID,
			ApproximateArrivalOfFirstRecord: fr.BatchInfo.ApproximateArrivalOfFirstRecord, ApproximateArrivalOfLastRecord: fr.BatchInfo.ApproximateArrivalOfLastRecord},
		Timestamp: fr.Timestamp,
	}
	if fr != want {
		t.Errorf("failure record\n got %+v\nwant %+v", fr, want)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", fr.Timestamp); err != nil || !strings.HasPrefix(fr.BatchInfo.ShardID, "shardId-") ||
		!strings.HasPrefix(h.mapping.Stream, "arn:aws:dynamodb:us-east-1:123456789012:table/"+h.table+"/stream/") {
		t.Errorf("timestamp %q, shard %q, stream %q", fr.Timestamp, fr.BatchInfo.ShardID, h.mapping.Stream)
	}
	// The shard goes on past them.
	h.put("GOOD#1")
	h.processed(1, 10*time.Second)
	if s := h.stats(); s.DeadLettered != 2 || s.Retries != 2 {
		t.Errorf("stats %+v", s)
	}
}

// A function killed mid-batch fails that invocation (Runtime.ExitError); the batch is
// retried and nothing is lost.
func TestCrashMidBatchLosesNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{decide: func(b batch, n int) instruction { return instruction{Crash: n == 0} }})
	h.start()
	h.putAll("A", "B", "C")
	h.processed(3, 10*time.Second)
	seen := h.seen()
	if len(seen) != 2 || !slices.Equal(seen[1].pks(), []string{"A", "B", "C"}) || !strings.Contains(h.log(), "Runtime.ExitError") {
		t.Errorf("batches %+v; log:\n%s", seen, h.log())
	}
}

// The poller reads the stream and sends to the destination with the function's role, as SAM
// expands it: a role that cannot is refused when the mapping is made, with Lambda's message,
// and a permission taken away later stops the mapping without losing a record.
func TestIAM(t *testing.T) {
	t.Parallel()
	t.Run("mapping refused", func(t *testing.T) {
		t.Parallel()
		for name, tt := range map[string]struct {
			statements []iam.Statement
			want       string
		}{
			"no stream reads": {[]iam.Statement{{Effect: iam.Allow, Actions: []string{"sqs:SendMessage"}, Resources: []string{"*"}}},
				"Cannot access stream"},
			"stream reads denied": {[]iam.Statement{
				{Effect: iam.Allow, Actions: append(slices.Clone(iam.StreamReadActions), "sqs:SendMessage"), Resources: []string{"*"}},
				{Effect: iam.Deny, Actions: []string{"dynamodb:GetRecords"}, Resources: []string{"*"}},
			}, "not authorized to perform: dynamodb:GetRecords"},
			"no send": {[]iam.Statement{{Effect: iam.Allow, Actions: iam.StreamReadActions, Resources: []string{"*"}}},
				"does not have permissions to call SendMessage on SQS"},
		} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t, options{policy: &iam.Policy{Statements: tt.statements}})
				err := h.poller.Add(h.mapping)
				if !errors.Is(err, ErrMapping) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Add: %v, want ErrMapping saying %q", err, tt.want)
				}
			})
		}
	})
	t.Run("read taken away", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, options{})
		h.start()
		h.put("BEFORE")
		h.processed(1, 10*time.Second)
		full, _ := h.iam.Policy(fnName)
		h.iam.SetPolicy(fnName, full.Without("dynamodb:GetRecords"))
		time.Sleep(300 * time.Millisecond) // the shard's next read is refused
		h.put("DURING#1", "DURING#2")
		h.waitFor("a refusal", 5*time.Second, func() bool {
			return strings.Contains(h.stats().LastProcessingResult, "AccessDeniedException")
		})
		time.Sleep(time.Second)
		if n := len(h.seen()); n != 1 {
			t.Errorf("%d invocations while the role may not read the stream", n)
		}
		want := "is not authorized to perform: dynamodb:GetRecords on resource: " + h.mapping.Stream
		if !strings.Contains(h.log(), want) {
			t.Errorf("the log does not say %q:\n%s", want, h.log())
		}
		h.iam.SetPolicy(fnName, full)
		h.processed(3, 10*time.Second)
		if s := h.stats(); s.LastProcessingResult != "OK" {
			t.Errorf("after the permission came back: %+v", s)
		}
	})
	t.Run("send taken away", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, options{
			config: func(c *samtemplate.StreamConfig) { c.MaximumRetryAttempts = 0 },
			decide: func(b batch, _ int) instruction { return instruction{Error: "no"} },
		})
		h.start()
		full, _ := h.iam.Policy(fnName)
		h.iam.SetPolicy(fnName, full.Without("sqs:SendMessage"))
		h.put("FAILS")
		h.waitFor("a refused send", 10*time.Second, func() bool {
			return strings.Contains(h.stats().LastProcessingResult, "not authorized to perform: sqs:SendMessage")
		})
		if dl := h.deadLetters(1, 1500*time.Millisecond); len(dl) != 0 {
			t.Errorf("failure records sent without the permission: %+v", dl)
		}
		h.iam.SetPolicy(fnName, full)
		if dl := h.deadLetters(1, 10*time.Second); len(dl) != 1 {
			t.Errorf("failure records once the permission came back: %+v", dl)
		}
	})
}

// A shard read to its end (here: the stream disabled) is done once its records are
// delivered, and the mapping stops.
func TestClosedShard(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{config: func(c *samtemplate.StreamConfig) { c.BatchSize = 2 }})
	h.putAll("A", "B", "C")
	if _, err := h.db.UpdateTable(context.Background(), &dynamodb.UpdateTableInput{TableName: &h.table,
		StreamSpecification: &dbtypes.StreamSpecification{StreamEnabled: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	h.start()
	h.processed(3, 10*time.Second)
	h.waitFor("the mapping to stop", 10*time.Second, func() bool {
		return strings.Contains(h.log(), "the stream is disabled and read to its end")
	})
}

// Write-to-invoke latency through the whole path, with the outbox's settings (BatchSize 10,
// a 1 s window) and without a window. Printed, not asserted.
func TestLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("latency figures")
	}
	t.Parallel()
	for _, window := range []int{0, 1} {
		h := newHarness(t, options{config: func(c *samtemplate.StreamConfig) {
			c.BatchSize, c.MaximumBatchingWindowInSeconds, c.Filters = 10, window, []string{outboxFilter}
		}})
		h.start()
		const n = 40
		written := map[string]time.Time{}
		for i := range n {
			pk := fmt.Sprintf("OUTBOX#%02d", i)
			written[pk] = time.Now()
			h.put(pk)
			time.Sleep(time.Duration(50+i%5*40) * time.Millisecond) // uneven arrivals
		}
		h.processed(n, 20*time.Second)
		var lat []time.Duration
		for _, b := range h.seen() {
			for _, pk := range b.pks() {
				lat = append(lat, b.at.Sub(written[pk]))
			}
		}
		slices.Sort(lat)
		t.Logf("window %d s: write -> invoke over %d records: p50 %s, p99 %s, max %s", window, len(lat),
			lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*99/100].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	}
}
