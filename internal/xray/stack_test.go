package xray_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/roster-dev/roster/internal/api"
	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/identity/cognito"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/xray"
)

// The tests below run the SDK against the local stack's emulators and stand in for
// the X-Ray daemon with a UDP socket of their own (the local stack has none:
// infra/EMULATORS.md), reading what a function would send Lambda's.

const (
	root   = "1-5759e988-bd862e3fe1be46a994272793"
	parent = "53995c3f42cd8ad8"
)

// invocation is a handler's context as aws-lambda-go hands it over for an invocation
// whose trace header says sampled.
func invocation(sampled string) context.Context {
	//lint:ignore SA1029 aws-lambda-go's own key for the trace header is a plain string
	return context.WithValue(context.Background(), "x-amzn-trace-id",
		"Root="+root+";Parent="+parent+";Sampled="+sampled)
}

// TestSDKCallsAreSubsegments: each DynamoDB call of a sampled invocation arrives at the
// daemon as one span named for its operation, in the invocation's trace under its
// Lambda segment, with the call's error; an invocation that is not sampled, or has
// no trace header, sends nothing.
func TestSDKCallsAreSubsegments(t *testing.T) {
	_, table := storetest.Table(t)
	daemon := listen(t)
	t.Setenv("AWS_XRAY_DAEMON_ADDRESS", daemon.addr())
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "roster-test")
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	if err := xray.Instrument(&cfg); err != nil {
		t.Fatal(err)
	}
	endpoint := os.Getenv("ROSTER_DYNAMODB_ENDPOINT")
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = &endpoint })
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "trace"}, "sk": &types.AttributeValueMemberS{Value: "trace"}}
	calls := func(ctx context.Context) {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: key}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key}); err != nil {
			t.Fatal(err)
		}
		missing := table + "-missing"
		if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &missing, Key: key}); err == nil {
			t.Fatal("GetItem on a missing table succeeded")
		}
	}

	calls(invocation("1"))
	spans := daemon.spans(t, 3)
	want := []string{"DynamoDB.PutItem", "DynamoDB.GetItem", "DynamoDB.GetItem"}
	if got := names(spans); !slices.Equal(got, want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
	for i, s := range spans {
		checkCall(t, s, "DynamoDB", strings.TrimPrefix(want[i], "DynamoDB."))
	}
	if spans[0].Status.GetCode() == tracepb.Status_STATUS_CODE_ERROR || spans[2].Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("statuses %v, %v: want the missing table's call, only, as an error", spans[0].Status, spans[2].Status)
	}

	calls(invocation("0"))
	calls(context.Background())
	daemon.none(t)
}

// TestFunctionTraces runs a function's handler as app.Load builds it: with TRACING
// Active its Cognito and DynamoDB calls arrive as spans, and without it (template.yaml's
// default, PassThrough) nothing does, even for a sampled invocation.
func TestFunctionTraces(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the local stack (-short, make unit)")
	}
	daemon := listen(t)
	for k, v := range map[string]string{
		"TABLE_NAME":                 os.Getenv("ROSTER_TABLE_NAME"),
		"USER_POOL_ID":               os.Getenv("ROSTER_USER_POOL_ID"),
		"USER_POOL_CLIENT_ID":        os.Getenv("ROSTER_USER_POOL_CLIENT_ID"),
		"SENDER_EMAIL":               "no-reply@roster.local",
		"CONSOLE_URL":                "http://localhost:5173",
		"LOGIN_EVENT_RETENTION_DAYS": "180",
		"AWS_ENDPOINT_URL_DYNAMODB":  os.Getenv("ROSTER_DYNAMODB_ENDPOINT"),
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": os.Getenv("ROSTER_COGNITO_ENDPOINT"),
		"AWS_XRAY_DAEMON_ADDRESS":                    daemon.addr(),
	} {
		if v == "" {
			t.Fatalf("%s is empty: run the tests through `make test`, which starts the local stack", k)
		}
		t.Setenv(k, v)
	}
	login := loginEvent(t)

	for _, tracing := range []string{xray.Active, "PassThrough"} {
		t.Run(tracing, func(t *testing.T) {
			t.Setenv("TRACING", tracing)
			a, err := app.FromEnv()
			if err != nil {
				t.Fatal(err)
			}
			resp, err := httpapi.Handle(api.NewDirectory(a, cognito.Load(a)).Login)(invocation("1"), login)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("login: %d %s %v", resp.StatusCode, resp.Body, err)
			}
			if tracing != xray.Active {
				daemon.none(t)
				return
			}
			spans := daemon.all(t)
			got := names(spans)
			for _, want := range []string{"Cognito Identity Provider.AdminInitiateAuth", "DynamoDB.GetItem"} {
				if !slices.Contains(got, want) {
					t.Errorf("no %s among the spans %v", want, got)
				}
			}
			for _, s := range spans {
				service, op, _ := strings.Cut(s.Name, ".")
				checkCall(t, s, service, op)
			}
		})
	}
}

// loginEvent is the login sample event with the local stack's admin as the caller.
func loginEvent(t *testing.T) events.APIGatewayV2HTTPRequest {
	t.Helper()
	raw, err := os.ReadFile("../../events/login.json")
	if err != nil {
		t.Fatal(err)
	}
	var e events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"loginAccount": os.Getenv("ROSTER_ADMIN_LOGIN"), "password": os.Getenv("ROSTER_ADMIN_PASSWORD")})
	e.Body = string(body)
	return e
}

// checkCall: s is an SDK call's span in the invocation's trace, directly under its
// Lambda segment, with the operation X-Ray names the subsegment by.
func checkCall(t *testing.T, s *tracepb.Span, service, op string) {
	t.Helper()
	if got := fmt.Sprintf("%x", s.TraceId); got != strings.ReplaceAll(root[2:], "-", "") {
		t.Errorf("%s: trace id %s, want the invocation's %s", s.Name, got, root)
	}
	if got := fmt.Sprintf("%x", s.ParentSpanId); got != parent {
		t.Errorf("%s: parent %s, want the Lambda segment %s", s.Name, got, parent)
	}
	if s.Kind != tracepb.Span_SPAN_KIND_CLIENT {
		t.Errorf("%s: kind %v, want client", s.Name, s.Kind)
	}
	attrs := map[string]string{}
	for _, kv := range s.Attributes {
		attrs[kv.Key] = kv.Value.GetStringValue()
	}
	if attrs["rpc.system"] != "aws-api" || attrs["rpc.service"] != service || attrs["rpc.method"] != op {
		t.Errorf("%s: attributes %v, want rpc.system aws-api, rpc.service %s, rpc.method %s", s.Name, attrs, service, op)
	}
}

func names(spans []*tracepb.Span) []string {
	var n []string
	for _, s := range spans {
		n = append(n, s.Name)
	}
	return n
}

// fakeDaemon is a UDP socket where the X-Ray daemon would be.
type fakeDaemon struct{ conn *net.UDPConn }

func listen(t *testing.T) fakeDaemon {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return fakeDaemon{conn}
}

func (d fakeDaemon) addr() string { return d.conn.LocalAddr().String() }

// quiet is how long a socket with nothing more to read stays silent: spans leave
// synchronously when they end, so a call's are sent before the call returns.
const quiet = 300 * time.Millisecond

// next reads one datagram's spans; ok is false once nothing arrived for quiet.
func (d fakeDaemon) next(t *testing.T) (_ []*tracepb.Span, ok bool) {
	t.Helper()
	buf := make([]byte, 64*1024)
	_ = d.conn.SetReadDeadline(time.Now().Add(quiet))
	n, err := d.conn.Read(buf)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	body, found := strings.CutPrefix(string(buf[:n]), "{\"format\":\"json\",\"version\":1}\nT1S")
	if !found {
		t.Fatalf("a datagram without the daemon's header and T1S: %.80q", buf[:n])
	}
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		t.Fatal(err)
	}
	var req coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	var spans []*tracepb.Span
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			spans = append(spans, ss.Spans...)
		}
	}
	return spans, true
}

// all reads spans until the socket is quiet.
func (d fakeDaemon) all(t *testing.T) []*tracepb.Span {
	t.Helper()
	var spans []*tracepb.Span
	for {
		s, ok := d.next(t)
		if !ok {
			return spans
		}
		spans = append(spans, s...)
	}
}

// spans reads exactly n spans, and then nothing more.
func (d fakeDaemon) spans(t *testing.T, n int) []*tracepb.Span {
	t.Helper()
	spans := d.all(t)
	if len(spans) != n {
		t.Fatalf("%d spans %v, want %d", len(spans), names(spans), n)
	}
	return spans
}

func (d fakeDaemon) none(t *testing.T) {
	t.Helper()
	if spans := d.all(t); len(spans) > 0 {
		t.Errorf("sent %v, want nothing", names(spans))
	}
}
