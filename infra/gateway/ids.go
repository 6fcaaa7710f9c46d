package gateway

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// newInvocationID returns a UUID v4, the shape of Lambda's request ids.
func newInvocationID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// newAPIRequestID returns an id shaped like API Gateway's ("JKJaXmPLvHcESHA=").
func newAPIRequestID() string {
	b := make([]byte, 11)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// newTraceID returns an X-Ray trace header value: one per API request, shared
// by the x-amzn-trace-id header and the runtime's Lambda-Runtime-Trace-Id.
func newTraceID() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0",
		time.Now().Unix(), hex.EncodeToString(b[:12]), hex.EncodeToString(b[12:]))
}

// traceRoot is the part of a trace id API Gateway puts in x-amzn-trace-id.
func traceRoot(traceID string) string {
	root, _, _ := strings.Cut(traceID, ";")
	return root
}

func newLogStreamName(now time.Time) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return now.UTC().Format("2006/01/02") + "/[$LATEST]" + hex.EncodeToString(b)
}
