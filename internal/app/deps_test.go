package app_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestFunctionsLinkNoHeavyPackages keeps out of the functions the packages whose
// initialisation would weigh on every cold start (infra/bench/RESULTS.md has the
// figures): the SDK's eager serialisation schemas (go.mod pins the versions before
// them), and the tracing stacks internal/xray does without.
func TestFunctionsLinkNoHeavyPackages(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "../../functions/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	heavy := []string{"google.golang.org/grpc", "google.golang.org/protobuf", "go.opentelemetry.io",
		"github.com/aws/aws-sdk-go", "github.com/aws/aws-xray-sdk-go"}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/aws/aws-sdk-go-v2/") && strings.HasSuffix(pkg, "/schemas") {
			t.Errorf("the functions link %s: keep the SDK versions of go.mod's pins", pkg)
		}
		for _, h := range heavy {
			if pkg == h || strings.HasPrefix(pkg, h+"/") {
				t.Errorf("the functions link %s", pkg)
			}
		}
	}
}
