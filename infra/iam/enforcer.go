package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Refusal is a call the enforcer refused.
type Refusal struct {
	Principal string // the access key id: a function's logical id
	Action    string
	Resource  string // the first of the call's resources
	Decision  Decision
}

// Enforcer holds every principal's policy and checks the requests its proxies forward. Each
// function signs with an access key id that is its logical id; the stack's own key (Unchecked)
// is let through, and any other key is refused as AWS refuses an unknown one.
type Enforcer struct {
	scope     Scope
	unchecked string
	// OnRefusal, when set, is called for every refused call (the benchmark's policy report).
	OnRefusal func(Refusal)

	mu       sync.RWMutex
	policies map[string]Policy
	used     map[string]map[string]int // principal -> "action on resource" -> allowed calls
}

// NewEnforcer checks requests against policies (by principal) in scope's account. Requests
// signed with the unchecked key id are not checked.
func NewEnforcer(scope Scope, unchecked string, policies map[string]Policy) *Enforcer {
	return &Enforcer{scope: scope, unchecked: unchecked, policies: maps.Clone(policies), used: map[string]map[string]int{}}
}

// Policy returns a principal's policy.
func (e *Enforcer) Policy(principal string) (Policy, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	p, ok := e.policies[principal]
	return p, ok
}

// SetPolicy replaces a principal's policy from the next request on: tests take a permission away
// with it and give it back.
func (e *Enforcer) SetPolicy(principal string, p Policy) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.policies[principal] = p
}

// Check returns the first call that principal may not make, or nil when it may make them all.
func (e *Enforcer) Check(principal string, calls []Call) *Refusal {
	if principal == e.unchecked {
		return nil
	}
	p, known := e.Policy(principal)
	for _, c := range calls {
		d := ImplicitDeny
		for _, r := range c.Resources {
			if !known || strings.HasPrefix(c.Action, unreadable) {
				break
			}
			// Any one of the call's resources will do (see Call); an explicit deny on any wins.
			switch p.Decide(c.Action, r) {
			case ExplicitDeny:
				d = ExplicitDeny
			case Allowed:
				if d != ExplicitDeny {
					d = Allowed
				}
			}
		}
		if d != Allowed {
			return &Refusal{Principal: principal, Action: c.Action, Resource: c.Resources[0], Decision: d}
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range calls {
		if e.used[principal] == nil {
			e.used[principal] = map[string]int{}
		}
		e.used[principal][c.Action+" on "+strings.Join(c.Resources, " or ")]++
	}
	return nil
}

// Used returns, by principal, the calls it was allowed to make ("action on resource") and how
// many times: what a policy needs, for comparing with what it grants.
func (e *Enforcer) Used() map[string]map[string]int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make(map[string]map[string]int, len(e.used))
	for p, calls := range e.used {
		out[p] = maps.Clone(calls)
	}
	return out
}

// Proxy forwards requests for service to target, refusing those the caller's policy does not
// allow with the error AWS answers.
func (e *Enforcer) Proxy(service, target string) (http.Handler, error) {
	to, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(to)
	rp.Transport = &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second, DisableCompression: true}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "reading the request: "+err.Error(), http.StatusBadGateway)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		principal, region := signer(r.Header.Get("Authorization"))
		scope := e.scope
		if region != "" {
			scope.Region = region
		}
		calls := Calls(service, r, body, scope)
		switch _, known := e.Policy(principal); {
		case principal == "" && len(calls) > 0:
			writeError(w, service, "MissingAuthenticationTokenException", "Request is missing Authentication Token", http.StatusBadRequest)
			return
		case principal != "" && principal != e.unchecked && !known:
			writeError(w, service, "UnrecognizedClientException", "The security token included in the request is invalid.", http.StatusBadRequest)
			return
		}
		if refusal := e.Check(principal, calls); refusal != nil {
			if e.OnRefusal != nil {
				e.OnRefusal(*refusal)
			}
			writeError(w, service, "AccessDeniedException", e.Message(*refusal), http.StatusBadRequest)
			return
		}
		rp.ServeHTTP(w, r)
	}), nil
}

// Message is AWS's wording for a refusal, which names the action and the resource, so that
// the function's error log says what its policy lacks.
func (e *Enforcer) Message(r Refusal) string {
	because := "because no identity-based policy allows the " + r.Action + " action"
	if r.Decision == ExplicitDeny {
		because = "with an explicit deny in an identity-based policy"
	}
	return fmt.Sprintf("User: arn:%s:sts::%s:assumed-role/%sRole/%s is not authorized to perform: %s on resource: %s %s",
		e.scope.Partition, e.scope.AccountID, r.Principal, r.Principal, r.Action, r.Resource, because)
}

// signer reads the access key id and region from a SigV4 Authorization header:
// "AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/dynamodb/aws4_request, ...". The
// signature is not checked: the key id names the caller.
func signer(auth string) (keyID, region string) {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return "", ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) < 3 {
		return parts[0], ""
	}
	return parts[0], parts[2]
}

// writeError answers as each service's protocol does, so that the SDK decodes the error kind:
// DynamoDB and Cognito speak JSON 1.0/1.1 with __type (400); SES v2 is REST JSON with the kind
// in x-amzn-ErrorType, and answers AccessDeniedException with 403.
func writeError(w http.ResponseWriter, service, kind, message string, status int) {
	h := w.Header()
	h.Set("x-amzn-RequestId", strconv.FormatInt(time.Now().UnixNano(), 36))
	var body map[string]string
	switch service {
	case DynamoDB:
		h.Set("Content-Type", "application/x-amz-json-1.0")
		body = map[string]string{"__type": "com.amazon.coral.service#" + kind, "Message": message}
	case Cognito:
		h.Set("Content-Type", "application/x-amz-json-1.1")
		body = map[string]string{"__type": kind, "message": message}
	default:
		h.Set("Content-Type", "application/json")
		h.Set("x-amzn-ErrorType", kind)
		body = map[string]string{"message": message}
		if kind == "AccessDeniedException" {
			status = http.StatusForbidden
		}
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
