package xray

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	smithytracing "github.com/aws/smithy-go/tracing"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// TestInstrumentReachesEveryClient: the one ServiceOptions hook gives each client
// Roster builds (DynamoDB, Cognito, SES v2) the tracer provider, and a config that was
// not instrumented leaves them on the SDK's no-op one.
func TestInstrumentReachesEveryClient(t *testing.T) {
	t.Setenv("AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:2000")
	var cfg aws.Config
	if err := Instrument(&cfg); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		tp   smithytracing.TracerProvider
	}{
		{"dynamodb", dynamodb.NewFromConfig(cfg).Options().TracerProvider},
		{"cognito", cip.NewFromConfig(cfg).Options().TracerProvider},
		{"sesv2", sesv2.NewFromConfig(cfg).Options().TracerProvider},
	} {
		if _, ok := c.tp.(lambdaParent); !ok {
			t.Errorf("%s: tracer provider %T, want the instrumentation's", c.name, c.tp)
		}
	}
	if tp := dynamodb.NewFromConfig(aws.Config{}).Options().TracerProvider; tp != nil {
		if _, ok := tp.(lambdaParent); ok {
			t.Error("an uninstrumented config's client is instrumented")
		}
	}
}

func TestSetTracerProviderIgnoresOthers(t *testing.T) {
	p := lambdaParent{}
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

func TestSampler(t *testing.T) {
	sampled := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled, Remote: true})
	unsampled := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, Remote: true})
	tests := []struct {
		name   string
		parent trace.SpanContext
		kind   trace.SpanKind
		want   sdktrace.SamplingDecision
	}{
		{"SDK call of a sampled invocation", sampled, trace.SpanKindClient, sdktrace.RecordAndSample},
		{"inner span of a sampled invocation", sampled, trace.SpanKindInternal, sdktrace.Drop},
		{"SDK call of an invocation not sampled", unsampled, trace.SpanKindClient, sdktrace.Drop},
		{"SDK call with no parent", trace.SpanContext{}, trace.SpanKindClient, sdktrace.Drop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := trace.ContextWithRemoteSpanContext(context.Background(), tt.parent)
			got := sdkCalls{}.ShouldSample(sdktrace.SamplingParameters{ParentContext: ctx, Kind: tt.kind, Name: "x"})
			if got.Decision != tt.want {
				t.Errorf("decision %v, want %v", got.Decision, tt.want)
			}
		})
	}
}

// TestEncodeRequest: the datagram is the daemon's header, "T1S" and the base64 of an
// ExportTraceServiceRequest that OTLP's own generated type reads back whole.
func TestEncodeRequest(t *testing.T) {
	spans := []*tracepb.ResourceSpans{
		{ScopeSpans: []*tracepb.ScopeSpans{{Scope: &commonpb.InstrumentationScope{Name: "a"}, Spans: []*tracepb.Span{{Name: "DynamoDB.GetItem"}}}}},
		{ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{{Name: "DynamoDB.Query"}, {Name: "DynamoDB.PutItem"}}}}},
	}
	msg, err := encodeRequest(spans)
	if err != nil {
		t.Fatal(err)
	}
	req := decodeDatagram(t, msg)
	if !proto.Equal(req, &coltracepb.ExportTraceServiceRequest{ResourceSpans: spans}) {
		t.Errorf("decoded %v", req)
	}
}

// decodeDatagram reads one datagram the daemon would get.
func decodeDatagram(t *testing.T, msg []byte) *coltracepb.ExportTraceServiceRequest {
	t.Helper()
	body, ok := strings.CutPrefix(string(msg), daemonHeader+sampledPrefix)
	if !ok {
		t.Fatalf("datagram does not start with the daemon header and T1S: %.60q", msg)
	}
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		t.Fatal(err)
	}
	var req coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	return &req
}

// recordParent is a smithy tracer that notes the parent span its span would get.
type recordParent struct{ parent *trace.SpanContext }

func (r recordParent) StartSpan(ctx context.Context, name string, opts ...smithytracing.SpanOption) (context.Context, smithytracing.Span) {
	*r.parent = trace.SpanContextFromContext(ctx)
	return smithytracing.NopTracerProvider{}.Tracer("").StartSpan(ctx, name, opts...)
}
