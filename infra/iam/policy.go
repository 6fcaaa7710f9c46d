// Package iam decides, as AWS IAM would, whether a function's policies from template.yaml
// allow the calls it makes: the actions and resources a request needs (calls.go), whether
// the policies allow them (this file), and a proxy in front of every emulator that refuses
// what they do not, as AWS answers (enforcer.go). A Condition fails closed, so a policy
// that needs one fails here rather than on AWS (infra/EMULATORS.md, "IAM").
package iam

import (
	"errors"
	"fmt"
	"strings"
)

// Effect is a statement's Effect.
type Effect string

const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Statement is one statement of an identity-based policy. Exactly one of Actions and NotActions,
// and one of Resources and NotResources, is set.
type Statement struct {
	Effect                  Effect
	Actions, NotActions     []string
	Resources, NotResources []string
	// Conditional is true when the statement has a Condition block, which is not evaluated.
	Conditional bool
	// AddedBy says who added a statement that is not in the template ("" for the template's
	// own): SAM adds some to the roles it generates.
	AddedBy string
}

// Policy is every statement of one principal's policies.
type Policy struct{ Statements []Statement }

// Decision is the outcome of evaluating a request.
type Decision int

const (
	ImplicitDeny Decision = iota // no statement allows it
	Allowed
	ExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case Allowed:
		return "allowed"
	case ExplicitDeny:
		return "explicit deny"
	}
	return "implicit deny"
}

// Decide evaluates one action on one resource: an explicit Deny wins over any Allow, and
// without an Allow the answer is an implicit deny.
func (p Policy) Decide(action, resource string) Decision {
	d := ImplicitDeny
	for _, s := range p.Statements {
		if !s.matches(action, resource) {
			continue
		}
		switch {
		case s.Effect == Deny:
			return ExplicitDeny
		case !s.Conditional:
			d = Allowed
		}
	}
	return d
}

// Without returns a copy of p whose Allow statements no longer grant action: a test's way to
// take one permission away from a function.
func (p Policy) Without(action string) Policy {
	out := Policy{Statements: make([]Statement, 0, len(p.Statements))}
	for _, s := range p.Statements {
		if s.Effect == Allow && len(s.Actions) > 0 {
			kept := make([]string, 0, len(s.Actions))
			for _, a := range s.Actions {
				if !strings.EqualFold(a, action) {
					kept = append(kept, a)
				}
			}
			if len(kept) == 0 {
				continue
			}
			s.Actions = kept
		}
		out.Statements = append(out.Statements, s)
	}
	return out
}

func (s Statement) matches(action, resource string) bool {
	// Action names are case-insensitive in IAM; resource ARNs are not.
	actionIn := anyMatch(s.Actions, action, true) || len(s.NotActions) > 0 && !anyMatch(s.NotActions, action, true)
	resourceIn := anyMatch(s.Resources, resource, false) || len(s.NotResources) > 0 && !anyMatch(s.NotResources, resource, false)
	return actionIn && resourceIn
}

func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			if Match(strings.ToLower(p), strings.ToLower(s)) {
				return true
			}
		} else if Match(p, s) {
			return true
		}
	}
	return false
}

// Match reports whether s matches an IAM pattern, where `*` stands for any run of characters
// (none included) and `?` for any one character.
func Match(pattern, s string) bool {
	// The classic two-pointer glob: on a mismatch, backtrack to the last `*` and let it take
	// one more character. Linear in practice, no allocation.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// ErrUnsupported is returned for a policy the local stack cannot evaluate faithfully: a managed
// policy named by ARN, a SAM policy template, or a malformed statement.
var ErrUnsupported = errors.New("policy not evaluated locally")

// ParsePolicies reads a function's Policies as template.yaml holds them, every intrinsic
// function already resolved (samtemplate.Template.ResolvePolicies): a list of inline policy
// documents (`- Statement: [...]`, with or without Version).
func ParsePolicies(policies []any) (Policy, error) {
	var out Policy
	for i, item := range policies {
		doc, ok := item.(map[string]any)
		if !ok {
			return Policy{}, fmt.Errorf("%w: Policies[%d] is %v: write it as a Statement list", ErrUnsupported, i, item)
		}
		stmts, ok := doc["Statement"]
		if !ok {
			return Policy{}, fmt.Errorf("%w: Policies[%d] (a SAM policy template or a managed policy?) has no Statement", ErrUnsupported, i)
		}
		list, ok := stmts.([]any)
		if !ok {
			list = []any{stmts} // a single statement may be written without a list
		}
		for j, raw := range list {
			s, err := parseStatement(raw)
			if err != nil {
				return Policy{}, fmt.Errorf("Policies[%d].Statement[%d]: %w", i, j, err)
			}
			out.Statements = append(out.Statements, s)
		}
	}
	return out, nil
}

func parseStatement(raw any) (Statement, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return Statement{}, fmt.Errorf("%w: a statement must be a mapping", ErrUnsupported)
	}
	var s Statement
	switch e := Effect(fmt.Sprint(m["Effect"])); e {
	case Allow, Deny:
		s.Effect = e
	default:
		return Statement{}, fmt.Errorf("%w: Effect %q", ErrUnsupported, m["Effect"])
	}
	if _, ok := m["Principal"]; ok {
		return Statement{}, fmt.Errorf("%w: an identity-based policy has no Principal", ErrUnsupported)
	}
	var err error
	if s.Actions, s.NotActions, err = oneOf(m, "Action", "NotAction"); err != nil {
		return Statement{}, err
	}
	if s.Resources, s.NotResources, err = oneOf(m, "Resource", "NotResource"); err != nil {
		return Statement{}, err
	}
	_, s.Conditional = m["Condition"]
	return s, nil
}

// oneOf reads a statement's key or its Not- form: exactly one must be there.
func oneOf(m map[string]any, key, notKey string) (in, notIn []string, err error) {
	v, has := m[key]
	nv, hasNot := m[notKey]
	switch {
	case has == hasNot:
		return nil, nil, fmt.Errorf("%w: a statement needs exactly one of %s and %s", ErrUnsupported, key, notKey)
	case has:
		in, err = stringList(v, key)
	default:
		notIn, err = stringList(nv, notKey)
	}
	return in, notIn, err
}

// stringList reads a string or a list of strings.
func stringList(v any, key string) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%w: %s holds %v, not a string", ErrUnsupported, key, e)
			}
			out = append(out, s)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%w: %s is empty", ErrUnsupported, key)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: %s is %v", ErrUnsupported, key, v)
}
