// Package streams is the local stand-in for Lambda's event source mappings on DynamoDB
// streams: for each function's DynamoDB event in template.yaml it polls DynamoDB Local's
// stream, filters and batches the records, invokes the function through the local gateway
// and retries, bisects or dead-letters as Lambda does, with the function's role checked
// first (infra/EMULATORS.md says what it does and does not run).
package streams

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/roster-dev/roster/infra/iam"
	"github.com/roster-dev/roster/infra/samtemplate"
)

// StreamsAPI is the part of DynamoDB Streams the poller calls (*dynamodbstreams.Client).
type StreamsAPI interface {
	DescribeStream(context.Context, *dynamodbstreams.DescribeStreamInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error)
	GetShardIterator(context.Context, *dynamodbstreams.GetShardIteratorInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(context.Context, *dynamodbstreams.GetRecordsInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

// Invoker runs a function synchronously and answers its payload and request id; a function's
// failure is a *gateway.FunctionError (*gateway.Gateway).
type Invoker interface {
	InvokeWithID(ctx context.Context, function string, payload []byte) ([]byte, string, error)
}

// Authorizer checks a principal's calls (*iam.Enforcer).
type Authorizer interface {
	Check(principal string, calls []iam.Call) *iam.Refusal
	Message(r iam.Refusal) string
}

// Sender sends a failure record to an on-failure destination, named by its ARN.
type Sender interface {
	Send(ctx context.Context, destinationARN, body string) error
}

// Mapping is one event source mapping: a function's DynamoDB event.
type Mapping struct {
	Function string // the function's logical id, which is also its principal
	Event    string // the event's name under the function's Events
	// StreamConfig holds the event's properties; its Stream is the stream's ARN as AWS names
	// it (events, IAM, failure records).
	samtemplate.StreamConfig
	// EmulatorStream is the same stream's ARN as DynamoDB Local names it, for its API.
	EmulatorStream string
}

// Name is "<Function>/<Event>", as logs and Stats name the mapping.
func (m Mapping) Name() string { return m.Function + "/" + m.Event }

// Config configures a Poller. Streams and Invoker are required.
type Config struct {
	Streams StreamsAPI
	Invoker Invoker
	IAM     Authorizer // nil: no call is checked
	Sender  Sender     // nil: a mapping with a destination is refused
	// Region and AccountID are where the functions live: event records and failure records
	// name them.
	Region, AccountID string
	Logger            *slog.Logger
	// PollInterval is how often an idle shard is read: Lambda reads each shard of a DynamoDB
	// stream four times a second. Default 250 ms.
	PollInterval time.Duration
	// DiscoverInterval is how often the stream's shards are listed. Default 5 s.
	DiscoverInterval time.Duration
	// Backoff is the wait before retrying records after the attempt-th failed invocation, and
	// after a failed call to the stream or the destination. Default: 1 s doubling to 8 s.
	Backoff func(attempt int) time.Duration
}

func (c *Config) withDefaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 250 * time.Millisecond
	}
	if c.DiscoverInterval <= 0 {
		c.DiscoverInterval = 5 * time.Second
	}
	if c.Backoff == nil {
		c.Backoff = DefaultBackoff
	}
}

// DefaultBackoff waits 1 s after the first failure, doubling up to 8 s. AWS documents no
// interval between a stream batch's retries; this keeps retries close together, as they are
// there, without spinning.
func DefaultBackoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	return min(time.Second<<min(attempt-1, 3), 8*time.Second)
}

// Stats count what a mapping did, for tests and benchmarks.
type Stats struct {
	Invocations  int // function invocations
	Processed    int // records the function processed
	Filtered     int // records the filters dropped
	Retries      int // invocations that retried records
	DeadLettered int // records whose failure record went to the destination
	Discarded    int // records given up without a destination
	// LastProcessingResult is "OK", or "PROBLEM: ..." with what went wrong last, in the
	// spirit of the mapping's attribute of that name on AWS.
	LastProcessingResult string
}

// Poller runs event source mappings until Close.
type Poller struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	mappings map[string]*mapping
}

// New returns a Poller with no mapping.
func New(cfg Config) *Poller {
	cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Poller{cfg: cfg, ctx: ctx, cancel: cancel, mappings: map[string]*mapping{}}
}

// ErrMapping marks a mapping CreateEventSourceMapping would refuse.
var ErrMapping = errors.New("invalid event source mapping")

// Add checks a mapping as CreateEventSourceMapping does (its filters, and that the function's
// role may read the stream and send to the destination) and, when it is enabled, starts
// polling its stream.
func (p *Poller) Add(m Mapping) error {
	mp := &mapping{Mapping: m, p: p, log: p.cfg.Logger.With("eventSourceMapping", m.Name()),
		functionARN: fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", p.cfg.Region, p.cfg.AccountID, m.Function)}
	for _, pattern := range m.Filters {
		f, err := ParseFilter(pattern)
		if err != nil {
			return fmt.Errorf("%w %s: %w", ErrMapping, m.Name(), err)
		}
		mp.filters = append(mp.filters, f)
	}
	if m.OnFailure != "" {
		if !strings.HasPrefix(m.OnFailure, "arn:aws:sqs:") || m.OnFailureType == "SNS" {
			return fmt.Errorf("%w %s: destination %s: only SQS destinations are run locally", ErrMapping, m.Name(), m.OnFailure)
		}
		if p.cfg.Sender == nil {
			return fmt.Errorf("%w %s: no SQS to send failure records to", ErrMapping, m.Name())
		}
	}
	// Lambda checks the role when the mapping is made, with these messages.
	var calls []iam.Call
	for _, a := range iam.StreamReadActions {
		calls = append(calls, iam.Call{Action: a, Resources: []string{m.Stream}})
	}
	if r := mp.check(calls...); r != nil {
		return fmt.Errorf("%w %s: InvalidParameterValueException: Cannot access stream %s. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM (%s)",
			ErrMapping, m.Name(), m.Stream, p.cfg.IAM.Message(*r))
	}
	if m.OnFailure != "" {
		if r := mp.check(iam.Call{Action: "sqs:SendMessage", Resources: []string{m.OnFailure}}); r != nil {
			return fmt.Errorf("%w %s: InvalidParameterValueException: The provided execution role does not have permissions to call SendMessage on SQS (%s)",
				ErrMapping, m.Name(), p.cfg.IAM.Message(*r))
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, dup := p.mappings[m.Name()]; dup {
		return fmt.Errorf("%w %s: added twice", ErrMapping, m.Name())
	}
	p.mappings[m.Name()] = mp
	if m.Enabled {
		p.wg.Go(func() { mp.run(p.ctx) })
	}
	return nil
}

// Stats returns a mapping's counters by its Name; false for an unknown one.
func (p *Poller) Stats(name string) (Stats, bool) {
	p.mu.Lock()
	mp, ok := p.mappings[name]
	p.mu.Unlock()
	if !ok {
		return Stats{}, false
	}
	mp.mu.Lock()
	defer mp.mu.Unlock()
	return mp.stats, true
}

// Close stops polling and returns once every mapping has stopped. A batch being delivered
// is left where it is: its invocation may still run to its end, as on Lambda.
func (p *Poller) Close() {
	p.cancel()
	p.wg.Wait()
}

// SQSSender sends failure records to SQS queues, whose URLs it knows by ARN.
type SQSSender struct {
	Client *sqs.Client
	URLs   map[string]string // queue URL by queue ARN
}

// Send sends body to the queue named by its ARN.
func (s SQSSender) Send(ctx context.Context, queueARN, body string) error {
	url, ok := s.URLs[queueARN]
	if !ok {
		return fmt.Errorf("no queue %s", queueARN)
	}
	_, err := s.Client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: &body})
	return err
}
