// Command recorder is the Lambda function the poller's tests run: for each batch of stream
// records it asks the test (POST $RECORDER_URL with the batch) what to do, and does it: succeed,
// report some records failed, fail, crash, or answer a raw payload. The test decides, so one
// binary plays every function a test needs.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Batch is what the recorder tells the test.
type Batch struct {
	RequestID string   `json:"requestId"`
	Records   []Record `json:"records"`
}

// Record is one record of a batch, as the function read it.
type Record struct {
	Seq       string `json:"seq"`
	PK        string `json:"pk"`
	EventName string `json:"eventName"`
}

// Instruction is what the test answers.
type Instruction struct {
	Error    string   `json:"error"`    // fail the invocation with this message
	Failures []string `json:"failures"` // report these sequence numbers failed
	Crash    bool     `json:"crash"`    // exit mid-invocation
	Raw      *string  `json:"raw"`      // answer this payload as it is
}

func main() { lambda.Start(handle) }

func handle(ctx context.Context, ev events.DynamoDBEvent) (any, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	b := Batch{RequestID: lc.AwsRequestID}
	for _, r := range ev.Records {
		b.Records = append(b.Records, Record{Seq: r.Change.SequenceNumber, PK: r.Change.Keys["pk"].String(), EventName: r.EventName})
	}
	body, _ := json.Marshal(b)
	resp, err := http.Post(os.Getenv("RECORDER_URL"), "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("recorder: %w", err)
	}
	defer resp.Body.Close()
	var in Instruction
	if err := json.NewDecoder(resp.Body).Decode(&in); err != nil {
		return nil, fmt.Errorf("recorder: %w", err)
	}
	switch {
	case in.Crash:
		os.Exit(3)
	case in.Error != "":
		return nil, errors.New(in.Error)
	case in.Raw != nil:
		return json.RawMessage(*in.Raw), nil
	}
	out := events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
	for _, seq := range in.Failures {
		out.BatchItemFailures = append(out.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: seq})
	}
	return out, nil
}
