package xray

import (
	"context"
	"encoding/hex"
	"os"
	"strings"
)

// lambdaTraceKey is the context key aws-lambda-go stores the trace header under.
const lambdaTraceKey = "x-amzn-trace-id"

// traceHeader returns the invocation's X-Ray trace header: from the context, where
// aws-lambda-go puts it for every invocation, else from _X_AMZN_TRACE_ID, which it
// also sets when the function handles one invocation at a time.
func traceHeader(ctx context.Context) string {
	if h, ok := ctx.Value(lambdaTraceKey).(string); ok && h != "" {
		return h
	}
	return os.Getenv("_X_AMZN_TRACE_ID")
}

// invocation is what a trace header says of the invocation: its trace, the id of its
// Lambda segment (the parent of the calls' subsegments), and whether X-Ray sampled it.
type invocation struct {
	root, parent string
	sampled      bool
}

// parseTraceHeader reads an X-Ray trace header,
// "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1".
// A header without a well-formed root and a non-zero parent has no segment to hang
// subsegments on, and reports false.
func parseTraceHeader(h string) (invocation, bool) {
	var inv invocation
	for field := range strings.SplitSeq(h, ";") {
		key, value, _ := strings.Cut(strings.TrimSpace(field), "=")
		switch key {
		case "Root":
			version, id, _ := strings.Cut(value, "-")
			epoch, random, _ := strings.Cut(id, "-")
			if version != "1" || len(epoch) != 8 || len(random) != 24 || !isHex(epoch+random) {
				return invocation{}, false
			}
			inv.root = value
		case "Parent":
			if len(value) != 16 || !isHex(value) || value == "0000000000000000" {
				return invocation{}, false
			}
			inv.parent = value
		case "Sampled":
			inv.sampled = value == "1"
		}
	}
	return inv, inv.root != "" && inv.parent != ""
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}
