// Package samtemplate reads the parts of Roster's SAM template (template.yaml) that the local
// stack needs: the functions with their routes and environment, the HTTP API's JWT authorizer
// and throttles, and the raw properties of the table, user pool and app client, so that local
// provisioning follows the template instead of a hand-made copy of it.
//
// CloudFormation short tags (!Ref, !Sub, !GetAtt, ...) stay in the yaml.Node tree; Resolve turns
// an expression into a string given local values for the logical ids it refers to.
package samtemplate

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Resource types the local stack looks for.
const (
	typeFunction       = "AWS::Serverless::Function"
	typeHTTPAPI        = "AWS::Serverless::HttpApi"
	typeTable          = "AWS::DynamoDB::Table"
	typeUserPool       = "AWS::Cognito::UserPool"
	typeUserPoolClient = "AWS::Cognito::UserPoolClient"
	typeQueue          = "AWS::SQS::Queue"
)

// Template is the local stack's view of template.yaml.
type Template struct {
	Path       string
	Parameters map[string]Parameter
	Conditions map[string]*yaml.Node // by name, for Fn::If
	Resources  map[string]Resource   // every resource, by logical id
	Functions  []Function            // sorted by logical id

	// The one resource of each type Roster has.
	Table, UserPool, UserPoolClient, HTTPAPI Resource
	// Queues are the AWS::SQS::Queue resources, sorted by logical id.
	Queues []Resource

	// JWT is the HTTP API's default authorizer.
	JWT JWTAuthorizer
	// AccessLogFormat is the HTTP API's AccessLogSettings.Format, "" when it has none.
	AccessLogFormat string
}

// Parameter is a template parameter; Default is empty when HasDefault is false.
type Parameter struct {
	Type       string
	Default    string
	HasDefault bool
}

// Resource is one entry of Resources. Properties is the raw node, intrinsic tags included.
type Resource struct {
	LogicalID  string
	Type       string
	Properties *yaml.Node
	Metadata   *yaml.Node
}

// Function is an AWS::Serverless::Function with its Globals applied.
type Function struct {
	LogicalID   string
	Dir         string           // "functions/<kebab-case logical id without the Function suffix>"
	Env         map[string]Value // Globals.Function.Environment, overridden by the function's own
	Routes      []Route          // from Events of type HttpApi
	Triggers    []string         // Cognito triggers that call it, e.g. "PostAuthentication"
	Policies    *yaml.Node       // nil when the function declares none
	BuildMethod string           // Metadata.BuildMethod: "makefile" for sam build's make-based build
	// StreamEvents are its events of Type DynamoDB, sorted by name: event source mappings.
	StreamEvents []StreamEvent
	// HasRole is true when it names its own Role: SAM then adds no policy for its events.
	HasRole bool
	// CodeURI is the function's CodeUri (its own, else Globals'): its source folder as
	// the template names it, which must be Dir.
	CodeURI string
	// ContextPath and ProjectRootDirectory (Metadata) tell sam build where the Makefile
	// is and where to run it: the repository root, for every function.
	ContextPath, ProjectRoot string
	Timeout                  time.Duration
	MemorySize               int
	// LoggingConfig, the function's keys over Globals': LogFormat ("JSON", "Text" or "") and
	// LogGroup (an expression, most often a Ref to an AWS::Logs::LogGroup; none when unset).
	LogFormat string
	LogGroup  Value
}

// Route is one HttpApi event of a function.
type Route struct {
	Method string // upper case, or "ANY"
	Path   string
	Public bool     // Auth: {Authorizer: NONE}, or the API has no authorizer
	Scopes []string // AuthorizationScopes
}

// JWTAuthorizer is a JWT authorizer of an HttpApi: Issuer and Audience are expressions that
// Resolve turns into strings once the user pool and client exist.
type JWTAuthorizer struct {
	Name     string
	Issuer   Value
	Audience []Value
}

// Value is a template expression: a literal scalar or an intrinsic function.
type Value struct{ node *yaml.Node }

// String shows the expression as written, for messages.
func (v Value) String() string {
	if v.node == nil {
		return "<none>"
	}
	if v.node.Tag != "" && strings.HasPrefix(v.node.Tag, "!") && !strings.HasPrefix(v.node.Tag, "!!") {
		return v.node.Tag + " " + v.node.Value
	}
	return v.node.Value
}

// Load reads and checks a template.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t.Path = path
	return t, nil
}

// Parse reads a template from memory.
func Parse(data []byte) (*Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("not a YAML mapping")
	}
	root := doc.Content[0]
	t := &Template{Parameters: map[string]Parameter{}, Conditions: map[string]*yaml.Node{}, Resources: map[string]Resource{}}
	for name, c := range pairs(get(root, "Conditions")) {
		t.Conditions[name] = c
	}

	if params := get(root, "Parameters"); params != nil {
		for name, p := range pairs(params) {
			param := Parameter{Type: scalar(get(p, "Type"))}
			if d := get(p, "Default"); d != nil {
				param.Default, param.HasDefault = d.Value, true
			}
			t.Parameters[name] = param
		}
	}
	resources := get(root, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		return nil, errors.New("no Resources")
	}
	for id, r := range pairs(resources) {
		res := Resource{LogicalID: id, Type: scalar(get(r, "Type")), Properties: get(r, "Properties"), Metadata: get(r, "Metadata")}
		t.Resources[id] = res
		if res.Type == typeQueue {
			t.Queues = append(t.Queues, res)
		}
	}
	sort.Slice(t.Queues, func(i, j int) bool { return t.Queues[i].LogicalID < t.Queues[j].LogicalID })
	for _, want := range []struct {
		typ string
		dst *Resource
	}{{typeTable, &t.Table}, {typeUserPool, &t.UserPool}, {typeUserPoolClient, &t.UserPoolClient}} {
		r, err := t.only(want.typ)
		if err != nil {
			return nil, err
		}
		*want.dst = r
	}
	api, err := t.only(typeHTTPAPI)
	if err != nil {
		return nil, err
	}
	t.HTTPAPI = api
	t.AccessLogFormat = scalar(get(get(api.Properties, "AccessLogSettings"), "Format"))
	if t.JWT, err = jwtAuthorizer(api); err != nil {
		return nil, err
	}
	if err := t.readFunctions(get(get(root, "Globals"), "Function"), api); err != nil {
		return nil, err
	}
	return t, nil
}

// only returns the single resource of a type: the local stack models one of each.
func (t *Template) only(typ string) (Resource, error) {
	var found []Resource
	for _, r := range t.Resources {
		if r.Type == typ {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		return Resource{}, fmt.Errorf("want exactly one %s resource, found %d", typ, len(found))
	}
	return found[0], nil
}

func jwtAuthorizer(api Resource) (JWTAuthorizer, error) {
	auth := get(api.Properties, "Auth")
	name := scalar(get(auth, "DefaultAuthorizer"))
	if name == "" {
		return JWTAuthorizer{}, fmt.Errorf("%s: no Auth.DefaultAuthorizer", api.LogicalID)
	}
	cfg := get(get(get(auth, "Authorizers"), name), "JwtConfiguration")
	if cfg == nil {
		return JWTAuthorizer{}, fmt.Errorf("%s: authorizer %s has no JwtConfiguration", api.LogicalID, name)
	}
	a := JWTAuthorizer{Name: name, Issuer: Value{getFold(cfg, "issuer")}}
	if a.Issuer.node == nil {
		return JWTAuthorizer{}, fmt.Errorf("%s: authorizer %s has no issuer", api.LogicalID, name)
	}
	aud := getFold(cfg, "audience")
	if aud == nil || aud.Kind != yaml.SequenceNode || len(aud.Content) == 0 {
		return JWTAuthorizer{}, fmt.Errorf("%s: authorizer %s has no audience list", api.LogicalID, name)
	}
	for _, n := range aud.Content {
		a.Audience = append(a.Audience, Value{n})
	}
	return a, nil
}

func (t *Template) readFunctions(globals *yaml.Node, api Resource) error {
	triggers := t.cognitoTriggers()
	for id, r := range t.Resources {
		if r.Type != typeFunction {
			continue
		}
		fn := Function{
			LogicalID:   id,
			Dir:         FunctionDir(id),
			Env:         map[string]Value{},
			Policies:    get(r.Properties, "Policies"),
			HasRole:     get(r.Properties, "Role") != nil,
			Triggers:    triggers[id],
			BuildMethod: scalar(get(r.Metadata, "BuildMethod")),
			ContextPath: scalar(get(r.Metadata, "ContextPath")),
			ProjectRoot: scalar(get(r.Metadata, "ProjectRootDirectory")),
		}
		for _, props := range []*yaml.Node{globals, r.Properties} {
			if n := get(props, "CodeUri"); n != nil {
				fn.CodeURI = strings.TrimSuffix(n.Value, "/")
			}
			for name, v := range pairs(get(get(props, "Environment"), "Variables")) {
				fn.Env[name] = Value{v}
			}
			if n := get(get(props, "LoggingConfig"), "LogFormat"); n != nil {
				fn.LogFormat = n.Value
			}
			if n := get(get(props, "LoggingConfig"), "LogGroup"); n != nil {
				fn.LogGroup = Value{n}
			}
			if n := get(props, "Timeout"); n != nil {
				s, err := strconv.Atoi(n.Value)
				if err != nil {
					return fmt.Errorf("%s: Timeout %q: %w", id, n.Value, err)
				}
				fn.Timeout = time.Duration(s) * time.Second
			}
			if n := get(props, "MemorySize"); n != nil {
				m, err := strconv.Atoi(n.Value)
				if err != nil {
					return fmt.Errorf("%s: MemorySize %q: %w", id, n.Value, err)
				}
				fn.MemorySize = m
			}
		}
		for name, ev := range pairs(get(r.Properties, "Events")) {
			switch typ := scalar(get(ev, "Type")); typ {
			case "HttpApi":
				rt, err := route(get(ev, "Properties"), api)
				if err != nil {
					return fmt.Errorf("%s: event %s: %w", id, name, err)
				}
				fn.Routes = append(fn.Routes, rt)
			case "Cognito":
				if tr := scalar(get(get(ev, "Properties"), "Trigger")); tr != "" {
					fn.Triggers = append(fn.Triggers, tr)
				}
			case "DynamoDB":
				se, err := streamEvent(name, get(ev, "Properties"))
				if err != nil {
					return fmt.Errorf("%s: event %s: %w", id, name, err)
				}
				fn.StreamEvents = append(fn.StreamEvents, se)
			default:
				return fmt.Errorf("%s: event %s: type %q is not run by the local stack", id, name, typ)
			}
		}
		sort.Slice(fn.Routes, func(i, j int) bool {
			a, b := fn.Routes[i], fn.Routes[j]
			return a.Path < b.Path || a.Path == b.Path && a.Method < b.Method
		})
		sort.Strings(fn.Triggers)
		sort.Slice(fn.StreamEvents, func(i, j int) bool { return fn.StreamEvents[i].Name < fn.StreamEvents[j].Name })
		t.Functions = append(t.Functions, fn)
	}
	sort.Slice(t.Functions, func(i, j int) bool { return t.Functions[i].LogicalID < t.Functions[j].LogicalID })
	return nil
}

// cognitoTriggers maps function logical ids to the user pool triggers (LambdaConfig) naming them,
// by !GetAtt or by an ARN built from the function's FunctionName (which a template uses when
// the function's environment refers to the pool, so that the two do not wait for each other).
func (t *Template) cognitoTriggers() map[string][]string {
	out := map[string][]string{}
	for trigger, v := range pairs(get(t.UserPool.Properties, "LambdaConfig")) {
		id := referencedID(v)
		if id == "" {
			id = t.functionByARN(v)
		}
		if id != "" {
			out[id] = append(out[id], trigger)
		}
	}
	return out
}

// functionByARN is the function whose FunctionName ends the ARN expression n, or "".
func (t *Template) functionByARN(n *yaml.Node) string {
	arn := subText(n)
	for id, r := range t.Resources {
		name := subText(get(r.Properties, "FunctionName"))
		if r.Type == typeFunction && name != "" && strings.HasSuffix(arn, ":function:"+name) {
			return id
		}
	}
	return ""
}

// subText is the text of a plain string or of a one-argument !Sub, unresolved.
func subText(n *yaml.Node) string {
	if fn, arg, ok := intrinsic(n); ok {
		if fn != "Fn::Sub" || arg.Kind != yaml.ScalarNode {
			return ""
		}
		return arg.Value
	}
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func route(props *yaml.Node, api Resource) (Route, error) {
	rt := Route{Method: strings.ToUpper(scalar(get(props, "Method"))), Path: scalar(get(props, "Path"))}
	if rt.Method == "" || rt.Path == "" {
		return Route{}, errors.New("HttpApi event needs Method and Path")
	}
	if id := referencedID(get(props, "ApiId")); id != api.LogicalID {
		return Route{}, fmt.Errorf("ApiId must be !Ref %s (the one HttpApi)", api.LogicalID)
	}
	auth := get(props, "Auth")
	switch a := scalar(get(auth, "Authorizer")); a {
	case "NONE":
		rt.Public = true
	case "", scalar(get(get(api.Properties, "Auth"), "DefaultAuthorizer")):
		// The API's default authorizer: the only one the local gateway checks.
	default:
		return Route{}, fmt.Errorf("authorizer %q is not the API's default authorizer", a)
	}
	for _, s := range items(get(auth, "AuthorizationScopes")) {
		rt.Scopes = append(rt.Scopes, s.Value)
	}
	return rt, nil
}

// FunctionDir maps a function's logical id to its folder: LoginFunction -> functions/login,
// GetMeFunction -> functions/get-me. The Makefile's build-%Function rule does the same.
func FunctionDir(logicalID string) string {
	return "functions/" + kebab(strings.TrimSuffix(logicalID, "Function"))
}

var (
	acronymBoundary = regexp.MustCompile(`([A-Z]+)([A-Z][a-z])`)
	wordBoundary    = regexp.MustCompile(`([a-z0-9])([A-Z])`)
)

func kebab(s string) string {
	s = acronymBoundary.ReplaceAllString(s, "$1-$2")
	s = wordBoundary.ReplaceAllString(s, "$1-$2")
	return strings.ToLower(s)
}

// --- YAML helpers: each accepts nil, so lookups chain through missing keys -----------------

type node = yaml.Node

// get returns the value under key in a mapping, or nil.
func get(n *node, key string) *node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// getFold is get ignoring case: SAM spells JwtConfiguration's keys "issuer" and "audience",
// CloudFormation's AWS::ApiGatewayV2::Authorizer spells them "Issuer" and "Audience".
func getFold(n *node, key string) *node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if strings.EqualFold(n.Content[i].Value, key) {
			return n.Content[i+1]
		}
	}
	return nil
}

// pairs iterates a mapping's entries in document order.
func pairs(n *node) func(yield func(string, *node) bool) {
	return func(yield func(string, *node) bool) {
		if n == nil || n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !yield(n.Content[i].Value, n.Content[i+1]) {
				return
			}
		}
	}
}

func scalar(n *node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// items returns a sequence's elements, or nil.
func items(n *node) []*node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}
