package samtemplate

import (
	"strings"
	"testing"
)

const streamSample = `
Parameters:
  Retries: {Type: Number, Default: 5}
Resources:
  T: {Type: AWS::DynamoDB::Table}
  P: {Type: AWS::Cognito::UserPool}
  C: {Type: AWS::Cognito::UserPoolClient}
  A:
    Type: AWS::Serverless::HttpApi
    Properties: {Auth: {DefaultAuthorizer: J, Authorizers: {J: {JwtConfiguration: {issuer: x, audience: [y]}}}}}
  Dlq: {Type: AWS::SQS::Queue, Properties: {SqsManagedSseEnabled: true}}
  Another: {Type: AWS::SQS::Queue}
  SendMailFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Outbox:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt T.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
            MaximumBatchingWindowInSeconds: 1
            MaximumRetryAttempts: !Ref Retries
            BisectBatchOnFunctionError: true
            FunctionResponseTypes: [ReportBatchItemFailures]
            FilterCriteria:
              Filters:
                - Pattern: '{"eventName": ["INSERT"], "dynamodb": {"Keys": {"pk": {"S": [{"prefix": "OUTBOX#"}]}}}}'
            DestinationConfig:
              OnFailure:
                Type: SQS
                Destination: !GetAtt Dlq.Arn
        Plain:
          Type: DynamoDB
          Properties: {Stream: !GetAtt T.StreamArn, StartingPosition: LATEST}
`

var streamRefs = map[string]string{"T.StreamArn": "arn:aws:dynamodb:us-east-1:1:table/t/stream/x", "Dlq.Arn": "arn:aws:sqs:us-east-1:1:dlq"}

func TestStreamEvents(t *testing.T) {
	t.Parallel()
	tmpl, err := Parse([]byte(streamSample))
	if err != nil {
		t.Fatal(err)
	}
	if len(tmpl.Queues) != 2 || tmpl.Queues[0].LogicalID != "Another" || tmpl.Queues[1].LogicalID != "Dlq" {
		t.Errorf("queues: %+v", tmpl.Queues)
	}
	fn := tmpl.Functions[0]
	if len(fn.StreamEvents) != 2 || fn.StreamEvents[0].Name != "Outbox" || fn.StreamEvents[1].Name != "Plain" {
		t.Fatalf("stream events: %+v", fn.StreamEvents)
	}
	got, err := tmpl.StreamConfig(fn, fn.StreamEvents[0], streamRefs)
	if err != nil {
		t.Fatal(err)
	}
	if got.Stream != streamRefs["T.StreamArn"] || got.StartingPosition != "TRIM_HORIZON" || !got.Enabled ||
		got.BatchSize != 10 || got.MaximumBatchingWindowInSeconds != 1 || got.MaximumRetryAttempts != 5 ||
		got.MaximumRecordAgeInSeconds != -1 || !got.BisectBatchOnFunctionError || !got.ReportBatchItemFailures ||
		len(got.Filters) != 1 || !strings.Contains(got.Filters[0], `"prefix": "OUTBOX#"`) ||
		got.OnFailure != streamRefs["Dlq.Arn"] || got.OnFailureType != "SQS" {
		t.Errorf("Outbox: %+v", got)
	}
	// Lambda's defaults where the template says nothing.
	plain, err := tmpl.StreamConfig(fn, fn.StreamEvents[1], streamRefs)
	if err != nil {
		t.Fatal(err)
	}
	if plain.BatchSize != 100 || plain.MaximumBatchingWindowInSeconds != 0 || plain.MaximumRetryAttempts != -1 ||
		plain.BisectBatchOnFunctionError || plain.ReportBatchItemFailures || plain.Filters != nil || plain.OnFailure != "" {
		t.Errorf("Plain: %+v", plain)
	}
}

// What CreateEventSourceMapping refuses, or the local poller does not run, stops the stack.
func TestStreamConfigErrors(t *testing.T) {
	t.Parallel()
	base := "{Stream: !GetAtt T.StreamArn, StartingPosition: TRIM_HORIZON"
	for name, props := range map[string]string{
		"starting position":    "{Stream: !GetAtt T.StreamArn, StartingPosition: AT_TIMESTAMP}",
		"batch size":           base + ", BatchSize: 0}",
		"batch size too large": base + ", BatchSize: 10001}",
		"window":               base + ", MaximumBatchingWindowInSeconds: 301}",
		"retries":              base + ", MaximumRetryAttempts: -2}",
		"record age":           base + ", MaximumRecordAgeInSeconds: 30}",
		"parallelization":      base + ", ParallelizationFactor: 2}",
		"tumbling window":      base + ", TumblingWindowInSeconds: 60}",
		"response type":        base + ", FunctionResponseTypes: [Something]}",
		"pattern not JSON":     base + ", FilterCriteria: {Filters: [{Pattern: 'eventName = INSERT'}]}}",
		"pattern not a string": base + ", FilterCriteria: {Filters: [{Pattern: {eventName: [INSERT]}}]}}",
		"destination type":     base + ", DestinationConfig: {OnFailure: {Type: S3, Destination: !GetAtt Dlq.Arn}}}",
		"destination":          base + ", DestinationConfig: {OnFailure: {Type: SQS, Destination: dlq}}}",
		"not a number":         base + ", BatchSize: ten}",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tmpl, err := Parse([]byte(strings.Replace(streamSample, "{Stream: !GetAtt T.StreamArn, StartingPosition: LATEST}", props, 1)))
			if err != nil {
				t.Fatal(err)
			}
			fn := tmpl.Functions[0]
			if c, err := tmpl.StreamConfig(fn, fn.StreamEvents[1], streamRefs); err == nil {
				t.Errorf("no error; config %+v", c)
			} else if !strings.Contains(err.Error(), "SendMailFunction: event Plain: ") {
				t.Errorf("the error does not say where: %v", err)
			}
		})
	}
	for name, props := range map[string]string{
		"no stream":            "{StartingPosition: LATEST}",
		"no starting position": "{Stream: !GetAtt T.StreamArn}",
	} {
		if _, err := Parse([]byte(strings.Replace(streamSample, "{Stream: !GetAtt T.StreamArn, StartingPosition: LATEST}", props, 1))); err == nil {
			t.Errorf("%s: Parse gave no error", name)
		}
	}
}
