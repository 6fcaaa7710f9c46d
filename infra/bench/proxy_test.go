package bench

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/store/storetest"
)

// TestProxyCountsCallsAndCapacity runs the proxy in front of the stack's DynamoDB
// Local: calls are booked by action under the label in force, capacity is asked for
// and summed, and the client still gets its answers.
func TestProxyCountsCallsAndCapacity(t *testing.T) {
	t.Parallel()
	table, ledger, db := proxiedTable(t)
	ctx := context.Background()
	key := map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "P"}, "sk": &types.AttributeValueMemberS{Value: "S"},
	}

	// Unlabelled calls are not booked.
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: key}); err != nil {
		t.Fatal(err)
	}
	ledger.Begin("op")
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: key}); err != nil {
		t.Fatal(err)
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item == nil {
		t.Fatalf("GetItem through the proxy: %v, item %v", err, out.Item)
	}
	if out.ConsumedCapacity == nil {
		t.Error("the client got no ConsumedCapacity: the proxy did not ask for it")
	}
	got := ledger.End("op")

	want := map[string]int{"dynamodb:PutItem": 1, "dynamodb:GetItem": 1}
	if !sameCalls(got, Tally{Calls: want}) {
		t.Errorf("calls %v, want %v", got.Calls, want)
	}
	if got.Count("dynamodb") != 2 || got.Count("cognito-idp") != 0 {
		t.Errorf("counts: dynamodb %d, cognito %d", got.Count("dynamodb"), got.Count("cognito-idp"))
	}
	// A strongly consistent read of a small item is 1 RRU; a small put is 1 WRU.
	if got.RRU != 1 || got.WRU != 1 {
		t.Errorf("RRU %v, WRU %v; want 1 and 1", got.RRU, got.WRU)
	}
	if got.Upstream <= 0 {
		t.Error("no upstream time booked")
	}
}

func TestConsumedUnits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want float64
	}{
		{`{"Item":{},"ConsumedCapacity":{"TableName":"t","CapacityUnits":0.5}}`, 0.5},
		{`{"ConsumedCapacity":[{"CapacityUnits":2},{"CapacityUnits":10}]}`, 12},
		{`{"Item":{}}`, 0},
		{`not json`, 0},
	}
	for _, tt := range tests {
		if got := consumedUnits([]byte(tt.body)); got != tt.want {
			t.Errorf("consumedUnits(%s) = %v, want %v", tt.body, got, tt.want)
		}
	}
}

func TestWithConsumedCapacity(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"TableName":"t"}`, `{"ReturnConsumedCapacity":"TOTAL","TableName":"t"}`},
		{`{"TableName":"t","ReturnConsumedCapacity":"INDEXES"}`, `{"TableName":"t","ReturnConsumedCapacity":"INDEXES"}`},
		{`[1]`, `[1]`},
	}
	for _, tt := range tests {
		if got := string(withConsumedCapacity([]byte(tt.in))); got != tt.want {
			t.Errorf("withConsumedCapacity(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// Calls made side by side are waited on once: Upstream is the time any call was out,
// not the sum of the calls' times (which made own p50 negative for sign-in).
func TestLedgerCountsOverlappingCallsOnce(t *testing.T) {
	t.Parallel()
	l := NewLedger()
	l.Begin("op")
	l.sent("") // a long call...
	time.Sleep(10 * time.Millisecond)
	l.sent("") // ...and one inside it
	time.Sleep(80 * time.Millisecond)
	l.answered("")
	time.Sleep(10 * time.Millisecond)
	l.answered("")
	got := l.End("op").Upstream
	// Out for about 100 ms in all; the two calls' times add up to about 180.
	if got < 100*time.Millisecond || got >= 150*time.Millisecond {
		t.Fatalf("Upstream = %v, want the 100 ms the calls were out", got)
	}
}

// A stream-invoked function's calls are its own, not the operation's running beside
// them, unless that operation is the function's.
func TestLedgerBooksTheMailerApart(t *testing.T) {
	t.Parallel()
	l := NewLedger()
	l.Async("SendMailFunction")
	l.Running("SendVerificationCodeFunction")
	l.Begin("op")
	l.book("SendVerificationCodeFunction", "dynamodb:TransactWriteItems", 0, 4)
	l.book("SendMailFunction", "dynamodb:GetItem", 1, 0)
	l.sent("SendMailFunction") // no time of the operation's
	time.Sleep(20 * time.Millisecond)
	l.answered("SendMailFunction")
	op := l.End("op")
	if op.Calls["dynamodb:GetItem"] != 0 || op.Calls["dynamodb:TransactWriteItems"] != 1 || op.RRU != 0 || op.Upstream != 0 {
		t.Fatalf("the operation's tally %+v holds the mailer's call", op)
	}
	if mail := l.AsyncTally("SendMailFunction"); mail.Calls["dynamodb:GetItem"] != 1 || mail.RRU != 1 {
		t.Fatalf("the mailer's tally %+v", mail)
	}
	l.Running("SendMailFunction")
	l.Begin("mailer")
	l.book("SendMailFunction", "sesv2:POST /v2/email/outbound-emails", 0, 0)
	if got := l.End("mailer"); got.Count("sesv2") != 1 {
		t.Fatalf("the mailer's own operation %+v", got)
	}
}

// proxiedTable is a new table on the stack's DynamoDB Local, a counting proxy in front
// of it, and a client that goes through the proxy.
func proxiedTable(t *testing.T) (string, *Ledger, *dynamodb.Client) {
	t.Helper()
	_, table := storetest.Table(t)
	ledger := NewLedger()
	p, err := StartProxy("dynamodb", os.Getenv("ROSTER_DYNAMODB_ENDPOINT"), ledger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	return table, ledger, dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = &p.URL })
}
