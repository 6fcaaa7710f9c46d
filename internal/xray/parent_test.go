package xray

import (
	"context"
	"testing"
)

func TestParseTraceHeader(t *testing.T) {
	const root, parent = "1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8"
	tests := []struct {
		name, header string
		ok, sampled  bool
	}{
		{"sampled", "Root=" + root + ";Parent=" + parent + ";Sampled=1", true, true},
		{"not sampled", "Root=" + root + ";Parent=" + parent + ";Sampled=0", true, false},
		{"more fields, any order", "Sampled=1;Lineage=a87bd80c:1|68fd508a:5;Parent=" + parent + ";Root=" + root, true, true},
		{"root only, as API Gateway's", "Root=" + root, false, false},
		{"no root", "Parent=" + parent + ";Sampled=1", false, false},
		{"empty", "", false, false},
		{"other version", "Root=2-5759e988-bd862e3fe1be46a994272793;Parent=" + parent + ";Sampled=1", false, false},
		{"short root", "Root=1-5759e988-bd862e3f;Parent=" + parent + ";Sampled=1", false, false},
		{"not hex", "Root=1-5759e988-bd862e3fe1be46a99427279z;Parent=" + parent + ";Sampled=1", false, false},
		{"zero parent", "Root=" + root + ";Parent=0000000000000000;Sampled=1", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, ok := parseTraceHeader(tt.header)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tt.ok, inv)
			}
			if ok && inv != (invocation{root: root, parent: parent, sampled: tt.sampled}) {
				t.Errorf("%+v, want root %s, parent %s, sampled %v", inv, root, parent, tt.sampled)
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
