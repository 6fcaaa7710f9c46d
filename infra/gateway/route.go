package gateway

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// segment kinds, ordered by how specific a match is: API Gateway prefers a
// literal over a path variable, and a path variable over a greedy one.
const (
	segGreedy = iota
	segParam
	segLiteral
)

type segment struct {
	kind  int
	value string // literal text, or the variable's name
}

type route struct {
	Route
	fn       *pool
	key      string // the routeKey, e.g. "GET /v1/users/{id}" or "$default"
	method   string // upper case, "ANY" for every method
	segments []segment
	fallback bool    // the $default route
	bucket   *bucket // its throttle; nil for none
}

type router struct {
	routes []*route
}

func newRouter(pools map[string]*pool, fns []Function) (*router, error) {
	rt := &router{}
	keys := map[string]string{}
	for _, fn := range fns {
		for _, r := range fn.Routes {
			parsed, err := parseRoute(r)
			if err != nil {
				return nil, fmt.Errorf("function %s: %w", fn.Name, err)
			}
			if other, ok := keys[parsed.key]; ok {
				return nil, fmt.Errorf("route %q: defined by both %s and %s", parsed.key, other, fn.Name)
			}
			keys[parsed.key] = fn.Name
			parsed.fn = pools[fn.Name]
			rt.routes = append(rt.routes, parsed)
		}
	}
	return rt, nil
}

func parseRoute(r Route) (*route, error) {
	if r.Path == "$default" {
		return &route{Route: r, key: "$default", method: "ANY", fallback: true}, nil
	}
	method := strings.ToUpper(r.Method)
	if method == "" || method == "*" {
		method = "ANY" // SAM's spelling of every method is "any" or "*"
	}
	if !strings.HasPrefix(r.Path, "/") {
		return nil, fmt.Errorf("route %s %q: path must start with /", method, r.Path)
	}
	parsed := &route{Route: r, key: method + " " + r.Path, method: method}
	if r.Path == "/" {
		return parsed, nil
	}
	names := map[string]bool{}
	parts := strings.Split(r.Path[1:], "/")
	for i, part := range parts {
		name, isVar := strings.CutPrefix(part, "{")
		if !isVar {
			if strings.ContainsAny(part, "{}") {
				return nil, fmt.Errorf("route %s: segment %q mixes text and a variable", parsed.key, part)
			}
			parsed.segments = append(parsed.segments, segment{kind: segLiteral, value: part})
			continue
		}
		name, ok := strings.CutSuffix(name, "}")
		if !ok || name == "" {
			return nil, fmt.Errorf("route %s: bad path variable %q", parsed.key, part)
		}
		kind := segParam
		if greedy, ok := strings.CutSuffix(name, "+"); ok {
			if i != len(parts)-1 {
				return nil, fmt.Errorf("route %s: a greedy variable must end the path", parsed.key)
			}
			kind, name = segGreedy, greedy
		}
		if names[name] {
			return nil, fmt.Errorf("route %s: variable %q used twice", parsed.key, name)
		}
		names[name] = true
		parsed.segments = append(parsed.segments, segment{kind: kind, value: name})
	}
	return parsed, nil
}

// match finds the most specific route for a request, as API Gateway does:
// literal segments beat variables, variables beat a greedy variable (compared
// from the left), a named method beats ANY, and $default catches the rest.
// escapedPath is the request path as sent; parameters come back decoded.
func (rt *router) match(method, escapedPath string) (*route, map[string]string) {
	reqSegs := splitPath(escapedPath)
	var (
		best       *route
		bestScore  []int
		bestParams map[string]string
		fallback   *route
	)
	for _, r := range rt.routes {
		if r.fallback {
			fallback = r
			continue
		}
		if r.method != "ANY" && r.method != method {
			continue
		}
		params, ok := r.matchPath(reqSegs)
		if !ok {
			continue
		}
		score := r.score()
		if best == nil || slices.Compare(score, bestScore) > 0 {
			best, bestScore, bestParams = r, score, params
		}
	}
	if best != nil {
		return best, bestParams
	}
	return fallback, nil
}

// score ranks routes that match the same path: per segment kind from the
// left, then a named method over ANY. Longer literal paths win ties.
func (r *route) score() []int {
	score := make([]int, 0, len(r.segments)+1)
	for _, s := range r.segments {
		score = append(score, s.kind)
	}
	methodRank := 1
	if r.method == "ANY" {
		methodRank = 0
	}
	return append(score, methodRank)
}

func (r *route) matchPath(reqSegs []string) (map[string]string, bool) {
	var params map[string]string
	set := func(name, value string) {
		if params == nil {
			params = map[string]string{}
		}
		params[name] = value
	}
	for i, s := range r.segments {
		if s.kind == segGreedy {
			rest := reqSegs[i:]
			if len(rest) == 0 || (len(rest) == 1 && rest[0] == "") {
				return nil, false // a greedy variable catches one segment or more
			}
			set(s.value, unescape(strings.Join(rest, "/")))
			return params, true
		}
		if i >= len(reqSegs) {
			return nil, false
		}
		value := unescape(reqSegs[i])
		switch s.kind {
		case segLiteral:
			if value != s.value {
				return nil, false
			}
		case segParam:
			if value == "" {
				return nil, false
			}
			set(s.value, value)
		}
	}
	if len(reqSegs) != len(r.segments) {
		return nil, false
	}
	return params, true
}

// splitPath splits an escaped path into its still-escaped segments, so that
// an encoded "/" (%2F) stays inside its segment.
func splitPath(escapedPath string) []string {
	if escapedPath == "" || escapedPath == "/" {
		return nil
	}
	return strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
}

func unescape(s string) string {
	if v, err := url.PathUnescape(s); err == nil {
		return v
	}
	return s
}
