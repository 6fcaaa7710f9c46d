package xray

import (
	"context"
	"encoding/base64"
	"net"
	"sync"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// daemonHeader and sampledPrefix frame OTLP for the X-Ray daemon: its protocol
// header line, then "T1S" (OTLP traces, binary, sampled) and the base64 of an OTLP
// ExportTraceServiceRequest, in one datagram. It is the format of AWS's own X-Ray UDP
// exporters for OpenTelemetry (ADOT's, which its Lambda layers use); the Go module of
// it is not on the module proxy Roster builds from, so this client does the same few
// steps on top of the OpenTelemetry SDK's OTLP exporter.
const (
	daemonHeader  = "{\"format\":\"json\",\"version\":1}\n"
	sampledPrefix = "T1S"
)

// daemonClient is an otlptrace.Client that writes each upload to the daemon's UDP
// socket. Only the ExportTraceServiceRequest's one field (1: repeated ResourceSpans)
// is encoded here, with protowire, so that the functions do not link the OTLP
// collector package, which brings gRPC with it.
type daemonClient struct {
	addr string
	mu   sync.Mutex
	conn net.Conn
}

func newDaemonClient(addr string) *daemonClient { return &daemonClient{addr: addr} }

// Start connects the UDP socket: no packet is sent, so it costs no round trip.
func (c *daemonClient) Start(context.Context) error {
	conn, err := net.Dial("udp", c.addr)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.conn = conn
	c.mu.Unlock()
	return nil
}

func (c *daemonClient) Stop(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		return nil
	}
	err := c.conn.Close()
	c.conn = nil
	return err
}

func (c *daemonClient) UploadTraces(_ context.Context, spans []*tracepb.ResourceSpans) error {
	msg, err := encodeRequest(spans)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		return net.ErrClosed
	}
	_, err = c.conn.Write(msg)
	return err
}

// encodeRequest answers one datagram for the daemon: header, prefix, and the base64
// of the ExportTraceServiceRequest holding spans.
func encodeRequest(spans []*tracepb.ResourceSpans) ([]byte, error) {
	var req []byte
	for _, rs := range spans {
		b, err := proto.Marshal(rs)
		if err != nil {
			return nil, err
		}
		req = protowire.AppendTag(req, 1, protowire.BytesType)
		req = protowire.AppendBytes(req, b)
	}
	msg := make([]byte, 0, len(daemonHeader)+len(sampledPrefix)+base64.StdEncoding.EncodedLen(len(req)))
	msg = append(msg, daemonHeader...)
	msg = append(msg, sampledPrefix...)
	return base64.StdEncoding.AppendEncode(msg, req), nil
}
