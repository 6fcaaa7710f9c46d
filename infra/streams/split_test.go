package streams

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/roster-dev/roster/infra/samtemplate"
)

// splitStream is a stream whose shard closed and split in two, as DynamoDB's shards do every
// few hours and DynamoDB Local's never do: parent P holds records 1-5, its children C1 and C2
// the rest. DescribeStream answers one shard per page, as a long shard list is paged.
type splitStream struct {
	mu     sync.Mutex
	shards []types.Shard
	recs   map[string][]int // sequence numbers by shard
	reads  []string         // shard of each GetRecords, in call order
}

func newSplitStream() *splitStream {
	shard := func(id, parent string, first, last int) types.Shard {
		s := types.Shard{ShardId: aws.String(id), SequenceNumberRange: &types.SequenceNumberRange{
			StartingSequenceNumber: aws.String(strconv.Itoa(first)), EndingSequenceNumber: aws.String(strconv.Itoa(last))}}
		if parent != "" {
			s.ParentShardId = aws.String(parent)
		}
		return s
	}
	// The children come first in the list: the poller must still wait for their parent.
	return &splitStream{
		shards: []types.Shard{shard("C1", "P", 6, 8), shard("C2", "P", 9, 10), shard("P", "", 1, 5)},
		recs:   map[string][]int{"P": {1, 2, 3, 4, 5}, "C1": {6, 7, 8}, "C2": {9, 10}},
	}
}

func (f *splitStream) DescribeStream(_ context.Context, in *dynamodbstreams.DescribeStreamInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error) {
	i := 0
	if in.ExclusiveStartShardId != nil {
		i = slices.IndexFunc(f.shards, func(s types.Shard) bool { return *s.ShardId == *in.ExclusiveStartShardId }) + 1
	}
	d := &types.StreamDescription{StreamArn: in.StreamArn, StreamStatus: types.StreamStatusEnabled, Shards: f.shards[i : i+1]}
	if i+1 < len(f.shards) {
		d.LastEvaluatedShardId = f.shards[i].ShardId
	}
	return &dynamodbstreams.DescribeStreamOutput{StreamDescription: d}, nil
}

// Iterators are "<shard>|<index of the next record>".
func (f *splitStream) GetShardIterator(_ context.Context, in *dynamodbstreams.GetShardIteratorInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error) {
	if in.ShardIteratorType != types.ShardIteratorTypeTrimHorizon {
		return nil, fmt.Errorf("iterator type %s", in.ShardIteratorType)
	}
	return &dynamodbstreams.GetShardIteratorOutput{ShardIterator: aws.String(*in.ShardId + "|0")}, nil
}

// GetRecords returns two records at a time, slowly, and no next iterator at a shard's end.
func (f *splitStream) GetRecords(_ context.Context, in *dynamodbstreams.GetRecordsInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	id, pos, _ := strings.Cut(*in.ShardIterator, "|")
	i, _ := strconv.Atoi(pos)
	f.mu.Lock()
	f.reads = append(f.reads, id)
	f.mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	all := f.recs[id]
	end := min(i+2, len(all))
	out := &dynamodbstreams.GetRecordsOutput{}
	for _, seq := range all[i:end] {
		s := strconv.Itoa(seq)
		out.Records = append(out.Records, types.Record{EventID: aws.String("e" + s), EventName: types.OperationTypeInsert,
			EventVersion: aws.String("1.1"), EventSource: aws.String("aws:dynamodb"), AwsRegion: aws.String("ddblocal"),
			Dynamodb: &types.StreamRecord{SequenceNumber: aws.String(s), SizeBytes: aws.Int64(10), StreamViewType: types.StreamViewTypeKeysOnly,
				ApproximateCreationDateTime: aws.Time(time.Now()),
				Keys:                        map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: id + "#" + s}}}})
	}
	if end < len(all) {
		out.NextShardIterator = aws.String(id + "|" + strconv.Itoa(end))
	}
	return out, nil
}

// A parent shard is read to its end and delivered before its children; the children, split
// from it, go side by side, each in order.
func TestShardSplit(t *testing.T) {
	t.Parallel()
	stream := newSplitStream()
	h := newHarness(t, options{streams: stream, config: func(c *samtemplate.StreamConfig) {
		c.BatchSize, c.MaximumBatchingWindowInSeconds = 2, 0
	}})
	h.start()
	h.processed(10, 10*time.Second)
	var order []string
	for _, b := range h.seen() {
		order = append(order, b.pks()...)
	}
	parentDone := slices.Index(order, "P#5")
	for i, pk := range order {
		if strings.HasPrefix(pk, "C") && i < parentDone {
			t.Errorf("%s delivered before its parent's last record: %v", pk, order)
		}
	}
	for _, child := range []string{"C1", "C2"} {
		var seqs []string
		for _, pk := range order {
			if strings.HasPrefix(pk, child+"#") {
				seqs = append(seqs, pk)
			}
		}
		if want := map[string][]string{"C1": {"C1#6", "C1#7", "C1#8"}, "C2": {"C2#9", "C2#10"}}[child]; !slices.Equal(seqs, want) {
			t.Errorf("%s delivered %v, want %v", child, seqs, want)
		}
	}
	if len(order) != 10 {
		t.Errorf("delivered %v, want each record once", order)
	}
}
