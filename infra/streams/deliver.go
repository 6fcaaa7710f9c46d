package streams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/roster-dev/roster/infra/gateway"
)

// pending is records still to deliver: how many invocations of them failed, and how many of
// those failures spent the retry quota (a failure that bisects the batch does not).
type pending struct {
	recs              []record
	failures, retries int
}

// outcome is what one invocation of a batch came to.
type outcome struct {
	requestID string
	// failedAt is the index of the first record to retry: 0 for the whole batch (a function
	// error, or a partial response Lambda reads as a complete failure), len(batch) when every
	// record was processed.
	failedAt int
	fnErr    error // the function's error; nil when it answered
}

// deliver hands a batch to the function until every record is processed or given up. After
// a function error the batch is split in two when BisectBatchOnFunctionError is on, each half
// retried on its own, which spends no retry (services-dynamodb-errors: "Splitting a batch
// does not count towards the retry quota"); otherwise the failed records are retried after a
// backoff, and sent to the destination once MaximumRetryAttempts retries or their age are
// spent. It reports false when ctx ended first.
func (s *shard) deliver(ctx context.Context, batch []record) bool {
	m := s.m
	queue := []pending{{recs: batch}}
	for len(queue) > 0 {
		cur := &queue[0]
		if n := m.expired(cur.recs, time.Now()); n > 0 {
			if !s.giveUp(ctx, cur.recs[:n], cur.failures, "RecordAgeExceeded", outcome{}) {
				return false
			}
			if cur.recs = cur.recs[n:]; len(cur.recs) == 0 {
				queue = queue[1:]
			}
			continue
		}
		if cur.failures > 0 {
			m.count(func(st *Stats) { st.Retries++ })
		}
		o, err := m.invoke(ctx, cur.recs)
		if err != nil {
			return false
		}
		if o.failedAt > 0 {
			m.count(func(st *Stats) { st.Processed += o.failedAt })
		}
		if o.failedAt == len(cur.recs) {
			m.ok()
			queue = queue[1:]
			continue
		}
		// Records before the first failed one are done; the rest are tried again.
		cur.recs = cur.recs[o.failedAt:]
		cur.failures++
		if o.fnErr != nil {
			//lint:ignore ST1005 capitalised as Lambda's LastProcessingResult messages are
			m.trouble(fmt.Errorf("Function call failed: %w", o.fnErr))
		} else {
			//lint:ignore ST1005 capitalised as Lambda's LastProcessingResult messages are
			m.trouble(fmt.Errorf("Function reported %d failed records, from %s", len(cur.recs), cur.recs[0].seq))
		}
		wait := m.p.cfg.Backoff(1)
		if o.fnErr != nil && m.BisectBatchOnFunctionError && len(cur.recs) > 1 {
			// A partial response already split the batch, at the first failed record.
			half := len(cur.recs) / 2
			first := pending{recs: cur.recs[:half], failures: cur.failures, retries: cur.retries}
			second := pending{recs: cur.recs[half:], failures: cur.failures, retries: cur.retries}
			queue = append([]pending{first, second}, queue[1:]...)
		} else {
			cur.retries++
			if m.MaximumRetryAttempts >= 0 && cur.retries > m.MaximumRetryAttempts {
				if !s.giveUp(ctx, cur.recs, cur.failures, "RetryAttemptsExhausted", o) {
					return false
				}
				queue = queue[1:]
				continue
			}
			wait = m.p.cfg.Backoff(cur.retries)
		}
		if !sleep(ctx, wait) {
			return false
		}
	}
	return true
}

// expired counts the leading records older than MaximumRecordAgeInSeconds.
func (m *mapping) expired(recs []record, now time.Time) int {
	if m.MaximumRecordAgeInSeconds < 0 {
		return 0
	}
	limit := time.Duration(m.MaximumRecordAgeInSeconds) * time.Second
	n := 0
	for n < len(recs) && now.Sub(recs[n].created) > limit {
		n++
	}
	return n
}

// invoke runs the function on a batch; err is set only when ctx ended.
func (m *mapping) invoke(ctx context.Context, recs []record) (outcome, error) {
	var payload bytes.Buffer
	payload.WriteString(`{"Records":[`)
	for i, r := range recs {
		if i > 0 {
			payload.WriteByte(',')
		}
		payload.Write(r.json)
	}
	payload.WriteString(`]}`)
	m.count(func(st *Stats) { st.Invocations++ })
	out, id, err := m.p.cfg.Invoker.InvokeWithID(ctx, m.Function, payload.Bytes())
	switch {
	case ctx.Err() != nil || errors.Is(err, gateway.ErrClosed):
		return outcome{}, context.Canceled
	case err != nil:
		// A handler's error, a crash or a timeout: the whole batch failed.
		return outcome{requestID: id, fnErr: err}, nil
	}
	o := outcome{requestID: id, failedAt: len(recs)}
	if m.ReportBatchItemFailures {
		o.failedAt = firstFailure(out, recs)
	}
	return o, nil
}

// firstFailure reads a partial batch response ({"batchItemFailures": [{"itemIdentifier":
// "<SequenceNumber>"}]}) and answers the index of the first failed record: Lambda resumes
// from the lowest sequence number reported. An empty or null answer or list is a complete
// success; an identifier that is empty, null or not in the batch a complete failure.
func firstFailure(payload []byte, recs []record) int {
	var resp struct {
		BatchItemFailures []map[string]any `json:"batchItemFailures"`
	}
	if len(bytes.TrimSpace(payload)) == 0 || string(bytes.TrimSpace(payload)) == "null" {
		return len(recs)
	}
	if err := json.Unmarshal(payload, &resp); err != nil {
		return 0
	}
	first := len(recs)
	for _, f := range resp.BatchItemFailures {
		id, _ := f["itemIdentifier"].(string)
		i := slices.IndexFunc(recs, func(r record) bool { return r.seq == id })
		if id == "" || i < 0 {
			return 0
		}
		first = min(first, i)
	}
	return first
}
