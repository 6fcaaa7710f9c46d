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
