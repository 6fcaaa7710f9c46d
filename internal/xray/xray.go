// Package xray makes the AWS SDK clients' calls subsegments of the function's X-Ray
// trace when template.yaml's Tracing parameter is Active.
//
// The spans are the SDK's own (aws-sdk-go-v2 traces every operation through smithy-go's
// tracing API), adapted to the OpenTelemetry SDK by smithyoteltracing and sent, one
// UDP datagram each, to the X-Ray daemon that Lambda runs beside a function with
// active tracing, which takes OTLP as ADOT's Lambda layers send it (daemon.go). So
// no layer, no collector and no network call in the request's path. Why this and not
// the X-Ray SDK for Go or otelaws: infra/bench/RESULTS.md's notes and README's
// "Tracing" section (the X-Ray SDK alone added 3.4 ms to every function's init).
package xray

import (
	"context"
	"fmt"
	"os"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	smithytracing "github.com/aws/smithy-go/tracing"
	"github.com/aws/smithy-go/tracing/smithyoteltracing"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Active is the value of template.yaml's Tracing parameter, passed to every function
// as TRACING, that turns the instrumentation on; anything else leaves it off.
const Active = "Active"

// defaultDaemon is where the X-Ray daemon listens when AWS_XRAY_DAEMON_ADDRESS,
// which Lambda sets for an actively traced function, is not set.
const defaultDaemon = "127.0.0.1:2000"

// Instrument makes every SDK client built from cfg record its calls as spans of the
// invocation's trace. It makes no network call (a UDP socket connects locally) and
// nothing is sent unless Lambda sampled the invocation; call it only when tracing is
// Active, so that a function without it builds none of this at its cold start.
func Instrument(cfg *aws.Config) error {
	addr := os.Getenv("AWS_XRAY_DAEMON_ADDRESS")
	if addr == "" {
		addr = defaultDaemon
	}
	exp, err := otlptrace.New(context.Background(), newDaemonClient(addr))
	if err != nil {
		return fmt.Errorf("x-ray exporter: %w", err)
	}
	tp := sdktrace.NewTracerProvider(
		// A Lambda environment freezes between invocations: a span leaves when it ends,
		// not in a batch that the freeze could hold back until the next one.
		sdktrace.WithSyncer(exp),
		sdktrace.WithSampler(sdkCalls{}),
		sdktrace.WithResource(resource.NewSchemaless(
			attribute.String("service.name", os.Getenv("AWS_LAMBDA_FUNCTION_NAME")),
			attribute.String("cloud.provider", "aws"),
			attribute.String("cloud.platform", "aws_lambda"),
		)),
	)
	provider := lambdaParent{smithyoteltracing.Adapt(tp)}
	cfg.ServiceOptions = append(cfg.ServiceOptions, func(_ string, options any) {
		setTracerProvider(options, provider)
	})
	return nil
}

// setTracerProvider sets the TracerProvider field every generated client's Options
// has. aws.Config carries no tracer provider, and its ServiceOptions hand each client
// its own Options type; setting the field by name keeps the wiring in one place
// without linking every service's package into every function.
func setTracerProvider(options any, p smithytracing.TracerProvider) {
	v := reflect.ValueOf(options)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	f := v.Elem().FieldByName("TracerProvider")
	if f.IsValid() && f.CanSet() && reflect.TypeOf(p).AssignableTo(f.Type()) {
		f.Set(reflect.ValueOf(p))
	}
}

// sdkCalls samples the SDK's operation spans (kind client: one per call, named
// "DynamoDB.GetItem") of an invocation Lambda sampled, and drops the rest: spans
// with no sampled Lambda parent, and the SDK's inner spans (signing, retry loop,
// HTTP round trip, deserialising), which would multiply the datagrams by eight for
// detail the call's own duration already shows.
type sdkCalls struct{}

func (sdkCalls) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	parent := trace.SpanContextFromContext(p.ParentContext)
	decision := sdktrace.Drop
	if p.Kind == trace.SpanKindClient && parent.IsSampled() {
		decision = sdktrace.RecordAndSample
	}
	return sdktrace.SamplingResult{Decision: decision, Tracestate: parent.TraceState()}
}

func (sdkCalls) Description() string { return "SDKCallsOfSampledInvocations" }
