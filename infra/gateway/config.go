package gateway

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// Defaults mirror the AWS service limits and SAM defaults, so that a function
// that works here does not meet a different limit when deployed.
const (
	defaultTimeout            = 10 * time.Second
	defaultInitTimeout        = 10 * time.Second // Lambda's init phase limit
	defaultIntegrationTimeout = 30 * time.Second // HTTP API's integration limit
	defaultShutdownGrace      = 2 * time.Second
	defaultMemorySize         = 128
	defaultRegion             = "us-east-1"
	defaultAccountID          = "123456789012"
	defaultAPIID              = "localapi01"

	maxRequestBody  = 10 << 20 // HTTP API payload quota
	maxInvokeBody   = 6 << 20  // Lambda's synchronous request and response quota
	maxRuntimeReply = 6 << 20
)

// Route is one HTTP API route of a function, as written in template.yaml.
type Route struct {
	Method string // "GET", "POST", ... or "ANY"
	Path   string // API Gateway route path, e.g. "/v1/users/{id}", "/files/{proxy+}" or "$default"
	Public bool   // true: no authorizer (Auth: Authorizer: NONE)
	// Scopes are the route's AuthorizationScopes: when set, the token's
	// `scope` claim must hold at least one of them, else 403.
	Scopes []string
}

// Function is one Lambda function: a built `bootstrap` and how it is reached.
type Function struct {
	Name       string            // logical id from template.yaml, e.g. "LoginFunction"
	Binary     string            // path to an already-built executable (the function's `bootstrap`)
	Env        map[string]string // environment for the process (already resolved)
	Routes     []Route           // zero routes = invoke-only (bootstrap function, Cognito triggers)
	Timeout    time.Duration     // per invocation, default 10s
	MemorySize int               // MB, only reported to the function; default 128
	// LogFormat is LoggingConfig.LogFormat ("JSON" or "Text"), passed on as Lambda does in
	// AWS_LAMBDA_LOG_FORMAT (lambdacontext's slog handler writes JSON by it); "" passes none.
	LogFormat string
}

// JWTConfig is the HTTP API's JWT authorizer.
type JWTConfig struct {
	Issuer   string   // e.g. https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc
	Audience []string // app client ids: match `aud` (ID tokens) or `client_id` (access tokens)
	JWKSURL  string   // where to fetch the keys
}

// InstanceStats describes one cold start, for benchmarks.
type InstanceStats struct {
	Function     string
	Instance     int           // 1-based, per function
	InitDuration time.Duration // process start → first /next call
	// InitCPU is the time the process spent on a CPU until its first /next call
	// (every thread's), without the time it waited for one: unlike InitDuration it
	// does not grow with the machine's load. 0 where the system does not tell.
	InitCPU     time.Duration
	FirstInvoke time.Duration // first invocation handed over → its answer
}

// Config configures a Gateway. Only Functions is required; JWT is required
// when any route is not public.
type Config struct {
	Functions []Function
	JWT       JWTConfig
	Logger    *slog.Logger // function stdout/stderr lines go here, prefixed with the function name

	// AccessLogFormat is the HTTP API stage's AccessLogSettings.Format; when it and AccessLog
	// are set, each API request writes one line of it to AccessLog, the $context variables
	// replaced (see accesslog.go for those emulated).
	AccessLogFormat string
	AccessLog       io.Writer

	// OnColdStart, when set, is called once per instance after its first
	// invocation has been answered. It runs on the request path: keep it cheap.
	OnColdStart func(InstanceStats)

	Region             string        // AWS_REGION given to functions (unless their Env sets it) and used in ARNs; default us-east-1
	AccountID          string        // requestContext.accountId and ARNs; default 123456789012
	APIID              string        // requestContext.apiId; default "localapi01"
	InitTimeout        time.Duration // limit from process start to the first /next call; default 10s
	IntegrationTimeout time.Duration // HTTP API's wait for the function before answering 503; default 30s
	ShutdownGrace      time.Duration // SIGTERM → SIGKILL delay when stopping instances; default 2s

	// Throttles limit the HTTP API's routes, not Lambda's Invoke API; zero throttles nothing.
	Throttles Throttles

	now func() time.Time // the throttles' clock; time.Now unless a test sets it
}

func (c *Config) withDefaults() Config {
	out := *c
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	if out.Region == "" {
		out.Region = defaultRegion
	}
	if out.AccountID == "" {
		out.AccountID = defaultAccountID
	}
	if out.APIID == "" {
		out.APIID = defaultAPIID
	}
	if out.InitTimeout <= 0 {
		out.InitTimeout = defaultInitTimeout
	}
	if out.IntegrationTimeout <= 0 {
		out.IntegrationTimeout = defaultIntegrationTimeout
	}
	if out.ShutdownGrace <= 0 {
		out.ShutdownGrace = defaultShutdownGrace
	}
	if out.now == nil {
		out.now = time.Now
	}
	out.Functions = make([]Function, len(c.Functions))
	for i, fn := range c.Functions {
		if fn.Timeout <= 0 {
			fn.Timeout = defaultTimeout
		}
		if fn.MemorySize <= 0 {
			fn.MemorySize = defaultMemorySize
		}
		// The process runs in the binary's folder (LAMBDA_TASK_ROOT), where
		// a relative path would no longer resolve.
		if abs, err := filepath.Abs(fn.Binary); err == nil && fn.Binary != "" {
			fn.Binary = abs
		}
		out.Functions[i] = fn
	}
	return out
}

// validate catches template mistakes at startup rather than on the first
// request that happens to reach them.
func (c *Config) validate() error {
	var errs []error
	seen := map[string]bool{}
	needsJWT := false
	for _, fn := range c.Functions {
		switch {
		case fn.Name == "":
			errs = append(errs, errors.New("function with an empty name"))
			continue
		case seen[fn.Name]:
			errs = append(errs, fmt.Errorf("function %s: defined twice", fn.Name))
		}
		seen[fn.Name] = true
		if err := checkExecutable(fn.Binary); err != nil {
			errs = append(errs, fmt.Errorf("function %s: %w", fn.Name, err))
		}
		for _, rt := range fn.Routes {
			if !rt.Public {
				needsJWT = true
			}
		}
	}
	if needsJWT {
		if c.JWT.Issuer == "" || c.JWT.JWKSURL == "" || len(c.JWT.Audience) == 0 {
			errs = append(errs, errors.New("a route has the JWT authorizer but JWT.Issuer, JWT.Audience or JWT.JWKSURL is empty"))
		}
	}
	errs = append(errs, c.Throttles.validate())
	return errors.Join(errs...)
}

func checkExecutable(path string) error {
	if path == "" {
		return errors.New("no binary")
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("binary: %w", err)
	}
	if info.IsDir() || info.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("binary %s: not an executable file", path)
	}
	return nil
}
