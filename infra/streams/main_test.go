package streams

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/roster-dev/roster/infra/emulator"
	"github.com/roster-dev/roster/infra/gateway"
	"github.com/roster-dev/roster/infra/iam"
	"github.com/roster-dev/roster/infra/provision"
	"github.com/roster-dev/roster/infra/samtemplate"
)

const (
	region  = "us-east-1"
	account = "123456789012"
	fnName  = "WorkerFunction"
)

var (
	// recorderBinary is testdata/recorder built the way Roster builds its functions.
	recorderBinary string
	dynamoEndpoint string
	motoEndpoint   string // SQS
)

// TestMain uses the stack's emulators under `stack run` (make test), and otherwise starts
// DynamoDB Local and moto itself, so `go test ./infra/streams` works after `make tools`.
// Under -short (make unit) it starts neither, and the tests that need them skip (newHarness).
func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "streams-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	recorderBinary = filepath.Join(dir, "recorder", "bootstrap")
	build := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", recorderBinary, "./testdata/recorder")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build testdata/recorder:", err)
		return 1
	}
	dynamoEndpoint, motoEndpoint = os.Getenv("ROSTER_DYNAMODB_ENDPOINT"), os.Getenv("ROSTER_SQS_ENDPOINT")
	if dynamoEndpoint == "" || motoEndpoint == "" {
		root, err := provision.RepoRoot()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		var stop func()
		dynamoEndpoint, motoEndpoint, stop, err = emulator.Tools{Dir: filepath.Join(root, ".tools")}.DynamoAndMoto(context.Background(), dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer stop()
	}
	return m.Run()
}

var awsConfig = aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}

func dynamoClient() *dynamodb.Client {
	return dynamodb.NewFromConfig(awsConfig, func(o *dynamodb.Options) { o.BaseEndpoint = &dynamoEndpoint })
}

func sqsClient() *sqs.Client {
	return sqs.NewFromConfig(awsConfig, func(o *sqs.Options) { o.BaseEndpoint = &motoEndpoint })
}

func uniqueName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// batch is one invocation as the recorder function saw it.
type batch struct {
	RequestID string `json:"requestId"`
	Records   []struct {
		Seq       string `json:"seq"`
		PK        string `json:"pk"`
		EventName string `json:"eventName"`
	} `json:"records"`
	at time.Time
}

func (b batch) pks() []string {
	var out []string
	for _, r := range b.Records {
		out = append(out, r.PK)
	}
	return out
}

// instruction is what the recorder function is told to do with a batch.
type instruction struct {
	Error    string   `json:"error,omitempty"`
	Failures []string `json:"failures,omitempty"`
	Crash    bool     `json:"crash,omitempty"`
	Raw      *string  `json:"raw,omitempty"`
}

// harness is one mapping on a table of its own, a queue of its own, and the recorder function
// run by a real gateway, with the function's role in an IAM enforcer.
type harness struct {
	t        *testing.T
	db       *dynamodb.Client
	sqs      *sqs.Client
	table    string
	queueURL string
	mapping  Mapping
	poller   *Poller
	iam      *iam.Enforcer
	gw       *gateway.Gateway
	logs     *strings.Builder

	mu      sync.Mutex
	batches []batch
	decide  func(b batch, n int) instruction // n: how many batches came before
}

// options adjust a harness before it starts.
type options struct {
	config  func(*samtemplate.StreamConfig)
	policy  *iam.Policy // nil: the role as SAM expands it
	decide  func(b batch, n int) instruction
	streams StreamsAPI // nil: DynamoDB Local's
}

func newHarness(t *testing.T, o options) *harness {
	t.Helper()
	if testing.Short() {
		t.Skip("needs DynamoDB Local and moto (-short, make unit)")
	}
	ctx := context.Background()
	h := &harness{t: t, db: dynamoClient(), sqs: sqsClient(), table: uniqueName("streams"), logs: &strings.Builder{}, decide: o.decide}
	if h.decide == nil {
		h.decide = func(batch, int) instruction { return instruction{} }
	}
	_, err := h.db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            &h.table,
		BillingMode:          dbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []dbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: dbtypes.ScalarAttributeTypeS}},
		KeySchema:            []dbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: dbtypes.KeyTypeHash}},
		StreamSpecification:  &dbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dbtypes.StreamViewTypeKeysOnly},
	})
	if err != nil {
		t.Fatal(err)
	}
	emulatorStream, err := provision.StreamARN(ctx, h.db, h.table)
	if err != nil {
		t.Fatal(err)
	}
	queue, err := h.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(uniqueName("dlq"))})
	if err != nil {
		t.Fatal(err)
	}
	h.queueURL = *queue.QueueUrl
	queueARN := "arn:aws:sqs:" + region + ":" + account + ":" + h.queueURL[strings.LastIndexByte(h.queueURL, '/')+1:]

	recorder := httptest.NewServer(http.HandlerFunc(h.record))
	t.Cleanup(recorder.Close)
	gw, err := gateway.New(gateway.Config{
		Functions:     []gateway.Function{{Name: fnName, Binary: recorderBinary, Env: map[string]string{"RECORDER_URL": recorder.URL}, Timeout: 5 * time.Second}},
		ShutdownGrace: 500 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.gw = gw
	t.Cleanup(func() { _ = gw.Close() })

	h.mapping = Mapping{
		Function: fnName, Event: "Stream", EmulatorStream: emulatorStream,
		StreamConfig: samtemplate.StreamConfig{
			Stream:           AWSStreamARN(emulatorStream, region, account),
			StartingPosition: "TRIM_HORIZON", Enabled: true, BatchSize: 10,
			// Records written together reach the stream one by one: a window keeps them together.
			MaximumBatchingWindowInSeconds: 1,
			MaximumRetryAttempts:           -1, MaximumRecordAgeInSeconds: -1,
			OnFailure: queueARN, OnFailureType: "SQS",
		},
	}
	if o.config != nil {
		o.config(&h.mapping.StreamConfig)
	}
	policy := iam.Policy{Statements: []iam.Statement{
		{Effect: iam.Allow, Actions: iam.StreamReadActions, Resources: []string{"*"}},
		{Effect: iam.Allow, Actions: []string{"sqs:SendMessage"}, Resources: []string{queueARN}},
	}}
	if o.policy != nil {
		policy = *o.policy
	}
	h.iam = iam.NewEnforcer(iam.Scope{Partition: "aws", Region: region, AccountID: account}, "local", map[string]iam.Policy{fnName: policy})
	streams := o.streams
	if streams == nil {
		streams = dynamodbstreams.NewFromConfig(awsConfig, func(o *dynamodbstreams.Options) { o.BaseEndpoint = &dynamoEndpoint })
	}
	h.poller = New(Config{
		Streams: streams,
		Invoker: gw,
		IAM:     h.iam,
		Sender:  SQSSender{Client: h.sqs, URLs: map[string]string{queueARN: h.queueURL}},
		Region:  region, AccountID: account,
		Logger:       slog.New(slog.NewTextHandler(syncWriter{h}, nil)),
		PollInterval: 100 * time.Millisecond,
		Backoff:      func(int) time.Duration { return 100 * time.Millisecond },
	})
	t.Cleanup(h.poller.Close)
	return h
}

// start adds the mapping, failing the test if it is refused.
func (h *harness) start() {
	h.t.Helper()
	if err := h.poller.Add(h.mapping); err != nil {
		h.t.Fatal(err)
	}
}

// syncWriter collects the poller's log lines for the test to read.
type syncWriter struct{ h *harness }

func (w syncWriter) Write(p []byte) (int, error) {
	w.h.mu.Lock()
	defer w.h.mu.Unlock()
	return w.h.logs.Write(p)
}

func (h *harness) log() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.logs.String()
}

func (h *harness) record(w http.ResponseWriter, r *http.Request) {
	var b batch
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b.at = time.Now()
	h.mu.Lock()
	n := len(h.batches)
	h.batches = append(h.batches, b)
	decide := h.decide
	h.mu.Unlock()
	_ = json.NewEncoder(w).Encode(decide(b, n))
}

func (h *harness) seen() []batch {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]batch(nil), h.batches...)
}

// put writes items one by one, each its own stream record.
func (h *harness) put(pks ...string) {
	h.t.Helper()
	for _, pk := range pks {
		if _, err := h.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &h.table,
			Item: map[string]dbtypes.AttributeValue{"pk": &dbtypes.AttributeValueMemberS{Value: pk}}}); err != nil {
			h.t.Fatal(err)
		}
	}
}

// putAll writes up to 25 items in one BatchWriteItem, so that they reach the stream together.
func (h *harness) putAll(pks ...string) {
	h.t.Helper()
	var reqs []dbtypes.WriteRequest
	for _, pk := range pks {
		reqs = append(reqs, dbtypes.WriteRequest{PutRequest: &dbtypes.PutRequest{Item: map[string]dbtypes.AttributeValue{"pk": &dbtypes.AttributeValueMemberS{Value: pk}}}})
	}
	if _, err := h.db.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{RequestItems: map[string][]dbtypes.WriteRequest{h.table: reqs}}); err != nil {
		h.t.Fatal(err)
	}
}

// waitFor polls cond until it holds or the time is up.
func (h *harness) waitFor(what string, limit time.Duration, cond func() bool) {
	h.t.Helper()
	for deadline := time.Now().Add(limit); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			h.t.Fatalf("no %s after %s; batches %+v\nlog:\n%s", what, limit, h.seen(), h.log())
		}
	}
}

// processed waits until the function has processed n records.
func (h *harness) processed(n int, limit time.Duration) {
	h.t.Helper()
	h.waitFor(fmt.Sprintf("%d records processed", n), limit, func() bool { return h.stats().Processed >= n })
}

func (h *harness) stats() Stats {
	s, _ := h.poller.Stats(h.mapping.Name())
	return s
}

// deadLetters receives what the destination queue holds, waiting up to limit for n messages.
func (h *harness) deadLetters(n int, limit time.Duration) []FailureRecord {
	h.t.Helper()
	var out []FailureRecord
	for deadline := time.Now().Add(limit); len(out) < n && time.Now().Before(deadline); {
		msgs, err := h.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &h.queueURL, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			h.t.Fatal(err)
		}
		for _, m := range msgs.Messages {
			var fr FailureRecord
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &fr); err != nil {
				h.t.Fatalf("a message that is no failure record: %s", aws.ToString(m.Body))
			}
			out = append(out, fr)
			_, _ = h.sqs.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &h.queueURL, ReceiptHandle: m.ReceiptHandle})
		}
	}
	return out
}
