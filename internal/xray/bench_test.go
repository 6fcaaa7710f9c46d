package xray

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// BenchmarkSDKCall is what tracing adds to one SDK call of a sampled invocation (a
// subsegment, its JSON and a UDP datagram), next to the same call untraced and
// traced but not sampled. The call goes to a local server that answers at once, so
// the difference is all the SDK's and the tracing's.
func BenchmarkSDKCall(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	daemon, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer daemon.Close()
	go func() { // read and drop, as the daemon would take them
		buf := make([]byte, 64*1024)
		for {
			if _, _, err := daemon.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	b.Setenv("AWS_XRAY_DAEMON_ADDRESS", daemon.LocalAddr().String())

	header := func(sampled string) context.Context {
		//lint:ignore SA1029 aws-lambda-go's own key for the trace header is a plain string
		return context.WithValue(context.Background(), lambdaTraceKey,
			"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled="+sampled)
	}
	for _, c := range []struct {
		name       string
		instrument bool
		ctx        context.Context
	}{
		{"off", false, header("1")},
		{"on, not sampled", true, header("0")},
		{"on, sampled", true, header("1")},
	} {
		b.Run(c.name, func(b *testing.B) {
			cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
			if c.instrument {
				if err := Instrument(&cfg); err != nil {
					b.Fatal(err)
				}
			}
			db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = &srv.URL })
			table := "t"
			in := &dynamodb.GetItemInput{TableName: &table, Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "x"}}}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := db.GetItem(c.ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkInstrument is what turning tracing on adds to a function's init beyond
// linking it: building the tracer and connecting the
// UDP socket (no packet).
func BenchmarkInstrument(b *testing.B) {
	b.Setenv("AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:2000")
	b.ReportAllocs()
	for b.Loop() {
		var cfg aws.Config
		if err := Instrument(&cfg); err != nil {
			b.Fatal(err)
		}
	}
}
