package app_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestFunctionsLinkNoEagerSchemas keeps the SDK pins in go.mod. From service/dynamodb
// v1.69.0 (dynamodbstreams v1.42.0, sesv2 v1.75.0) a client builds its serialisation
// schemas at package init: ~1 ms of every cold start, more than all of Roster's own
// init (GODEBUG=inittrace=1 on GET /v1/me's binary: dynamodb/schemas 0.7 to 1.0 ms,
// 587 KB, 3,151 allocations). An update that brings such a package back fails here.
func TestFunctionsLinkNoEagerSchemas(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "../../functions/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/aws/aws-sdk-go-v2/") && strings.HasSuffix(pkg, "/schemas") {
			t.Errorf("the functions link %s: keep the SDK versions of go.mod's pins", pkg)
		}
	}
}

// TestFunctionsLinkNoGRPC keeps the tracing light on the functions that do not trace
// (every one, by default). internal/xray encodes its one OTLP message itself rather
// than import OTLP's collector package, which links gRPC; and the X-Ray SDK for Go,
// which links the AWS SDK for Go v1, added 13 MB and 3.4 ms of package init to each
// function (infra/bench/RESULTS.md). Either coming back fails here.
func TestFunctionsLinkNoGRPC(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "../../functions/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, heavy := range []string{"google.golang.org/grpc", "github.com/aws/aws-sdk-go", "github.com/aws/aws-xray-sdk-go"} {
			if pkg == heavy || strings.HasPrefix(pkg, heavy+"/") {
				t.Errorf("the functions link %s", pkg)
			}
		}
	}
}
