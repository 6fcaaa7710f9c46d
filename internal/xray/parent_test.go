package xray

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

func TestParseTraceHeader(t *testing.T) {
	tests := []struct {
		name, header    string
		ok, sampled     bool
		traceID, spanID string
	}{
		{"sampled", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", true, true,
			"5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8"},
		{"not sampled", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0", true, false,
			"5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8"},
		{"more fields, any order", "Sampled=1;Lineage=a87bd80c:1|68fd508a:5;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793", true, true,
			"5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8"},
		{"root only, as API Gateway's", "Root=1-5759e988-bd862e3fe1be46a994272793", false, false, "", ""},
		{"no root", "Parent=53995c3f42cd8ad8;Sampled=1", false, false, "", ""},
		{"empty", "", false, false, "", ""},
		{"other version", "Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", false, false, "", ""},
		{"short root", "Root=1-5759e988-bd862e3f;Parent=53995c3f42cd8ad8;Sampled=1", false, false, "", ""},
		{"not hex", "Root=1-5759e988-bd862e3fe1be46a99427279z;Parent=53995c3f42cd8ad8;Sampled=1", false, false, "", ""},
		{"zero parent", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000;Sampled=1", false, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, ok := parseTraceHeader(tt.header)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v (%v)", ok, tt.ok, sc)
			}
			if !ok {
				return
			}
			if got := sc.TraceID().String(); got != tt.traceID {
				t.Errorf("trace id %s, want %s", got, tt.traceID)
			}
			if got := sc.SpanID().String(); got != tt.spanID {
				t.Errorf("span id %s, want %s", got, tt.spanID)
			}
			if sc.IsSampled() != tt.sampled || !sc.IsRemote() {
				t.Errorf("sampled %v remote %v, want sampled %v and remote", sc.IsSampled(), sc.IsRemote(), tt.sampled)
			}
		})
	}
}

// TestTraceHeader: the context's header (aws-lambda-go's, per invocation) wins over
// _X_AMZN_TRACE_ID, which holds only the latest invocation's.
func TestTraceHeader(t *testing.T) {
	t.Setenv("_X_AMZN_TRACE_ID", "from-env")
	if got := traceHeader(context.Background()); got != "from-env" {
		t.Errorf("without a context value: %q", got)
	}
	//lint:ignore SA1029 aws-lambda-go's own key for the trace header is a plain string
	ctx := context.WithValue(context.Background(), lambdaTraceKey, "from-context")
	if got := traceHeader(ctx); got != "from-context" {
		t.Errorf("with a context value: %q", got)
	}
}

// TestParentKeepsASpan: a context that already has a span keeps it as the parent.
func TestParentKeepsASpan(t *testing.T) {
	own := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled})
	ctx := trace.ContextWithSpanContext(context.Background(), own)
	//lint:ignore SA1029 aws-lambda-go's own key for the trace header is a plain string
	ctx = context.WithValue(ctx, lambdaTraceKey, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	var seen trace.SpanContext
	tr := parentTracer{recordParent{&seen}}
	tr.StartSpan(ctx, "op")
	if !seen.Equal(own) {
		t.Errorf("parent %v, want the context's own span %v", seen, own)
	}
}
