package samtemplate

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Resolve turns an expression into its local value. refs maps what the template refers to onto
// local values: logical ids (Table -> the table's name), attributes ("UserPool.Arn") and pseudo
// parameters ("AWS::Region", "AWS::StackName"). A parameter missing from refs takes its Default.
// Supported: literals, Ref, Fn::Sub, Fn::GetAtt, Fn::Join, Fn::Select (of a list or an Fn::Split),
// Fn::If (on a condition of Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition), in short or
// long form.
func (t *Template) Resolve(v Value, refs map[string]string) (string, error) {
	if v.node == nil {
		return "", fmt.Errorf("no value")
	}
	return t.resolve(v.node, refs)
}

// ResolveProperties returns a resource's Properties as plain Go values (map[string]any,
// []any, string, int, float64, bool), with every intrinsic function resolved to a string, or
// for Fn::If to its chosen branch; a branch of Ref AWS::NoValue drops the key or the item, as
// CloudFormation does.
func (t *Template) ResolveProperties(r Resource, refs map[string]string) (map[string]any, error) {
	if r.Properties == nil {
		return map[string]any{}, nil
	}
	v, err := t.resolveTree(r.Properties, refs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.LogicalID, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: Properties is not a mapping", r.LogicalID)
	}
	return m, nil
}

// ResolvePolicies returns a function's Policies as plain Go values, every intrinsic function
// resolved (see ResolveProperties); nil when it declares none.
func (t *Template) ResolvePolicies(fn Function, refs map[string]string) ([]any, error) {
	if fn.Policies == nil {
		return nil, nil
	}
	v, err := t.resolveTree(fn.Policies, refs)
	if err != nil {
		return nil, fmt.Errorf("%s: Policies: %w", fn.LogicalID, err)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: Policies is not a list", fn.LogicalID)
	}
	return list, nil
}

// noValue is what Ref AWS::NoValue resolves to in a tree: its key or item is left out.
type noValue struct{}

func (t *Template) resolveTree(n *yaml.Node, refs map[string]string) (any, error) {
	if fn, arg, ok := intrinsic(n); ok {
		switch {
		case fn == "Ref" && scalar(arg) == "AWS::NoValue":
			return noValue{}, nil
		case fn == "Fn::If":
			branch, err := t.ifBranch(n, arg, refs)
			if err != nil {
				return nil, err
			}
			return t.resolveTree(branch, refs)
		}
		return t.resolve(n, refs)
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for k, v := range pairs(n) {
			r, err := t.resolveTree(v, refs)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if _, none := r.(noValue); !none {
				m[k] = r
			}
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for i, v := range n.Content {
			r, err := t.resolveTree(v, refs)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			if _, none := r.(noValue); !none {
				s = append(s, r)
			}
		}
		return s, nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	case yaml.AliasNode:
		return t.resolveTree(n.Alias, refs)
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

func (t *Template) resolve(n *yaml.Node, refs map[string]string) (string, error) {
	fn, arg, ok := intrinsic(n)
	if !ok {
		if n.Kind != yaml.ScalarNode {
			return "", fmt.Errorf("line %d: want a string, found a %s", n.Line, kindName(n))
		}
		return n.Value, nil
	}
	switch fn {
	case "Ref":
		return t.lookup(scalar(arg), refs, n.Line)
	case "Fn::GetAtt":
		name := scalar(arg)
		if parts := items(arg); len(parts) == 2 {
			name = scalar(parts[0]) + "." + scalar(parts[1])
		}
		return t.lookup(name, refs, n.Line)
	case "Fn::Sub":
		return t.sub(arg, refs)
	case "Fn::Join":
		parts := items(arg)
		if len(parts) != 2 {
			return "", fmt.Errorf("line %d: Fn::Join wants [delimiter, [values]]", n.Line)
		}
		var out []string
		for _, p := range items(parts[1]) {
			s, err := t.resolve(p, refs)
			if err != nil {
				return "", err
			}
			out = append(out, s)
		}
		return strings.Join(out, scalar(parts[0])), nil
	case "Fn::Select":
		parts := items(arg)
		if len(parts) != 2 {
			return "", fmt.Errorf("line %d: Fn::Select wants [index, [values]]", n.Line)
		}
		list, err := t.resolveList(parts[1], refs)
		if err != nil {
			return "", err
		}
		i, err := strconv.Atoi(scalar(parts[0]))
		if err != nil || i < 0 || i >= len(list) {
			return "", fmt.Errorf("line %d: Fn::Select index %q out of range", n.Line, scalar(parts[0]))
		}
		return list[i], nil
	case "Fn::If":
		branch, err := t.ifBranch(n, arg, refs)
		if err != nil {
			return "", err
		}
		return t.resolve(branch, refs)
	}
	return "", fmt.Errorf("line %d: %s is not resolved locally", n.Line, fn)
}

// ifBranch picks Fn::If's [condition, then, else] branch.
func (t *Template) ifBranch(n, arg *yaml.Node, refs map[string]string) (*yaml.Node, error) {
	parts := items(arg)
	if len(parts) != 3 {
		return nil, fmt.Errorf("line %d: Fn::If wants [condition, value if true, value if false]", n.Line)
	}
	ok, err := t.condition(scalar(parts[0]), refs, n.Line, 0)
	if err != nil {
		return nil, err
	}
	if ok {
		return parts[1], nil
	}
	return parts[2], nil
}

// condition evaluates a named condition of the template's Conditions.
func (t *Template) condition(name string, refs map[string]string, line, depth int) (bool, error) {
	c, ok := t.Conditions[name]
	if !ok {
		return false, fmt.Errorf("line %d: no condition %q", line, name)
	}
	if depth > len(t.Conditions) {
		return false, fmt.Errorf("line %d: condition %q refers to itself", line, name)
	}
	return t.evalCondition(c, refs, depth+1)
}

func (t *Template) evalCondition(n *yaml.Node, refs map[string]string, depth int) (bool, error) {
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Condition" {
		return t.condition(scalar(n.Content[1]), refs, n.Line, depth)
	}
	fn, arg, ok := intrinsic(n)
	if !ok {
		return false, fmt.Errorf("line %d: want a condition function", n.Line)
	}
	parts := items(arg)
	switch fn {
	case "Condition":
		return t.condition(scalar(arg), refs, n.Line, depth)
	case "Fn::Equals":
		if len(parts) != 2 {
			return false, fmt.Errorf("line %d: Fn::Equals wants [a, b]", n.Line)
		}
		a, err := t.resolve(parts[0], refs)
		if err != nil {
			return false, err
		}
		b, err := t.resolve(parts[1], refs)
		if err != nil {
			return false, err
		}
		return a == b, nil
	case "Fn::Not":
		if len(parts) != 1 {
			return false, fmt.Errorf("line %d: Fn::Not wants [condition]", n.Line)
		}
		v, err := t.evalCondition(parts[0], refs, depth)
		return !v, err
	case "Fn::And", "Fn::Or":
		if len(parts) < 2 {
			return false, fmt.Errorf("line %d: %s wants at least two conditions", n.Line, fn)
		}
		for _, p := range parts {
			v, err := t.evalCondition(p, refs, depth)
			if err != nil {
				return false, err
			}
			if v == (fn == "Fn::Or") {
				return v, nil
			}
		}
		return fn == "Fn::And", nil
	}
	return false, fmt.Errorf("line %d: %s is not a condition function", n.Line, fn)
}

// resolveList resolves a list argument: a literal list, or Fn::Split (which is only meaningful
// inside a function that takes a list, such as Fn::Select).
func (t *Template) resolveList(n *yaml.Node, refs map[string]string) ([]string, error) {
	if fn, arg, ok := intrinsic(n); ok {
		parts := items(arg)
		if fn != "Fn::Split" || len(parts) != 2 {
			return nil, fmt.Errorf("line %d: want a list or Fn::Split [delimiter, string]", n.Line)
		}
		s, err := t.resolve(parts[1], refs)
		if err != nil {
			return nil, err
		}
		return strings.Split(s, scalar(parts[0])), nil
	}
	var out []string
	for _, e := range items(n) {
		s, err := t.resolve(e, refs)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (t *Template) lookup(name string, refs map[string]string, line int) (string, error) {
	if v, ok := refs[name]; ok {
		return v, nil
	}
	if p, ok := t.Parameters[name]; ok && p.HasDefault {
		return p.Default, nil
	}
	return "", fmt.Errorf("line %d: no local value for %q", line, name)
}

// sub implements Fn::Sub: "${Name}" and "${Name.Attr}" are replaced, "${!Literal}" keeps
// "${Literal}". The long form [string, {Var: value}] adds variables of its own.
func (t *Template) sub(arg *yaml.Node, refs map[string]string) (string, error) {
	format, vars := arg, map[string]string{}
	if parts := items(arg); len(parts) == 2 {
		format = parts[0]
		for k, v := range pairs(parts[1]) {
			s, err := t.resolve(v, refs)
			if err != nil {
				return "", err
			}
			vars[k] = s
		}
	}
	if format == nil || format.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("line %d: Fn::Sub wants a string", arg.Line)
	}
	s := format.Value
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.Index(s[i:], "}")
		if j < 0 {
			return "", fmt.Errorf("line %d: unclosed ${ in %q", format.Line, format.Value)
		}
		b.WriteString(s[:i])
		name := s[i+2 : i+j]
		switch v, ok := vars[name]; {
		case strings.HasPrefix(name, "!"):
			b.WriteString("${" + name[1:] + "}")
		case ok:
			b.WriteString(v)
		default:
			v, err := t.lookup(name, refs, format.Line)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
		}
		s = s[i+j+1:]
	}
}

// intrinsic recognises an intrinsic function: a short tag (!Ref X) or a one-key mapping
// ({Ref: X}, {Fn::Sub: ...}). arg is the function's argument without the tag.
func intrinsic(n *yaml.Node) (fn string, arg *yaml.Node, ok bool) {
	if n == nil {
		return "", nil, false
	}
	if tag := n.Tag; strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") {
		name := tag[1:]
		if name != "Ref" && name != "Condition" {
			name = "Fn::" + name
		}
		untagged := *n
		untagged.Tag = ""
		untagged.Style &^= yaml.TaggedStyle
		return name, &untagged, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		key := n.Content[0].Value
		if key == "Ref" || strings.HasPrefix(key, "Fn::") {
			return key, n.Content[1], true
		}
	}
	return "", nil, false
}

// referencedID is the logical id named by !Ref X or !GetAtt X.Attr, or "".
func referencedID(n *yaml.Node) string {
	fn, arg, ok := intrinsic(n)
	if !ok {
		return ""
	}
	switch fn {
	case "Ref":
		return scalar(arg)
	case "Fn::GetAtt":
		if parts := items(arg); len(parts) == 2 {
			return scalar(parts[0])
		}
		id, _, _ := strings.Cut(scalar(arg), ".")
		return id
	}
	return ""
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "node"
}
