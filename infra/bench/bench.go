// Package bench measures Roster on the local stack: cold starts next to a hello-world
// aws-lambda-go binary, binary sizes, the overhead of the gateway and the functions
// over the same DynamoDB and Cognito calls made directly, the calls and capacity of
// every operation, list pages at 1,000 and 100,000 users, and what each operation
// costs at AWS's on-demand prices. It prints figures; it never judges a time.
//
// Every function reaches DynamoDB Local and the Cognito emulator through a counting
// proxy (proxy.go), and so does the bench's direct client, so both pay the same hop.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/roster-dev/roster/infra/gateway"
	"github.com/roster-dev/roster/infra/samtemplate"
	"github.com/roster-dev/roster/infra/stack"
)

// Options configures a run.
type Options struct {
	Root        string // repository root
	StateDir    string // the stack's logs
	HelloBinary string // the hello-world bootstrap, built with the functions' flags
	FloorBinary string // the hello world plus the DynamoDB client every function builds (testdata/sdkfloor)
	// TraceFloorBinary is the SDK floor with internal/xray linked and wired
	// (testdata/sdkfloor, floor_tracing), started with tracing off and on.
	TraceFloorBinary string
	// ClientFloors are the SDK floor with one more SDK client linked and built (by
	// its service package's name, as "cognitoidentityprovider"): the floor of the
	// functions that link that client (testdata/sdkfloor's build tags).
	ClientFloors map[string]string
	TwinBinary   string // the twin function (testdata/twin); empty: no twin figures
	ColdStarts   int    // cold starts per function (median)
	Samples      int    // warm requests per operation (p50, p99)
	ScaleSizes   []int  // user counts for the scale table, ascending
	ScaleSamples int    // requests per list and size
	Progress     io.Writer
}

// Result is everything a run measured.
type Result struct {
	Started  time.Time
	Duration time.Duration
	Options  Options
	Cold     []ColdStart // every function, in the operations table's order
	Hello    ColdStart
	Floor    ColdStart // the SDK floor
	// TracingOff and TracingOn are the trace floor's cold starts without TRACING and
	// with it Active: what linking internal/xray costs every function, and what
	// turning it on adds.
	TracingOff, TracingOn ColdStart
	// ClientFloors are the cold starts of Options.ClientFloors, by service package.
	ClientFloors map[string]ColdStart
	// Clients are the SDK clients beyond DynamoDB's that each function links, by
	// logical id: its own floor is the SDK floor with those (the hello world for
	// a function that links no SDK client).
	Clients map[string]string
	// GatewayFloor is the hello world warm through a gateway over HTTP: what the local
	// gateway and the Lambda runtime API take for a request that does nothing (every
	// sample, interleaved with all the operations').
	GatewayFloor Dist
	Sizes        []Size
	Ops          []OpResult
	Scale        []ScaleRow
	Mix          MixCost
	Unlisted     []string // functions with no row in operations: cold start only
	Delivery     Delivery
}

// ColdStart is the median of a function's cold starts.
type ColdStart struct {
	Function    string
	N           int
	Init, First time.Duration
	// InitCPU is the init's time on a CPU (median): what a loaded machine does not
	// inflate, unlike Init, which also holds the waits for a CPU.
	InitCPU time.Duration
}

// OpResult is one operation warm: its calls and capacity, its latency through the
// gateway and, when it has a direct twin, the twin's.
type OpResult struct {
	Name, Function string
	Read           bool
	MemoryMB       int
	Tally          Tally
	Warm           Dist // through the gateway
	Own            Dist // the same requests less the time spent waiting on the emulators
	// Floor is the hello world through a gateway of its own, one request after each
	// of this operation's, so that it sees the same machine load: what the local
	// gateway and runtime API take of Warm, which AWS's API Gateway and Lambda would.
	Floor       Dist
	Direct      *Dist
	DirectTally *Tally
	// Twin is a read's Direct calls made by the twin function through a gateway of
	// its own (see twin.go), alternating with the others.
	Twin *Dist
	Cost Cost
	// PolicyGaps are the calls the stack's IAM proxies refused it: "action on resource",
	// each once.
	PolicyGaps []string
}

// Run starts a local stack and measures everything.
func Run(ctx context.Context, opts Options) (*Result, error) {
	res := &Result{Started: time.Now().UTC(), Options: opts}
	tmpl, err := samtemplate.Load(filepath.Join(opts.Root, "template.yaml"))
	if err != nil {
		return nil, err
	}

	ledger := NewLedger()
	for _, fn := range tmpl.Functions {
		if len(fn.StreamEvents) > 0 {
			ledger.Async(fn.LogicalID)
		}
	}
	proxies := map[string]*Proxy{}
	var proxyMu sync.Mutex
	defer func() {
		for _, p := range proxies {
			_ = p.Close()
		}
	}()
	colds := newColdLog()
	s, err := stack.Start(ctx, stack.Options{
		Root:     opts.Root,
		StateDir: opts.StateDir,
		Admin:    stack.Admin{LoginAccount: "admin", Username: "Admin", Email: "admin@roster.local"},
		Progress: opts.Progress,
		// Its requests follow each other far faster than the template's throttles allow (100 a
		// second per route, 20 on sign-in): it measures the functions, so the limits are lifted.
		Parameters: map[string]string{"ApiThrottleRateLimit": "1000000", "ApiThrottleBurstLimit": "1000000", "PublicRouteThrottleRateLimit": "1000000", "PublicRouteThrottleBurstLimit": "1000000"},
		ServiceURL: func(service, url string) (string, error) {
			proxyMu.Lock()
			defer proxyMu.Unlock()
			p, err := StartProxy(service, url, ledger)
			if err != nil {
				return "", err
			}
			proxies[service] = p
			return p.URL, nil
		},
		OnColdStart: colds.add,
		OnRefusal:   ledger.refused,
	})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	e, err := newEnv(ctx, s, proxies["dynamodb"].URL, proxies["cognito-idp"].URL)
	if err != nil {
		return nil, fmt.Errorf("bench set-up: %w", err)
	}

	if res.Clients, err = linkedClients(opts.Root, tmpl); err != nil {
		return nil, err
	}
	for fn, clients := range res.Clients {
		if _, ok := opts.ClientFloors[clients]; !ok && clients != "" && clients != noClients {
			return nil, fmt.Errorf("%s links the SDK clients %s, which no floor has: add one to testdata/sdkfloor", fn, clients)
		}
	}
	baselines := map[string]string{"hello world": opts.HelloBinary, "SDK floor": opts.FloorBinary, "SDK floor + tracing": opts.TraceFloorBinary}
	for service, binary := range opts.ClientFloors {
		baselines["SDK floor + "+service] = binary
	}
	res.Sizes, err = binarySizes(opts.Root, tmpl, baselines)
	if err != nil {
		return nil, err
	}
	floor, err := startGatewayFloor(ctx, opts.HelloBinary, e.HTTP)
	if err != nil {
		return nil, err
	}
	defer floor.close()
	r := &runner{opts: opts, tmpl: tmpl, env: e, ledger: ledger, colds: colds, floor: floor}
	defer func() {
		if r.twin != nil {
			r.twin.close()
		}
	}()
	memory := map[string]int{}
	for _, fn := range tmpl.Functions {
		memory[fn.LogicalID] = fn.MemorySize
	}
	var ops []Operation // the operations table's order, then functions without a row
	for _, op := range operations {
		if _, ok := memory[op.Function]; ok {
			ops = append(ops, op)
		}
	}
	for _, fn := range tmpl.Functions {
		if _, ok := opForFunction(fn.LogicalID); !ok {
			op, err := sampleEventOp(opts.Root, fn)
			if err != nil {
				return nil, err
			}
			res.Unlisted = append(res.Unlisted, fn.LogicalID)
			ops = append(ops, op)
		}
	}
	r.progress("cold starts: %d rounds of every function and the baselines", opts.ColdStarts)
	if res.Cold, err = r.coldStarts(ctx, ops, res); err != nil {
		return nil, err
	}
	for _, op := range ops {
		if op.Unlisted {
			continue
		}
		r.progress("warm: %s", op.Name)
		or, err := r.warm(ctx, op)
		if err != nil {
			return nil, err
		}
		or.MemoryMB = memory[op.Function]
		or.PolicyGaps = slices.Compact(slices.Sorted(slices.Values(or.Tally.Refused)))
		or.Cost = costOf(or)
		res.Ops = append(res.Ops, or)
	}
	res.GatewayFloor = distOf(floor.samples)
	res.Mix = mixCost(res.Ops)
	r.progress("delivery: %d code requests one after another, then %d at once", deliverySamples, deliveryBurst)
	if res.Delivery, err = r.delivery(ctx, s.SESEndpoint); err != nil {
		return nil, err
	}
	if res.Scale, err = r.scale(ctx); err != nil {
		return nil, err
	}
	res.Duration = time.Since(res.Started)
	return res, nil
}

// sampleEventOp stands in for a function that has no row in operations yet: its
// sample event (events/<op>.json), invoked directly, measures its cold start. Its
// answer is not checked and it gets no warm figures: add a row for those.
func sampleEventOp(root string, fn samtemplate.Function) (Operation, error) {
	event, err := os.ReadFile(filepath.Join(root, "events", filepath.Base(fn.Dir)+".json"))
	if err != nil {
		return Operation{}, fmt.Errorf("%s has no row in infra/bench/ops.go and no sample event: %w", fn.LogicalID, err)
	}
	return Operation{
		Name: "invoke " + fn.LogicalID + " (sample event)", Function: fn.LogicalID, Unlisted: true,
		Prepare: func(context.Context, *Env, int) (Request, error) {
			return Request{Invoke: event, AnyAnswer: true}, nil
		},
	}, nil
}

func opForFunction(fn string) (Operation, bool) {
	for _, op := range operations {
		if op.Function == fn {
			return op, true
		}
	}
	return Operation{}, false
}

type runner struct {
	opts   Options
	tmpl   *samtemplate.Template
	env    *Env
	ledger *Ledger
	colds  *coldLog
	floor  *gatewayFloor
	twin   *sideGateway // started by the first operation with direct calls
}

func (r *runner) progress(format string, args ...any) {
	if r.opts.Progress != nil {
		fmt.Fprintf(r.opts.Progress, "bench: "+format+"\n", args...)
	}
}

func (r *runner) prepare(ctx context.Context, op Operation, i int) (Request, error) {
	req, err := op.Prepare(ctx, r.env, i)
	if err != nil {
		return req, fmt.Errorf("%s: set-up: %w", op.Name, err)
	}
	req.Function = op.Function
	return req, nil
}

func (r *runner) do(ctx context.Context, op Operation, req Request) (time.Duration, error) {
	start := time.Now()
	if err := r.env.call(ctx, req, nil); err != nil {
		return 0, fmt.Errorf("%s: %w", op.Name, err)
	}
	return time.Since(start), nil
}

// timed sends one request and answers its latency, and the latency less the time
// the proxies spent waiting on the emulators: Roster's own time.
func (r *runner) timed(ctx context.Context, op Operation, req Request) (total, own time.Duration, err error) {
	r.ledger.Begin(sampleLabel)
	total, err = r.do(ctx, op, req)
	t := r.ledger.End(sampleLabel)
	return total, total - t.Upstream, err
}

const sampleLabel = "sample"

// coldStarts measures rounds of one cold start of every function and of the
// baselines, so that the load of a shared machine falls on all alike; it sets res's
// baselines and answers the functions'. Before each
// request the function's warm instances are retired, so the request starts a new
// process. The baselines run in a gateway of their own, invoked with an HTTP API
// event as Roster's functions are.
func (r *runner) coldStarts(ctx context.Context, ops []Operation, res *Result) ([]ColdStart, error) {
	baseLog := newColdLog()
	// With tracing on, the trace floor connects its socket to a daemon at this
	// address; nothing is sent there, as the gateway's invocations are not sampled.
	daemon, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer daemon.Close()
	baselines := []gateway.Function{
		{Name: "HelloWorld", Binary: r.opts.HelloBinary},
		{Name: "SDKFloor", Binary: r.opts.FloorBinary},
		{Name: "TracingOff", Binary: r.opts.TraceFloorBinary},
		{Name: "TracingOn", Binary: r.opts.TraceFloorBinary, Env: map[string]string{
			"TRACING": "Active", "AWS_XRAY_DAEMON_ADDRESS": daemon.LocalAddr().String()}},
	}
	services := slices.Sorted(maps.Keys(r.opts.ClientFloors))
	for _, service := range services {
		baselines = append(baselines, gateway.Function{Name: "SDKFloor-" + service, Binary: r.opts.ClientFloors[service]})
	}
	g, err := gateway.New(gateway.Config{Functions: baselines, OnColdStart: baseLog.add})
	if err != nil {
		return nil, err
	}
	defer g.Close()
	event, _ := json.Marshal(map[string]any{
		"version": "2.0", "routeKey": "GET /hello", "rawPath": "/hello",
		"requestContext": map[string]any{"http": map[string]string{"method": "GET", "path": "/hello"}},
	})

	// One series per function, then one per baseline.
	inits := make([][]time.Duration, len(ops)+len(baselines))
	firsts := make([][]time.Duration, len(ops)+len(baselines))
	cpus := make([][]time.Duration, len(ops)+len(baselines))
	record := func(j int, st gateway.InstanceStats) {
		inits[j], firsts[j] = append(inits[j], st.InitDuration), append(firsts[j], st.FirstInvoke)
		cpus[j] = append(cpus[j], st.InitCPU)
	}
	series := len(ops) + len(baselines)
	for i := range r.opts.ColdStarts {
		// Each round starts at another place in the order, so that whatever the
		// machine does at a round's start (and the previous cold start's process
		// does) falls on every function in turn, not always on the first.
		for k := range series {
			j := (k + i*series/r.opts.ColdStarts) % series
			if j >= len(ops) {
				name := baselines[j-len(ops)].Name
				g.Retire(name)
				settle()
				if _, err := g.Invoke(ctx, name, event); err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				st, ok := baseLog.take(name)
				if !ok {
					return nil, fmt.Errorf("%s did not start cold", name)
				}
				record(j, st)
				continue
			}
			op := ops[j]
			req, err := r.prepare(ctx, op, i)
			if err != nil {
				return nil, err
			}
			r.env.Gateway.Retire(op.Function)
			r.colds.take(op.Function) // set-up may have started one
			settle()
			if _, err := r.do(ctx, op, req); err != nil {
				return nil, err
			}
			st, ok := r.colds.take(op.Function)
			if !ok {
				return nil, fmt.Errorf("%s: the request did not start %s cold", op.Name, op.Function)
			}
			record(j, st)
		}
	}
	summary := func(j int, name string) ColdStart {
		return ColdStart{Function: name, N: len(inits[j]), Init: median(inits[j]), First: median(firsts[j]), InitCPU: median(cpus[j])}
	}
	out := make([]ColdStart, len(ops))
	for j, op := range ops {
		out[j] = summary(j, op.Function)
	}
	res.Hello, res.Floor = summary(len(ops), "hello world"), summary(len(ops)+1, "SDK floor")
	res.TracingOff, res.TracingOn = summary(len(ops)+2, "tracing off"), summary(len(ops)+3, "tracing on")
	res.ClientFloors = map[string]ColdStart{}
	for k, service := range services {
		res.ClientFloors[service] = summary(len(ops)+4+k, "SDK floor + "+service)
	}
	return out, nil
}

// warm counts one invocation's calls, then times the operation through the gateway
// and, alternating with it so both see the same machine load, its direct twin.
func (r *runner) warm(ctx context.Context, op Operation) (OpResult, error) {
	out := OpResult{Name: op.Name, Function: op.Function, Read: op.Read}
	r.ledger.Running(op.Function)
	defer r.ledger.Running("")
	req, err := r.prepare(ctx, op, 0)
	if err != nil {
		return out, err
	}
	r.ledger.Begin(op.Name)
	_, err = r.do(ctx, op, req)
	out.Tally = r.ledger.End(op.Name)
	if err != nil {
		return out, err
	}
	if op.Direct != nil {
		label := "direct " + op.Name
		r.ledger.Begin(label)
		err := op.Direct(ctx, r.env, req)
		t := r.ledger.End(label)
		if err != nil {
			return out, fmt.Errorf("%s direct: %w", op.Name, err)
		}
		out.DirectTally = &t
		if err := r.twinTally(ctx, op, req, t); err != nil {
			return out, err
		}
	}

	n := r.opts.Samples
	if op.Samples > 0 && op.Samples < n {
		n = op.Samples
	}
	var viaAPI, own, direct, floor, twin []time.Duration
	for i := range n {
		req, err := r.prepare(ctx, op, i+1)
		if err != nil {
			return out, err
		}
		d, o, err := r.timed(ctx, op, req)
		if err != nil {
			return out, err
		}
		viaAPI, own = append(viaAPI, d), append(own, o)
		f, err := r.floor.time(ctx)
		if err != nil {
			return out, err
		}
		floor = append(floor, f)
		if op.Direct != nil {
			start := time.Now()
			if err := op.Direct(ctx, r.env, req); err != nil {
				return out, fmt.Errorf("%s direct: %w", op.Name, err)
			}
			direct = append(direct, time.Since(start))
		}
		if r.twin != nil && op.Direct != nil && op.Read {
			d, err := r.twin.time(ctx, twinRequest(twinCall(op, r.env, req)))
			if err != nil {
				return out, fmt.Errorf("%s twin: %w", op.Name, err)
			}
			twin = append(twin, d)
		}
	}
	out.Warm, out.Own, out.Floor = distOf(viaAPI), distOf(own), distOf(floor)
	if op.Direct != nil {
		d := distOf(direct)
		out.Direct = &d
	}
	if len(twin) > 0 {
		d := distOf(twin)
		out.Twin = &d
	}
	return out, nil
}

// twinTally runs a read's direct calls once in the twin function (starting it, the
// first time, with the environment of op's function), and checks that they are the
// calls Direct made in the bench's process: the twin times those and no others.
func (r *runner) twinTally(ctx context.Context, op Operation, req Request, direct Tally) error {
	if r.opts.TwinBinary == "" || !op.Read {
		return nil // writes would repeat their Direct's writes: a taken login, say
	}
	call := twinCall(op, r.env, req)
	if r.twin == nil {
		fn, ok := r.env.Gateway.Function(op.Function)
		if !ok {
			return fmt.Errorf("%s: no function %s in the gateway", op.Name, op.Function)
		}
		twin, err := startTwin(ctx, r.opts.TwinBinary, fn, call, r.env.HTTP)
		if err != nil {
			return err
		}
		r.twin = twin
	}
	label := "twin " + op.Name
	r.ledger.Begin(label)
	_, err := r.twin.time(ctx, twinRequest(call))
	t := r.ledger.End(label)
	if err != nil {
		return fmt.Errorf("%s twin: %w", op.Name, err)
	}
	if !sameCalls(t, direct) {
		return fmt.Errorf("%s: the twin function made %s, the direct calls %s", op.Name, callList(t), callList(direct))
	}
	return nil
}

// sideGateway is one function in a local gateway of its own, warm, reached over
// HTTP as the stack's gateway is: the hello world of the gateway floor, the twin
// function, or the list function of a scale table.
type sideGateway struct {
	g   *gateway.Gateway
	srv *http.Server
	env *Env
}

// startSideGateway serves fn on a gateway of its own, with the given JWT authorizer
// (none when zero), and sends it first, its cold start.
func startSideGateway(ctx context.Context, fn gateway.Function, jwt gateway.JWTConfig, first Request, client *http.Client) (*sideGateway, error) {
	g, err := gateway.New(gateway.Config{Functions: []gateway.Function{fn}, JWT: jwt})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		g.Close()
		return nil, err
	}
	s := &sideGateway{g: g, srv: &http.Server{Handler: g, ReadHeaderTimeout: 10 * time.Second},
		env: &Env{API: "http://" + ln.Addr().String(), HTTP: client}}
	go func() { _ = s.srv.Serve(ln) }()
	if err := s.env.call(ctx, first, nil); err != nil {
		s.close()
		return nil, fmt.Errorf("%s through a gateway of its own: %w", fn.Name, err)
	}
	return s, nil
}

// time sends one request and answers its latency.
func (s *sideGateway) time(ctx context.Context, r Request) (time.Duration, error) {
	start := time.Now()
	if err := s.env.call(ctx, r, nil); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

func (s *sideGateway) close() {
	_ = s.srv.Close()
	_ = s.g.Close()
}

// gatewayFloor is the hello world in a gateway of its own; it keeps every sample.
type gatewayFloor struct {
	*sideGateway
	samples []time.Duration
}

var helloRequest = Request{Method: "GET", Path: "/hello", Want: http.StatusOK}

func startGatewayFloor(ctx context.Context, hello string, client *http.Client) (*gatewayFloor, error) {
	s, err := startSideGateway(ctx, gateway.Function{
		Name: "HelloWorld", Binary: hello,
		Routes: []gateway.Route{{Method: "GET", Path: "/hello", Public: true}},
	}, gateway.JWTConfig{}, helloRequest, client)
	if err != nil {
		return nil, err
	}
	return &gatewayFloor{sideGateway: s}, nil
}

// time sends one hello world request and answers its latency.
func (f *gatewayFloor) time(ctx context.Context) (time.Duration, error) {
	d, err := f.sideGateway.time(ctx, helloRequest)
	if err != nil {
		return 0, fmt.Errorf("hello world through the gateway: %w", err)
	}
	f.samples = append(f.samples, d)
	return d, nil
}

// startTwin serves the twin function with the environment the stack gives Roster's
// functions (fn's), and runs one operation's calls in it to start it.
func startTwin(ctx context.Context, binary string, fn gateway.Function, first TwinCall, client *http.Client) (*sideGateway, error) {
	return startSideGateway(ctx, gateway.Function{
		Name: "TwinFunction", Binary: binary, Env: uncheckedEnv(fn.Env), MemorySize: fn.MemorySize,
		Routes: []gateway.Route{{Method: "POST", Path: "/twin", Public: true}},
	}, gateway.JWTConfig{}, twinRequest(first), client)
}

// uncheckedEnv is a function's environment signed with the stack's own key: the bench's own
// processes (the twin, a scale table's copy of a function on a table of its own) are not held
// to a function's IAM policy, which names the stack's table.
func uncheckedEnv(env map[string]string) map[string]string {
	env = maps.Clone(env)
	env["AWS_ACCESS_KEY_ID"] = stack.AccessKeyID
	return env
}

// coldLog keeps the latest cold start of each function from the gateway's hook.
type coldLog struct {
	mu   sync.Mutex
	last map[string]gateway.InstanceStats
}

func newColdLog() *coldLog { return &coldLog{last: map[string]gateway.InstanceStats{}} }

func (c *coldLog) add(s gateway.InstanceStats) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last[s.Function] = s
}

func (c *coldLog) take(function string) (gateway.InstanceStats, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.last[function]
	delete(c.last, function)
	return s, ok
}

// Size is a binary's size on disk, for this machine and for arm64 (what deploys).
type Size struct {
	Name          string
	Native, ARM64 int64 // bytes; 0 when not built
}

func binarySizes(root string, tmpl *samtemplate.Template, baselines map[string]string) ([]Size, error) {
	size := func(path string) int64 {
		if info, err := os.Stat(path); err == nil {
			return info.Size()
		}
		return 0
	}
	var out []Size
	for _, fn := range tmpl.Functions {
		dir := filepath.Base(fn.Dir)
		s := Size{Name: fn.LogicalID,
			Native: size(filepath.Join(root, "bin", dir, "bootstrap")),
			ARM64:  size(filepath.Join(root, "bin", "arm64", dir, "bootstrap"))}
		if s.Native == 0 {
			return nil, fmt.Errorf("bin/%s/bootstrap is missing: run make build", dir)
		}
		out = append(out, s)
	}
	// bin/<name>/bootstrap has its arm64 copy at bin/arm64/<name>/bootstrap.
	arm64 := func(native string) string {
		return filepath.Join(filepath.Dir(filepath.Dir(native)), "arm64", filepath.Base(filepath.Dir(native)), "bootstrap")
	}
	for name, path := range baselines {
		out = append(out, Size{Name: name, Native: size(path), ARM64: size(arm64(path))})
	}
	return out, nil
}

// noClients is Result.Clients for a function that links no SDK client at all.
const noClients = "none"

// linkedClients returns the SDK clients beyond DynamoDB's that each function links,
// joined by "+" ("" for DynamoDB's alone, noClients for none), from go list.
func linkedClients(root string, tmpl *samtemplate.Template) (map[string]string, error) {
	cmd := exec.Command("go", "list", "-tags", "lambda.norpc", "-f", "{{.Dir}}\t{{join .Deps \" \"}}", "./functions/...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	byDir := map[string]string{}
	for line := range strings.Lines(string(out)) {
		dir, deps, _ := strings.Cut(strings.TrimSpace(line), "\t")
		var services []string
		dynamo := false
		for dep := range strings.FieldsSeq(deps) {
			service, ok := strings.CutPrefix(dep, "github.com/aws/aws-sdk-go-v2/service/")
			switch {
			case !ok || strings.Contains(service, "/"):
			case service == "dynamodb":
				dynamo = true
			default:
				services = append(services, service)
			}
		}
		byDir[dir] = strings.Join(services, "+")
		if !dynamo && len(services) == 0 {
			byDir[dir] = noClients
		}
	}
	clients := map[string]string{}
	for _, fn := range tmpl.Functions {
		c, ok := byDir[filepath.Join(root, fn.Dir)]
		if !ok {
			return nil, fmt.Errorf("go list: no package in %s for %s", fn.Dir, fn.LogicalID)
		}
		clients[fn.LogicalID] = c
	}
	return clients, nil
}

// ownFloor returns the cold start of the floor with the SDK clients function links.
func (res *Result) ownFloor(function string) ColdStart {
	switch c := res.Clients[function]; c {
	case noClients:
		return res.Hello
	case "":
		return res.Floor
	default:
		return res.ClientFloors[c]
	}
}
