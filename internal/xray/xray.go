// Package xray makes the AWS SDK clients' calls subsegments of the function's X-Ray
// trace when template.yaml's Tracing parameter is Active.
//
// The SDK traces every operation through smithy-go's tracing API; this package is a
// tracer for that API which writes each call of a sampled invocation as an X-Ray
// subsegment document, one UDP datagram, to the daemon Lambda runs beside an
// actively traced function (segment.go). No layer, no collector, no network call in
// the request's path. README's "Tracing" section says why not the X-Ray SDK or
// OpenTelemetry.
package xray

import (
	"fmt"
	"net"
	"os"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/tracing"
)

// Active is the value of template.yaml's Tracing parameter, passed to every function
// as TRACING, that turns the instrumentation on; anything else leaves it off.
const Active = "Active"

// defaultDaemon is where the X-Ray daemon listens when AWS_XRAY_DAEMON_ADDRESS,
// which Lambda sets for an actively traced function, is not set.
const defaultDaemon = "127.0.0.1:2000"

// Instrument makes every SDK client built from cfg record its calls as subsegments
// of the invocation's trace. It makes no network call (a UDP socket connects
// locally), and nothing is sent unless Lambda sampled the invocation.
func Instrument(cfg *aws.Config) error {
	addr := os.Getenv("AWS_XRAY_DAEMON_ADDRESS")
	if addr == "" {
		addr = defaultDaemon
	}
	conn, err := net.Dial("udp", addr)
	if err != nil {
		return fmt.Errorf("x-ray daemon: %w", err)
	}
	t := newTracer(conn, cfg.Region)
	cfg.ServiceOptions = append(cfg.ServiceOptions, func(_ string, options any) {
		setTracerProvider(options, t)
	})
	return nil
}

// setTracerProvider sets the TracerProvider field every generated client's Options
// has. aws.Config carries no tracer provider, and its ServiceOptions hand each client
// its own Options type; setting the field by name keeps the wiring in one place
// without linking every service's package into every function.
func setTracerProvider(options any, p tracing.TracerProvider) {
	v := reflect.ValueOf(options)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	f := v.Elem().FieldByName("TracerProvider")
	if f.IsValid() && f.CanSet() && reflect.TypeOf(p).AssignableTo(f.Type()) {
		f.Set(reflect.ValueOf(p))
	}
}
