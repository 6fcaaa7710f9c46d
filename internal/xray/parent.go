package xray

import (
	"context"
	"encoding/hex"
	"os"
	"strings"

	smithytracing "github.com/aws/smithy-go/tracing"
	"go.opentelemetry.io/otel/trace"
)

// lambdaParent makes the invocation's Lambda segment the parent of every span the
// SDK starts. aws-lambda-go puts the invocation's X-Ray trace header in the handler's
// context, not an OpenTelemetry span; so an SDK call in a handler, whose context
// has no span yet, gets one from that header.
type lambdaParent struct{ smithytracing.TracerProvider }

func (p lambdaParent) Tracer(scope string, opts ...smithytracing.TracerOption) smithytracing.Tracer {
	return parentTracer{p.TracerProvider.Tracer(scope, opts...)}
}

type parentTracer struct{ smithytracing.Tracer }

func (t parentTracer) StartSpan(ctx context.Context, name string, opts ...smithytracing.SpanOption) (context.Context, smithytracing.Span) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		if sc, ok := parseTraceHeader(traceHeader(ctx)); ok {
			ctx = trace.ContextWithRemoteSpanContext(ctx, sc)
		}
	}
	return t.Tracer.StartSpan(ctx, name, opts...)
}

// lambdaTraceKey is the context key aws-lambda-go stores the trace header under.
const lambdaTraceKey = "x-amzn-trace-id"

// traceHeader is the invocation's X-Ray trace header: from the context, where
// aws-lambda-go puts it for every invocation, else from _X_AMZN_TRACE_ID, which it
// also sets when the function handles one invocation at a time.
func traceHeader(ctx context.Context) string {
	if h, ok := ctx.Value(lambdaTraceKey).(string); ok && h != "" {
		return h
	}
	return os.Getenv("_X_AMZN_TRACE_ID")
}

// parseTraceHeader reads an X-Ray trace header,
// "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", as the
// remote parent of the spans to come: the trace id is the root's two hex parts (time
// and random) together, the span id the Parent segment's. A header without both has
// no parent to give.
func parseTraceHeader(h string) (trace.SpanContext, bool) {
	var cfg trace.SpanContextConfig
	var haveRoot, haveParent bool
	for field := range strings.SplitSeq(h, ";") {
		key, value, _ := strings.Cut(strings.TrimSpace(field), "=")
		switch key {
		case "Root":
			version, id, _ := strings.Cut(value, "-")
			epoch, random, _ := strings.Cut(id, "-")
			if version != "1" || len(epoch) != 8 || len(random) != 24 {
				return trace.SpanContext{}, false
			}
			if _, err := hex.Decode(cfg.TraceID[:], []byte(epoch+random)); err != nil {
				return trace.SpanContext{}, false
			}
			haveRoot = true
		case "Parent":
			if len(value) != 16 {
				return trace.SpanContext{}, false
			}
			if _, err := hex.Decode(cfg.SpanID[:], []byte(value)); err != nil {
				return trace.SpanContext{}, false
			}
			haveParent = true
		case "Sampled":
			if value == "1" {
				cfg.TraceFlags = trace.FlagsSampled
			}
		}
	}
	if !haveRoot || !haveParent {
		return trace.SpanContext{}, false
	}
	cfg.Remote = true
	sc := trace.NewSpanContext(cfg)
	return sc, sc.IsValid()
}
