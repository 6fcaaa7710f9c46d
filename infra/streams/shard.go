package streams

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// Limits of Lambda and DynamoDB Streams.
const (
	// maxPayload is Lambda's synchronous request quota: a batch stops short of it.
	maxPayload = 6 << 20
	// getRecordsLimit is the most records one GetRecords call answers.
	getRecordsLimit = 1000
)

// shard reads one shard in order and delivers its records in batches.
type shard struct {
	m     *mapping
	id    string
	start types.ShardIteratorType
	done  chan struct{} // closed once every record is delivered or given up, and the shard is closed

	iter        *string
	lastSeq     string   // the last record read, where a new iterator resumes
	buf         []record // read and passed by the filters, not delivered yet
	windowStart time.Time
	closed      bool // no record will come: the shard is closed and read to its end
}

func (s *shard) run(ctx context.Context) {
	cfg := s.m.p.cfg
	for ctx.Err() == nil {
		more, failed := false, false
		if !s.closed && len(s.buf) < s.m.BatchSize {
			var err error
			if more, err = s.read(ctx); err != nil {
				if ctx.Err() != nil {
					return
				}
				// What was read before still goes; the next read waits a backoff.
				s.m.trouble(err)
				more, failed = false, true
			}
		}
		if batch := s.ready(time.Now()); batch != nil {
			if !s.deliver(ctx, batch) {
				return
			}
			s.buf = s.buf[len(batch):]
			// The next window begins as soon as the previous invocation completes.
			s.windowStart = time.Now()
			continue
		}
		if s.closed && len(s.buf) == 0 {
			close(s.done)
			return
		}
		if failed {
			sleep(ctx, cfg.Backoff(1))
			continue
		}
		if !more {
			wait := cfg.PollInterval
			if len(s.buf) > 0 {
				wait = min(wait, time.Until(s.windowStart.Add(s.window())))
			}
			sleep(ctx, max(wait, time.Millisecond))
		}
	}
}

func (s *shard) window() time.Duration {
	return time.Duration(s.m.MaximumBatchingWindowInSeconds) * time.Second
}

// read takes the next page of records: those the filters pass join the buffer. more reports
// that the page was full, so that the next read need not wait.
func (s *shard) read(ctx context.Context) (more bool, err error) {
	streams := s.m.p.cfg.Streams
	if s.iter == nil {
		if err := s.m.authorize("dynamodb:GetShardIterator", s.m.Stream); err != nil {
			return false, err
		}
		in := &dynamodbstreams.GetShardIteratorInput{StreamArn: &s.m.EmulatorStream, ShardId: &s.id, ShardIteratorType: s.start}
		if s.lastSeq != "" {
			in.ShardIteratorType, in.SequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, &s.lastSeq
		}
		out, err := streams.GetShardIterator(ctx, in)
		var gone *types.ResourceNotFoundException
		switch {
		case errors.As(err, &gone):
			s.m.log.Warn("shard gone: its records are no longer readable", "shard", s.id)
			s.closed = true
			return false, nil
		case err != nil:
			return false, fmt.Errorf("GetShardIterator: %w", err)
		}
		if s.iter = out.ShardIterator; s.iter == nil {
			s.closed = true
			return false, nil
		}
	}
	if err := s.m.authorize("dynamodb:GetRecords", s.m.Stream); err != nil {
		return false, err
	}
	out, err := streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: s.iter, Limit: aws.Int32(getRecordsLimit)})
	var expired *types.ExpiredIteratorException
	var trimmed *types.TrimmedDataAccessException
	switch {
	case errors.As(err, &expired):
		s.iter = nil // a new one resumes after the last record read
		return true, nil
	case errors.As(err, &trimmed):
		s.m.log.Warn("records trimmed from the stream before they were read", "shard", s.id, "after", s.lastSeq)
		s.iter, s.lastSeq, s.start = nil, "", types.ShardIteratorTypeTrimHorizon
		return true, nil
	case err != nil:
		return false, fmt.Errorf("GetRecords: %w", err)
	}
	s.m.ok()
	filtered := 0
	for _, r := range out.Records {
		rec, err := newRecord(r, s.m.p.cfg.Region, s.m.Stream)
		if err != nil {
			return false, err
		}
		s.lastSeq = rec.seq
		doc, err := DecodeRecord(rec.json)
		if err != nil {
			return false, err
		}
		if !MatchAny(s.m.filters, doc) {
			filtered++
			continue
		}
		if len(s.buf) == 0 {
			s.windowStart = time.Now()
		}
		s.buf = append(s.buf, rec)
	}
	if filtered > 0 {
		s.m.count(func(st *Stats) { st.Filtered += filtered })
	}
	if s.iter = out.NextShardIterator; s.iter == nil {
		s.closed = true
	}
	return len(out.Records) == getRecordsLimit, nil
}

// ready returns the next batch when it is due: the batch size is reached, the window has
// passed, or no more records will come. It is at most BatchSize records and fits Lambda's
// payload quota.
func (s *shard) ready(now time.Time) []record {
	n := len(s.buf)
	if n == 0 || n < s.m.BatchSize && !s.closed && now.Before(s.windowStart.Add(s.window())) {
		return nil
	}
	n = min(n, s.m.BatchSize)
	size := len(`{"Records":[]}`)
	for i, r := range s.buf[:n] {
		if size += len(r.json) + 1; size > maxPayload && i > 0 {
			return s.buf[:i]
		}
	}
	return s.buf[:n]
}
