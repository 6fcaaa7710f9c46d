package iam

import (
	"fmt"

	"github.com/roster-dev/roster/infra/samtemplate"
)

// FromTemplate reads every function's policies from the template, resolved with refs as
// CloudFormation would resolve them, by the function's logical id (its principal). A function
// with no Policies may call nothing.
func FromTemplate(t *samtemplate.Template, refs map[string]string) (map[string]Policy, error) {
	out := make(map[string]Policy, len(t.Functions))
	for _, fn := range t.Functions {
		raw, err := t.ResolvePolicies(fn, refs)
		if err != nil {
			return nil, err
		}
		p, err := ParsePolicies(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fn.LogicalID, err)
		}
		out[fn.LogicalID] = p
	}
	return out, nil
}
