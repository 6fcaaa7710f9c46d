// Package storetest gives tests their own table on DynamoDB Local, created from
// template.yaml's definition like the local stack's, so tests can run side by side.
package storetest

import (
	"context"
	"crypto/rand"
	"os"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/roster-dev/roster/infra/provision"
	"github.com/roster-dev/roster/infra/samtemplate"
	"github.com/roster-dev/roster/internal/store"
)

var (
	loadOnce sync.Once
	tmpl     *samtemplate.Template
	loadErr  error
)

// Client is a DynamoDB client for the DynamoDB Local that `bin/roster-stack run` (make test)
// started; the test skips under -short (make unit) and fails with a hint when there is none.
func Client(t testing.TB) *dynamodb.Client {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the local stack (-short, make unit)")
	}
	endpoint := os.Getenv("ROSTER_DYNAMODB_ENDPOINT")
	if endpoint == "" {
		t.Fatal("ROSTER_DYNAMODB_ENDPOINT is not set: run through `make test` or `bin/roster-stack run -- go test ...`")
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = &endpoint })
}

// Table creates a fresh table from template.yaml and answers its client and name.
func Table(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	loadOnce.Do(func() { tmpl, loadErr = samtemplate.Load(provision.TemplatePath()) })
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	db := Client(t)
	name := "test-" + rand.Text()
	if err := provision.CreateTable(context.Background(), db, tmpl, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name})
	})
	return db, name
}

// New answers a Store on a fresh table.
func New(t testing.TB) *store.Store {
	t.Helper()
	db, name := Table(t)
	return store.New(db, name)
}
