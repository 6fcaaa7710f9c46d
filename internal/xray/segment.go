package xray

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/aws/smithy-go/tracing"
)

// daemonHeader starts every datagram of the X-Ray daemon's UDP protocol; one
// segment document follows it.
const daemonHeader = "{\"format\":\"json\",\"version\":1}\n"

// tracer is the smithy-go TracerProvider and Tracer of every instrumented client.
// Of the spans the SDK starts, it records only the operation's (kind client: one
// per call, named "DynamoDB.GetItem") and only in a sampled invocation; the SDK's
// inner spans (signing, retries, the HTTP round trip) are not recorded, and the
// properties they set (the HTTP status) go to the call's span.
type tracer struct {
	daemon io.Writer
	region string
	mu     sync.Mutex // one datagram at a time on the shared socket
}

func newTracer(daemon io.Writer, region string) *tracer {
	return &tracer{daemon: daemon, region: region}
}

func (t *tracer) Tracer(string, ...tracing.TracerOption) tracing.Tracer { return t }

func (t *tracer) StartSpan(ctx context.Context, name string, opts ...tracing.SpanOption) (context.Context, tracing.Span) {
	var o tracing.SpanOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.Kind != tracing.SpanKindClient {
		if c, ok := tracing.GetSpan(ctx); ok {
			if c, ok := c.(*call); ok {
				return ctx, inner{call: c}
			}
		}
		return ctx, noSpan{}
	}
	inv, ok := parseTraceHeader(traceHeader(ctx))
	if !ok || !inv.sampled {
		return ctx, noSpan{}
	}
	c := &call{t: t, name: name, start: time.Now(), inv: inv, id: newID()}
	c.service, _ = o.Properties.Get("rpc.service").(string)
	c.operation, _ = o.Properties.Get("rpc.method").(string)
	return tracing.WithSpan(ctx, c), c
}

func (t *tracer) send(doc []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	// Best effort, as the X-Ray SDKs: a lost datagram costs a subsegment, never a request.
	_, _ = t.daemon.Write(doc)
}

// call is the span of one SDK call; End sends it as a subsegment of the invocation's
// Lambda segment.
type call struct {
	t                        *tracer
	name, service, operation string
	id                       string
	inv                      invocation
	start                    time.Time

	mu                         sync.Mutex
	failed                     bool
	status                     int
	requestID, code, errorSide string
	ended                      bool
}

func (c *call) Name() string { return c.name }

func (c *call) Context() tracing.SpanContext {
	return tracing.SpanContext{TraceID: c.inv.root, SpanID: c.id}
}

func (c *call) AddEvent(string, ...tracing.EventOption) {}

func (c *call) SetStatus(s tracing.SpanStatus) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failed = s == tracing.SpanStatusError
}

// SetProperty keeps the properties a subsegment shows; the rest (among them the
// error's message, which may quote a request's values) are dropped.
func (c *call) SetProperty(k, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch k {
	case "http.status_code":
		c.status, _ = v.(int)
	case "aws.request_id":
		c.requestID, _ = v.(string)
	case "api.error_code":
		c.code, _ = v.(string)
	case "api.error_fault":
		c.errorSide, _ = v.(string)
	}
}

func (c *call) End() {
	end := time.Now()
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended = true
	doc := c.subsegment(end)
	c.mu.Unlock()
	b, err := json.Marshal(doc)
	if err != nil {
		return
	}
	c.t.send(append([]byte(daemonHeader), b...))
}

// subsegment is an X-Ray subsegment document sent on its own: it names its trace and
// parent segment, and its namespace "aws" makes X-Ray show it as a call to the
// service.
type subsegment struct {
	Name      string    `json:"name"`
	ID        string    `json:"id"`
	TraceID   string    `json:"trace_id"`
	ParentID  string    `json:"parent_id"`
	Type      string    `json:"type"`
	Namespace string    `json:"namespace"`
	StartTime float64   `json:"start_time"`
	EndTime   float64   `json:"end_time"`
	Error     bool      `json:"error,omitempty"`
	Fault     bool      `json:"fault,omitempty"`
	Throttle  bool      `json:"throttle,omitempty"`
	AWS       awsCall   `json:"aws"`
	HTTP      *httpCall `json:"http,omitempty"`
	Cause     *cause    `json:"cause,omitempty"`
}

type awsCall struct {
	Operation string `json:"operation"`
	Region    string `json:"region,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

type httpCall struct {
	Response struct {
		Status int `json:"status"`
	} `json:"response"`
}

type cause struct {
	Exceptions []exception `json:"exceptions"`
}

type exception struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Remote bool   `json:"remote"`
}

func (c *call) subsegment(end time.Time) subsegment {
	s := subsegment{
		Name: c.service, ID: c.id, TraceID: c.inv.root, ParentID: c.inv.parent,
		Type: "subsegment", Namespace: "aws",
		StartTime: seconds(c.start), EndTime: seconds(end),
		AWS: awsCall{Operation: c.operation, Region: c.t.region, RequestID: c.requestID},
	}
	if s.Name == "" {
		s.Name = c.name
	}
	if c.status != 0 {
		s.HTTP = &httpCall{}
		s.HTTP.Response.Status = c.status
	}
	if !c.failed {
		return s
	}
	// X-Ray's classes: error for the caller's fault (4xx), throttle for 429 with it,
	// fault for the service's or the network's.
	switch {
	case c.status == 429:
		s.Error, s.Throttle = true, true
	case c.status >= 400 && c.status < 500, c.status == 0 && c.errorSide == "client":
		s.Error = true
	default:
		s.Fault = true
	}
	if c.code != "" {
		s.Cause = &cause{Exceptions: []exception{{ID: newID(), Type: c.code, Remote: true}}}
	}
	return s
}

// seconds is t as X-Ray writes times: seconds since the epoch, with a fraction.
func seconds(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// newID returns a new segment id: 64 random bits in hex.
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand's Read crashes the program instead
	return hex.EncodeToString(b[:])
}

// inner is an inner span of a recorded call: what it is told goes to the call, but
// its status and end, which are the call's to set.
type inner struct {
	noSpan
	call *call
}

func (i inner) SetProperty(k, v any) { i.call.SetProperty(k, v) }

// noSpan is the span of what is not recorded.
type noSpan struct{}

func (noSpan) Name() string                            { return "" }
func (noSpan) Context() tracing.SpanContext            { return tracing.SpanContext{} }
func (noSpan) AddEvent(string, ...tracing.EventOption) {}
func (noSpan) SetStatus(tracing.SpanStatus)            {}
func (noSpan) SetProperty(any, any)                    {}
func (noSpan) End()                                    {}
