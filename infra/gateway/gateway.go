// Package gateway is a local stand-in for API Gateway HTTP API and the Lambda service:
// it runs each function's real bootstrap through the Lambda runtime API, with instances
// that behave as Lambda's execution environments, checks JWTs and throttles routes as
// the HTTP API does, and serves Lambda's Invoke API (infra/EMULATORS.md, "The local
// gateway"). Unix only: each instance leads a process group, which a crash ends whole.
package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sync"
	"time"
)

// Gateway serves the HTTP API of a set of functions. Create it with New;
// it starts no process until a function is first invoked.
type Gateway struct {
	cfg    Config
	pools  map[string]*pool
	router *router
	auth   *authorizer // nil when no JWT is configured
	access *accessLog  // nil when there is no access log

	closeOnce sync.Once
}

// New checks the configuration and returns a gateway that has started
// nothing yet.
func New(cfg Config) (*Gateway, error) {
	c := cfg.withDefaults()
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	g := &Gateway{cfg: c, pools: make(map[string]*pool, len(c.Functions))}
	for _, fn := range c.Functions {
		g.pools[fn.Name] = newPool(g, fn)
	}
	rt, err := newRouter(g.pools, c.Functions)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	if err := rt.attachThrottles(c.Throttles, c.now()); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	g.router = rt
	if g.access, err = newAccessLog(c.AccessLogFormat, c.AccessLog); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	if c.JWT.JWKSURL != "" {
		g.auth = newAuthorizer(c.JWT)
	}
	return g, nil
}

// Stats returns a function's counters; false for an unknown function.
func (g *Gateway) Stats(function string) (FunctionStats, bool) {
	p, ok := g.pools[function]
	if !ok {
		return FunctionStats{}, false
	}
	return p.snapshot(), true
}

// Function returns the named function as the gateway runs it, its environment
// included; false for an unknown function.
func (g *Gateway) Function(name string) (Function, bool) {
	p, ok := g.pools[name]
	if !ok {
		return Function{}, false
	}
	fn := p.fn
	fn.Env = maps.Clone(fn.Env)
	return fn, true
}

// JWT returns the HTTP API's JWT authorizer, for a gateway that must accept the same
// tokens.
func (g *Gateway) JWT() JWTConfig { return g.cfg.JWT }

// Pids returns the process ids of a function's live instances (each also its
// process group's id): fault tests kill one mid-invocation, as Lambda's host
// might. Nil for an unknown function.
func (g *Gateway) Pids(function string) []int {
	p, ok := g.pools[function]
	if !ok {
		return nil
	}
	return p.pids()
}

// Retire stops a function's idle instances and returns once they are gone, so
// that its next invocation starts cold: benchmarks measure cold starts with it.
// Busy instances are left alone. It reports false for an unknown function.
func (g *Gateway) Retire(function string) bool {
	p, ok := g.pools[function]
	if ok {
		p.retire()
	}
	return ok
}

// Close stops every process the gateway started (SIGTERM to each process
// group, SIGKILL after Config.ShutdownGrace) and returns once all are gone.
// Invocations still waiting fail with ErrClosed.
func (g *Gateway) Close() error {
	g.closeOnce.Do(func() {
		var wg sync.WaitGroup
		for _, p := range g.pools {
			wg.Go(p.close)
		}
		wg.Wait()
	})
	return nil
}

// ServeHTTP is the HTTP API, plus Lambda's Invoke REST path.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isInvokePath(r) {
		g.serveInvoke(w, r)
		return
	}
	start := time.Now()
	requestID := newAPIRequestID()
	// Lower case, as API Gateway sends it.
	w.Header()["apigw-requestid"] = []string{requestID}
	acc := accessEntry{requestID: requestID, received: start, method: r.Method, protocol: r.Proto,
		sourceIP: peerIP(r.RemoteAddr), userAgent: r.UserAgent()}
	status, routeKey := g.serveAPI(w, r, requestID, start, &acc)
	acc.status, acc.routeKey, acc.responseLatency = status, routeKey, time.Since(start)
	g.access.write(acc)
	g.cfg.Logger.Info("api request", "method", r.Method, "path", r.URL.Path, "route", routeKey,
		"status", status, "duration", acc.responseLatency, "requestId", requestID)
}

// serveAPI routes, authorizes and invokes; it returns the status written, and notes the
// function's latency in acc.
func (g *Gateway) serveAPI(w http.ResponseWriter, r *http.Request, requestID string, received time.Time, acc *accessEntry) (int, string) {
	rt, params := g.router.match(r.Method, r.URL.EscapedPath())
	if rt == nil {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return http.StatusNotFound, ""
	}
	// Before the authorizer, so that a flood of bad tokens is throttled like any other.
	if rt.bucket != nil && !rt.bucket.take(g.cfg.now()) {
		writeMessage(w, http.StatusTooManyRequests, "Too Many Requests")
		return http.StatusTooManyRequests, rt.key
	}
	if r.ContentLength > maxRequestBody {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return http.StatusRequestEntityTooLarge, rt.key
	}

	req := apiRequest{r: r, route: rt, params: params, requestID: requestID, traceID: newTraceID(), received: received}
	if !rt.Public {
		desc, err := g.auth.authorize(r.Context(), r.Header.Get("Authorization"), rt.Scopes)
		var refused *authError
		switch {
		case errors.As(err, &refused):
			w.Header()["www-authenticate"] = []string{refused.challenge()}
			writeMessage(w, refused.status, refused.message())
			return refused.status, rt.key
		case err != nil:
			g.cfg.Logger.Error("jwt authorizer: cannot get the signing keys", "error", err, "requestId", requestID)
			writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
			return http.StatusInternalServerError, rt.key
		}
		req.authorizer = desc
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return http.StatusRequestEntityTooLarge, rt.key
	case err != nil:
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return http.StatusBadRequest, rt.key
	}
	req.body = body

	payload, err := json.Marshal(g.event(req))
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return http.StatusInternalServerError, rt.key
	}
	if len(payload) > maxInvokeBody {
		// The body fits the HTTP API but the event does not fit Lambda's
		// 6 MB request quota (base64 grows it by a third).
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return http.StatusRequestEntityTooLarge, rt.key
	}
	timer := time.NewTimer(g.cfg.IntegrationTimeout)
	defer timer.Stop()
	invoked := time.Now()
	acc.integrated = true
	defer func() { acc.integrationLatency = time.Since(invoked) }()
	var o outcome
	select {
	case o = <-rt.fn.invoke(payload, req.traceID):
	case <-timer.C:
		// The function keeps running, as behind a real HTTP API.
		writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
		return http.StatusServiceUnavailable, rt.key
	case <-r.Context().Done():
		return 499, rt.key // client gone; nobody to answer
	}
	if o.err != nil {
		g.logFailure(rt.fn.fn.Name, requestID, o.err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return http.StatusInternalServerError, rt.key
	}
	status, err := writeFunctionResponse(w, o.payload)
	if err != nil {
		g.cfg.Logger.Error("function answered a malformed response", "function", rt.fn.fn.Name, "error", err, "requestId", requestID)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return http.StatusInternalServerError, rt.key
	}
	return status, rt.key
}

// logFailure logs what API Gateway's 500 hides. Errors the handler
// returned were already logged by the runtime itself; the ones the Lambda
// service detects (crash, timeout, init failure) have no other trace.
func (g *Gateway) logFailure(function, requestID string, err error) {
	var fe *FunctionError
	if errors.As(err, &fe) {
		switch fe.Type {
		case "Runtime.ExitError", "Sandbox.Timedout", "Runtime.InvalidEntrypoint", "Function.ResponseSizeTooLarge":
			g.cfg.Logger.Error("invocation failed", "function", function, "errorType", fe.Type, "errorMessage", fe.Message, "requestId", requestID)
		}
		return
	}
	g.cfg.Logger.Error("invocation failed", "function", function, "error", err, "requestId", requestID)
}

// report logs Lambda's REPORT line for an invocation.
func (g *Gateway) report(in *instance, inv *invocation, d time.Duration, first bool) {
	attrs := []any{"function", in.pool.fn.Name, "instance", in.id, "requestId", inv.id, "duration", d}
	if first {
		attrs = append(attrs, "initDuration", in.readyAt.Sub(in.started))
	}
	g.cfg.Logger.Debug("REPORT", attrs...)
}
