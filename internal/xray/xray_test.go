package xray

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go/tracing"
)

// TestInstrumentReachesEveryClient: the one ServiceOptions hook gives each client
// Roster builds (DynamoDB, Cognito, SES v2) the tracer, and a config that was not
// instrumented leaves them on the SDK's no-op one.
func TestInstrumentReachesEveryClient(t *testing.T) {
	t.Setenv("AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:2000")
	var cfg aws.Config
	if err := Instrument(&cfg); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		tp   tracing.TracerProvider
	}{
		{"dynamodb", dynamodb.NewFromConfig(cfg).Options().TracerProvider},
		{"cognito", cip.NewFromConfig(cfg).Options().TracerProvider},
		{"sesv2", sesv2.NewFromConfig(cfg).Options().TracerProvider},
	} {
		if _, ok := c.tp.(*tracer); !ok {
			t.Errorf("%s: tracer provider %T, want the instrumentation's", c.name, c.tp)
		}
	}
	if _, ok := dynamodb.NewFromConfig(aws.Config{}).Options().TracerProvider.(*tracer); ok {
		t.Error("an uninstrumented config's client is instrumented")
	}
}

func TestSetTracerProviderIgnoresOthers(t *testing.T) {
	p := newTracer(nil, "")
	setTracerProvider(nil, p)
	setTracerProvider(struct{}{}, p)
	n := 1
	setTracerProvider(&n, p)
	var o struct{ TracerProvider string }
	setTracerProvider(&o, p) // a field of another type is left alone
	if o.TracerProvider != "" {
		t.Errorf("set a string field: %q", o.TracerProvider)
	}
}

const (
	testRoot   = "1-5759e988-bd862e3fe1be46a994272793"
	testParent = "53995c3f42cd8ad8"
)

func withHeader(sampled string) context.Context {
	//lint:ignore SA1029 aws-lambda-go's own key for the trace header is a plain string
	return context.WithValue(context.Background(), lambdaTraceKey,
		"Root="+testRoot+";Parent="+testParent+";Sampled="+sampled)
}

// TestRecordsSampledCalls: only an SDK operation's span (kind client) of a sampled
// invocation is recorded; the SDK's inner spans and unsampled or untraced calls cost
// a no-op span and send nothing.
func TestRecordsSampledCalls(t *testing.T) {
	client := func(o *tracing.SpanOptions) { o.Kind = tracing.SpanKindClient }
	tests := []struct {
		name string
		ctx  context.Context
		opts []tracing.SpanOption
		sent bool
	}{
		{"SDK call of a sampled invocation", withHeader("1"), []tracing.SpanOption{client}, true},
		{"inner span of a sampled invocation", withHeader("1"), nil, false},
		{"SDK call of an invocation not sampled", withHeader("0"), []tracing.SpanOption{client}, false},
		{"SDK call with no trace header", context.Background(), []tracing.SpanOption{client}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var daemon bytes.Buffer
			tr := newTracer(&daemon, "us-east-1")
			ctx, span := tr.StartSpan(tt.ctx, "DynamoDB.GetItem", tt.opts...)
			if got, ok := tracing.GetSpan(ctx); ok != tt.sent || (ok && got != span) {
				t.Errorf("span in the context: %v, want %v", ok, tt.sent)
			}
			span.End()
			if sent := daemon.Len() > 0; sent != tt.sent {
				t.Errorf("sent %q, want sent %v", daemon.String(), tt.sent)
			}
		})
	}
}

// TestSubsegment: what the daemon gets for a call, by how it ended: X-Ray's error,
// throttle and fault classes, the error's code but never its message.
func TestSubsegment(t *testing.T) {
	tests := []struct {
		name                   string
		status                 int
		failed                 bool
		props                  map[string]any
		wantError, wantFault   bool
		wantThrottle, hasCause bool
	}{
		{"ok", 200, false, nil, false, false, false, false},
		{"conditional check failed", 400, true, map[string]any{"api.error_code": "ConditionalCheckFailedException"}, true, false, false, true},
		{"throttled", 429, true, map[string]any{"api.error_code": "TooManyRequestsException"}, true, false, true, true},
		{"service error", 500, true, map[string]any{"api.error_code": "InternalServerError"}, false, true, false, true},
		{"network error", 0, true, nil, false, true, false, false},
		{"client-side error without a status", 0, true, map[string]any{"api.error_fault": "client"}, true, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var daemon bytes.Buffer
			tr := newTracer(&daemon, "eu-west-1")
			ctx, span := tr.StartSpan(withHeader("1"), "DynamoDB.PutItem", func(o *tracing.SpanOptions) {
				o.Kind = tracing.SpanKindClient
				o.Properties.Set("rpc.service", "DynamoDB")
				o.Properties.Set("rpc.method", "PutItem")
			})
			// The SDK's middleware finds the call's span in the context, and its HTTP
			// round trip is an inner span, whose status and end are not the call's.
			found, _ := tracing.GetSpan(ctx)
			found.SetProperty("aws.request_id", "REQ1")
			_, roundTrip := tr.StartSpan(ctx, "DoHTTPRequest")
			if tt.status != 0 {
				roundTrip.SetProperty("http.status_code", tt.status)
			}
			roundTrip.SetStatus(tracing.SpanStatusError)
			roundTrip.End()
			if daemon.Len() > 0 {
				t.Fatalf("an inner span's end sent %q", daemon.String())
			}
			for k, v := range tt.props {
				span.SetProperty(k, v)
			}
			span.SetProperty("exception.message", "secret value 123456")
			span.SetProperty("api.error_message", "secret value 123456")
			if tt.failed {
				span.SetStatus(tracing.SpanStatusError)
			} else {
				span.SetStatus(tracing.SpanStatusOK)
			}
			span.End()
			span.End() // a second End sends nothing more

			raw, ok := strings.CutPrefix(daemon.String(), daemonHeader)
			if !ok {
				t.Fatalf("datagram without the daemon's header: %q", daemon.String())
			}
			if strings.Contains(raw, "secret") {
				t.Errorf("the error's message was sent: %s", raw)
			}
			var s subsegment
			dec := json.NewDecoder(strings.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&s); err != nil || dec.More() {
				t.Fatalf("not one subsegment document: %v: %s", err, raw)
			}
			if s.Name != "DynamoDB" || s.Type != "subsegment" || s.Namespace != "aws" || s.TraceID != testRoot || s.ParentID != testParent ||
				len(s.ID) != 16 || s.AWS != (awsCall{Operation: "PutItem", Region: "eu-west-1", RequestID: "REQ1"}) {
				t.Errorf("subsegment %+v", s)
			}
			if s.StartTime <= 1.7e9 || s.EndTime < s.StartTime {
				t.Errorf("times %f to %f", s.StartTime, s.EndTime)
			}
			if (s.HTTP != nil) != (tt.status != 0) || (s.HTTP != nil && s.HTTP.Response.Status != tt.status) {
				t.Errorf("http %+v, want status %d", s.HTTP, tt.status)
			}
			if s.Error != tt.wantError || s.Fault != tt.wantFault || s.Throttle != tt.wantThrottle {
				t.Errorf("error %v fault %v throttle %v, want %v %v %v", s.Error, s.Fault, s.Throttle, tt.wantError, tt.wantFault, tt.wantThrottle)
			}
			if (s.Cause != nil) != tt.hasCause || (s.Cause != nil && s.Cause.Exceptions[0].Type != tt.props["api.error_code"]) {
				t.Errorf("cause %+v", s.Cause)
			}
		})
	}
}
