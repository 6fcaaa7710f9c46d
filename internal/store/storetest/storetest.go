// Package storetest gives tests their own table on DynamoDB Local, made from the definition
// the local stack wrote (internal/store/tabledef), so tests can run side by side.
package storetest

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/tabledef"
)

// runHint says how to get the stack these helpers need.
const runHint = "run through `make test` or `bin/roster-stack run -- go test ...`"

var (
	loadOnce sync.Once
	def      tabledef.Definition
	loadErr  error
)

// Client returns a DynamoDB client for the DynamoDB Local that `bin/roster-stack run`
// (make test) started; the test skips under -short (make unit) and fails with a hint
// when there is none.
func Client(t testing.TB) *dynamodb.Client {
	t.Helper()
	skipShort(t)
	endpoint := os.Getenv("ROSTER_DYNAMODB_ENDPOINT")
	if endpoint == "" {
		t.Fatal("ROSTER_DYNAMODB_ENDPOINT is not set: " + runHint)
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = &endpoint })
}

// Definition returns the definition of the stack's table, as the stack made it from
// template.yaml.
func Definition(t testing.TB) tabledef.Definition {
	t.Helper()
	skipShort(t)
	loadOnce.Do(func() {
		path := os.Getenv(tabledef.EnvVar)
		if path == "" {
			loadErr = fmt.Errorf("%s is not set: %s", tabledef.EnvVar, runHint)
			return
		}
		def, loadErr = tabledef.Load(path)
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return def
}

// skipShort skips the test under -short (make unit): it needs the local stack.
func skipShort(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the local stack (-short, make unit)")
	}
}

// Table creates a fresh table like the stack's, without its stream (WithoutStream says
// why), and returns its client and name.
func Table(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	return create(t, Definition(t).WithoutStream())
}

// StreamedTable is Table with the stack's stream, for tests that read it (outboxtest).
func StreamedTable(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	return create(t, Definition(t))
}

func create(t testing.TB, d tabledef.Definition) (*dynamodb.Client, string) {
	t.Helper()
	db := Client(t)
	name := "test-" + rand.Text()
	if err := d.Create(context.Background(), db, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name})
	})
	return db, name
}

// New returns a Store on a fresh table.
func New(t testing.TB) *store.Store {
	t.Helper()
	db, name := Table(t)
	return store.New(db, name)
}
