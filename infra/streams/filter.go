package streams

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Filter is one FilterCriteria pattern, compiled: the subset of EventBridge's pattern
// syntax that Lambda documents (infra/EMULATORS.md lists it). Values match exactly as
// written: 300 is not 300.0, and a DynamoDB number ({"N": "5"}) is a string, which a
// numeric rule never matches.
type Filter struct {
	source string
	root   fields
}

// fields is an object of a pattern: each field either holds rules or nests further.
type fields map[string]field

type field struct {
	rules  []rule // an array in the pattern: any one rule may match
	nested fields // an object in the pattern
}

// rule matches one value; present is false when the field is missing.
type rule func(v any, present bool) bool

// ErrPattern marks a pattern Lambda would refuse (InvalidParameterValueException).
var ErrPattern = errors.New("invalid filter pattern")

// ParseFilter compiles a pattern, the JSON text of a FilterCriteria filter's Pattern.
func ParseFilter(pattern string) (*Filter, error) {
	var doc any
	dec := json.NewDecoder(strings.NewReader(pattern))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPattern, err)
	}
	obj, ok := doc.(map[string]any)
	if !ok || len(obj) == 0 {
		return nil, fmt.Errorf("%w: want a non-empty JSON object, got %s", ErrPattern, pattern)
	}
	root, err := compileFields(obj, "")
	if err != nil {
		return nil, err
	}
	return &Filter{source: pattern, root: root}, nil
}

// String is the pattern as written.
func (f *Filter) String() string { return f.source }

// Match reports whether a record, decoded with json.Decoder.UseNumber, satisfies the pattern.
func (f *Filter) Match(record map[string]any) bool { return f.root.match(record) }

// MatchAny reports whether a record satisfies one of the filters; with none, every record does.
func MatchAny(filters []*Filter, record map[string]any) bool {
	if len(filters) == 0 {
		return true
	}
	return slices.ContainsFunc(filters, func(f *Filter) bool { return f.Match(record) })
}

// DecodeRecord decodes a record's JSON as Match reads it.
func DecodeRecord(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out map[string]any
	return out, dec.Decode(&out)
}

func compileFields(obj map[string]any, path string) (fields, error) {
	out := make(fields, len(obj))
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		p := path + "." + k
		switch v := obj[k].(type) {
		case map[string]any:
			if len(v) == 0 {
				return nil, fmt.Errorf("%w: %s is an empty object", ErrPattern, p[1:])
			}
			nested, err := compileFields(v, p)
			if err != nil {
				return nil, err
			}
			out[k] = field{nested: nested}
		case []any:
			if len(v) == 0 {
				return nil, fmt.Errorf("%w: %s is an empty list", ErrPattern, p[1:])
			}
			var rules []rule
			for _, r := range v {
				c, err := compileRule(r, p[1:])
				if err != nil {
					return nil, err
				}
				rules = append(rules, c)
			}
			out[k] = field{rules: rules}
		default:
			return nil, fmt.Errorf("%w: %s must be a list of values or an object, not %v", ErrPattern, p[1:], v)
		}
	}
	return out, nil
}

func compileRule(r any, path string) (rule, error) {
	switch r := r.(type) {
	case nil:
		return func(v any, present bool) bool { return present && v == nil }, nil
	case string, bool:
		return func(v any, present bool) bool { return present && v == r }, nil
	case json.Number:
		return func(v any, present bool) bool { n, ok := v.(json.Number); return present && ok && n == r }, nil
	case map[string]any:
		if len(r) != 1 {
			return nil, fmt.Errorf("%w: %s: an operator object holds one operator, not %v", ErrPattern, path, r)
		}
		for op, arg := range r {
			return compileOperator(op, arg, path)
		}
	}
	return nil, fmt.Errorf("%w: %s: %v is not a value or an operator", ErrPattern, path, r)
}

func compileOperator(op string, arg any, path string) (rule, error) {
	bad := func(want string) error {
		return fmt.Errorf("%w: %s: %q takes %s, not %v", ErrPattern, path, op, want, arg)
	}
	switch op {
	case "prefix", "suffix", "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return nil, bad("a string")
		}
		test := map[string]func(string) bool{
			"prefix":             func(v string) bool { return strings.HasPrefix(v, s) },
			"suffix":             func(v string) bool { return strings.HasSuffix(v, s) },
			"equals-ignore-case": func(v string) bool { return strings.EqualFold(v, s) },
		}[op]
		return func(v any, present bool) bool { str, ok := v.(string); return present && ok && test(str) }, nil
	case "exists":
		want, ok := arg.(bool)
		if !ok {
			return nil, bad("true or false")
		}
		// Exists matches leaf values only, as in EventBridge: an object is not a value.
		return func(v any, present bool) bool {
			_, isObject := v.(map[string]any)
			return present && !isObject == want || !present && !want
		}, nil
	case "numeric":
		return compileNumeric(arg, bad)
	case "anything-but":
		return compileAnythingBut(arg, bad)
	}
	return nil, fmt.Errorf("%w: %s: operator %q is not one Lambda filters with", ErrPattern, path, op)
}

// compileNumeric reads [op, n] or [op, n, op, n]: every comparison must hold.
func compileNumeric(arg any, bad func(string) error) (rule, error) {
	list, ok := arg.([]any)
	if !ok || (len(list) != 2 && len(list) != 4) {
		return nil, bad(`["<op>", n] or ["<op>", n, "<op>", n]`)
	}
	type cmp struct {
		op string
		n  float64
	}
	var cmps []cmp
	for i := 0; i < len(list); i += 2 {
		op, _ := list[i].(string)
		num, isNum := list[i+1].(json.Number)
		n, err := num.Float64()
		if !isNum || err != nil || !slices.Contains([]string{"=", "<", "<=", ">", ">="}, op) {
			return nil, bad(`["<op>", n] or ["<op>", n, "<op>", n] with = < <= > >=`)
		}
		cmps = append(cmps, cmp{op, n})
	}
	return func(v any, present bool) bool {
		num, ok := v.(json.Number)
		if !present || !ok {
			return false
		}
		x, err := strconv.ParseFloat(string(num), 64)
		if err != nil {
			return false
		}
		for _, c := range cmps {
			if !map[string]bool{"=": x == c.n, "<": x < c.n, "<=": x <= c.n, ">": x > c.n, ">=": x >= c.n}[c.op] {
				return false
			}
		}
		return true
	}, nil
}

// compileAnythingBut reads a value, a list of values, or {"prefix": s}: it matches a present
// value that is none of them.
func compileAnythingBut(arg any, bad func(string) error) (rule, error) {
	if m, ok := arg.(map[string]any); ok {
		p, isString := m["prefix"].(string)
		if len(m) != 1 || !isString {
			return nil, bad(`a value, a list of values or {"prefix": "..."}`)
		}
		return func(v any, present bool) bool {
			s, ok := v.(string)
			return present && !(ok && strings.HasPrefix(s, p))
		}, nil
	}
	values, ok := arg.([]any)
	if !ok {
		values = []any{arg}
	}
	for _, v := range values {
		switch v.(type) {
		case string, json.Number:
		default:
			return nil, bad("strings or numbers")
		}
	}
	return func(v any, present bool) bool { return present && !slices.Contains(values, v) }, nil
}

func (fs fields) match(obj map[string]any) bool {
	for k, f := range fs {
		v, present := obj[k]
		if f.nested != nil {
			sub, _ := v.(map[string]any) // a missing or non-object field: its fields are missing
			if !f.nested.match(sub) {
				return false
			}
			continue
		}
		if !f.matchValue(v, present) {
			return false
		}
	}
	return true
}

func (f field) matchValue(v any, present bool) bool {
	if list, ok := v.([]any); ok && present {
		// An array matches when one of its elements does.
		return slices.ContainsFunc(list, func(e any) bool { return f.matchValue(e, true) })
	}
	return slices.ContainsFunc(f.rules, func(r rule) bool { return r(v, present) })
}
