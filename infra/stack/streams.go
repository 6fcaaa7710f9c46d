package stack

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/roster-dev/roster/infra/emulator"
	"github.com/roster-dev/roster/infra/provision"
	"github.com/roster-dev/roster/infra/samtemplate"
	"github.com/roster-dev/roster/infra/streams"
)

// provisionStreamAndQueues gives refs the table's stream (named as AWS names it, for
// !GetAtt Table.StreamArn) and creates the template's queues in moto, which serves SQS on the
// Cognito emulator's port.
func (s *Stack) provisionStreamAndQueues(ctx context.Context, awsCfg aws.Config, db *dynamodb.Client, tmpl *samtemplate.Template, refs map[string]string) error {
	var err error
	if s.emulatorStream, err = provision.StreamARN(ctx, db, s.TableName); err != nil {
		return err
	}
	if s.emulatorStream != "" {
		refs[tmpl.Table.LogicalID+".StreamArn"] = streams.AWSStreamARN(s.emulatorStream, Region, AccountID)
	}
	s.SQSEndpoint = s.CognitoEndpoint
	s.sqs = sqs.NewFromConfig(awsCfg, func(o *sqs.Options) { o.BaseEndpoint = &s.SQSEndpoint })
	queues, err := provision.CreateQueues(ctx, s.sqs, tmpl, refs, stackName)
	if err != nil {
		return withLogTail(err, s.Logs["cognito"])
	}
	s.Queues = map[string]provision.Queue{}
	for _, q := range queues {
		s.Queues[q.LogicalID] = q
		refs[q.LogicalID] = q.URL
		refs[q.LogicalID+".Arn"] = q.ARN
		refs[q.LogicalID+".QueueName"] = q.Name
		refs[q.LogicalID+".QueueUrl"] = q.URL
	}
	return nil
}

// startPoller runs every function's DynamoDB events as Lambda's event source mappings would,
// against the table's stream, with the stack's own key: each call is checked against the
// function's role by the IAM enforcer instead. The mail dead-letter queue is the destination
// they send failure records to.
func (s *Stack) startPoller(awsCfg aws.Config, tmpl *samtemplate.Template, refs map[string]string) error {
	urls := map[string]string{}
	for _, q := range s.Queues {
		urls[q.ARN] = q.URL
	}
	s.poller = streams.New(streams.Config{
		Streams: dynamodbstreams.NewFromConfig(awsCfg, func(o *dynamodbstreams.Options) { o.BaseEndpoint = &s.DynamoDBEndpoint }),
		Invoker: s.gateway,
		IAM:     s.iam,
		Sender:  streams.SQSSender{Client: s.sqs, URLs: urls},
		Region:  Region, AccountID: AccountID,
		Logger: s.logger,
	})
	tableStream := refs[tmpl.Table.LogicalID+".StreamArn"]
	var destinations []string
	for _, fn := range tmpl.Functions {
		for _, ev := range fn.StreamEvents {
			c, err := tmpl.StreamConfig(fn, ev, refs)
			if err != nil {
				return err
			}
			if tableStream == "" || c.Stream != tableStream {
				return fmt.Errorf("%s: event %s: stream %s is not the table's (does the table declare a StreamSpecification?): only the table's stream is run locally", fn.LogicalID, ev.Name, c.Stream)
			}
			m := streams.Mapping{Function: fn.LogicalID, Event: ev.Name, StreamConfig: c, EmulatorStream: s.emulatorStream}
			if err := s.poller.Add(m); err != nil {
				return err
			}
			s.mappings = append(s.mappings, m.Name())
			if c.OnFailure != "" && !slices.Contains(destinations, c.OnFailure) {
				destinations = append(destinations, c.OnFailure)
			}
		}
	}
	// Roster's one stream consumer is the mailer: its destination is the mail dead-letter queue.
	if len(destinations) == 1 {
		s.MailDLQURL = urls[destinations[0]]
	}
	return nil
}

// Mappings names the running event source mappings ("<Function>/<Event>"), for StreamStats.
func (s *Stack) Mappings() []string { return append([]string(nil), s.mappings...) }

// StreamStats returns an event source mapping's counters; false for an unknown one.
func (s *Stack) StreamStats(mapping string) (streams.Stats, bool) {
	if s.poller == nil {
		return streams.Stats{}, false
	}
	return s.poller.Stats(mapping)
}

// ErrSESState is returned for stopping a stopped SES emulator or starting a running one.
var ErrSESState = errors.New("stack: the SES emulator is not in that state")

// StopSES stops the SES emulator, as an outage would: calls to it are refused until StartSES.
// Fault tests use it; the mail it held is lost with it (the emulator keeps mail in memory).
func (s *Stack) StopSES() error {
	s.sesMu.Lock()
	defer s.sesMu.Unlock()
	if s.ses == nil {
		return ErrSESState
	}
	err := s.ses.Stop(stopGrace)
	s.ses = nil
	return err
}

// StartSES starts the SES emulator again on its port, with an empty mailbox.
func (s *Stack) StartSES(ctx context.Context) error {
	s.sesMu.Lock()
	defer s.sesMu.Unlock()
	if s.ses != nil {
		return ErrSESState
	}
	tools := emulator.Tools{Dir: filepath.Join(s.opts.Root, ".tools")}
	spec := tools.SES(s.sesPort)
	spec.AppendLog = true // the log keeps what happened before the outage
	p, err := emulator.Start(ctx, spec, filepath.Dir(s.Logs["ses"]))
	if err != nil {
		return err
	}
	s.ses = p
	return nil
}

// sesProcess is the SES emulator's process now; nil while it is stopped.
func (s *Stack) sesProcess() *emulator.Process {
	s.sesMu.Lock()
	defer s.sesMu.Unlock()
	return s.ses
}
