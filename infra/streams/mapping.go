package streams

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/roster-dev/roster/infra/iam"
)

// mapping is a running Mapping.
type mapping struct {
	Mapping
	p           *Poller
	log         *slog.Logger
	filters     []*Filter
	functionARN string

	mu      sync.Mutex
	stats   Stats
	problem string // the last problem logged, so that a lasting one is logged once
}

// run lists the stream's shards now and then and reads each in its own goroutine, a child
// once its parent is done, until the stream is disabled and read to its end or ctx ends.
func (m *mapping) run(ctx context.Context) {
	shards := map[string]*shard{}
	var wg sync.WaitGroup
	defer wg.Wait()
	closed := make(chan struct{}, 1) // a shard was read to its end: look for its children
	first := true
	for {
		list, status, err := m.describe(ctx)
		if err != nil {
			m.trouble(err)
			if !sleep(ctx, m.p.cfg.Backoff(1)) {
				return
			}
			continue
		}
		// Every new shard is known before any starts: a child may be listed before its parent.
		var fresh []types.Shard
		for _, sh := range list {
			id := aws.ToString(sh.ShardId)
			if shards[id] != nil {
				continue
			}
			s := &shard{m: m, id: id, start: types.ShardIteratorTypeTrimHorizon, done: make(chan struct{})}
			shards[id] = s
			if first && m.StartingPosition == "LATEST" {
				// LATEST reads what comes after the mapping is made: nothing of a closed shard.
				s.start = types.ShardIteratorTypeLatest
				if sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber != nil {
					close(s.done)
					continue
				}
			}
			fresh = append(fresh, sh)
		}
		for _, sh := range fresh {
			s, parent := shards[aws.ToString(sh.ShardId)], shards[aws.ToString(sh.ParentShardId)]
			wg.Go(func() {
				if parent != nil {
					select {
					case <-parent.done:
					case <-ctx.Done():
						return
					}
				}
				s.run(ctx)
				select {
				case closed <- struct{}{}:
				default:
				}
			})
		}
		first = false
		if status == types.StreamStatusDisabled && allDone(shards) {
			m.log.Info("the stream is disabled and read to its end: the mapping stops")
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-closed:
		case <-time.After(m.p.cfg.DiscoverInterval):
		}
	}
}

func allDone(shards map[string]*shard) bool {
	for _, s := range shards {
		select {
		case <-s.done:
		default:
			return false
		}
	}
	return true
}

// describe lists every shard of the stream, page by page.
func (m *mapping) describe(ctx context.Context) ([]types.Shard, types.StreamStatus, error) {
	if err := m.authorize("dynamodb:DescribeStream", m.Stream); err != nil {
		return nil, "", err
	}
	var out []types.Shard
	var status types.StreamStatus
	in := &dynamodbstreams.DescribeStreamInput{StreamArn: &m.EmulatorStream}
	for {
		page, err := m.p.cfg.Streams.DescribeStream(ctx, in)
		if err != nil {
			return nil, "", fmt.Errorf("DescribeStream: %w", err)
		}
		d := page.StreamDescription
		out = append(out, d.Shards...)
		status = d.StreamStatus
		if d.LastEvaluatedShardId == nil {
			return out, status, nil
		}
		in.ExclusiveStartShardId = d.LastEvaluatedShardId
	}
}

// check returns the first of calls the function's role does not allow, or nil.
func (m *mapping) check(calls ...iam.Call) *iam.Refusal {
	if m.p.cfg.IAM == nil {
		return nil
	}
	return m.p.cfg.IAM.Check(m.Function, calls)
}

// errRefused is a call the function's role does not allow.
var errRefused = errors.New("AccessDeniedException")

// authorize checks one call made with the function's role.
func (m *mapping) authorize(action, resource string) error {
	if r := m.check(iam.Call{Action: action, Resources: []string{resource}}); r != nil {
		return fmt.Errorf("%w: %s", errRefused, m.p.cfg.IAM.Message(*r))
	}
	return nil
}

// trouble notes a problem in the stats, and logs it when it is new.
func (m *mapping) trouble(err error) {
	msg := "PROBLEM: " + err.Error()
	m.mu.Lock()
	m.stats.LastProcessingResult = msg
	isNew := m.problem != msg
	m.problem = msg
	m.mu.Unlock()
	if isNew {
		m.log.Error("event source mapping", "lastProcessingResult", msg)
	}
}

// ok notes a successful step: a later problem is logged again.
func (m *mapping) ok() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stats.LastProcessingResult = "OK"
	m.problem = ""
}

func (m *mapping) count(f func(*Stats)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f(&m.stats)
}

// sleep waits d, and reports false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
