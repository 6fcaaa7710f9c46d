package bench

import (
	"testing"

	"github.com/roster-dev/roster/infra/provision"
	"github.com/roster-dev/roster/infra/samtemplate"
)

// TestEveryFunctionIsMeasured: each function in template.yaml has a row in operations
// or a sample event to measure its cold start by; the ones without a row are named.
func TestEveryFunctionIsMeasured(t *testing.T) {
	t.Parallel()
	root, err := provision.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := samtemplate.Load(provision.TemplatePath())
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range tmpl.Functions {
		if _, ok := opForFunction(fn.LogicalID); ok {
			continue
		}
		if _, err := sampleEventOp(root, fn); err != nil {
			t.Error(err)
			continue
		}
		t.Logf("%s has no row in operations: cold start from its sample event only", fn.LogicalID)
	}
}

// TestOperationsAreWellFormed: one row per function, each named and able to prepare.
func TestOperationsAreWellFormed(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, op := range operations {
		if op.Name == "" || op.Function == "" || op.Prepare == nil {
			t.Errorf("row %+v lacks a name, function or Prepare", op)
		}
		if seen[op.Function] {
			t.Errorf("%s has two rows", op.Function)
		}
		seen[op.Function] = true
	}
}
