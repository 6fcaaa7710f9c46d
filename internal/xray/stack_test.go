package xray_test

import (
	"context"
	"encoding/json"
	"errors"
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
// daemon as one subsegment of the service and operation, in the invocation's trace
// under its Lambda segment, with the call's status and error; an invocation that is
// not sampled, or has no trace header, sends nothing.
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
	if spans[0].Error || spans[0].HTTP.Response.Status != 200 || !spans[2].Error || spans[2].HTTP.Response.Status != 400 ||
		spans[2].Cause.Exceptions[0].Type != "ResourceNotFoundException" {
		t.Errorf("subsegments %+v and %+v: want the missing table's call, only, as an error", spans[0], spans[2])
	}

	calls(invocation("0"))
	calls(context.Background())
	daemon.none(t)
}

// TestFunctionTraces runs a function's handler as app.Load builds it: with TRACING
// Active its Cognito and DynamoDB calls arrive as subsegments, and without it (template.yaml's
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
				checkCall(t, s, s.Name, s.AWS.Operation)
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

// subsegment is what the tests read of a datagram: an X-Ray subsegment document.
type subsegment struct {
	Name      string  `json:"name"`
	ID        string  `json:"id"`
	TraceID   string  `json:"trace_id"`
	ParentID  string  `json:"parent_id"`
	Type      string  `json:"type"`
	Namespace string  `json:"namespace"`
	StartTime float64 `json:"start_time"`
	EndTime   float64 `json:"end_time"`
	Error     bool    `json:"error"`
	AWS       struct {
		Operation string `json:"operation"`
		RequestID string `json:"request_id"`
	} `json:"aws"`
	HTTP struct {
		Response struct {
			Status int `json:"status"`
		} `json:"response"`
	} `json:"http"`
	Cause struct {
		Exceptions []struct {
			Type string `json:"type"`
		} `json:"exceptions"`
	} `json:"cause"`
}

// checkCall: s is an SDK call's subsegment in the invocation's trace, directly under
// its Lambda segment, named for the service, with the operation and its request id.
func checkCall(t *testing.T, s subsegment, service, op string) {
	t.Helper()
	if s.TraceID != root || s.ParentID != parent || s.Type != "subsegment" || len(s.ID) != 16 {
		t.Errorf("%s: trace %s, parent %s, type %s, id %q: want a subsegment of %s under the Lambda segment %s",
			s.Name, s.TraceID, s.ParentID, s.Type, s.ID, root, parent)
	}
	if s.Name != service || s.Namespace != "aws" || s.AWS.Operation != op || s.AWS.RequestID == "" {
		t.Errorf("%+v: want a call to %s.%s with its request id", s, service, op)
	}
	if s.EndTime < s.StartTime || s.StartTime < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("%s: times %f to %f", s.Name, s.StartTime, s.EndTime)
	}
}

func names(spans []subsegment) []string {
	var n []string
	for _, s := range spans {
		n = append(n, s.Name+"."+s.AWS.Operation)
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

// next reads one datagram's subsegment; ok is false once nothing arrived for quiet.
func (d fakeDaemon) next(t *testing.T) (_ []subsegment, ok bool) {
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
	body, found := strings.CutPrefix(string(buf[:n]), "{\"format\":\"json\",\"version\":1}\n")
	if !found {
		t.Fatalf("a datagram without the daemon's header: %.80q", buf[:n])
	}
	var s subsegment
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return []subsegment{s}, true
}

// all reads spans until the socket is quiet.
func (d fakeDaemon) all(t *testing.T) []subsegment {
	t.Helper()
	var spans []subsegment
	for {
		s, ok := d.next(t)
		if !ok {
			return spans
		}
		spans = append(spans, s...)
	}
}

// spans reads exactly n spans, and then nothing more.
func (d fakeDaemon) spans(t *testing.T, n int) []subsegment {
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
