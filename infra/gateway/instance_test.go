package gateway

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestTimeout(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, func(c *Config) {
		for i := range c.Functions {
			c.Functions[i].Timeout = 300 * time.Millisecond
		}
	})

	t.Run("API request", func(t *testing.T) {
		first := get(t, tg.URL+"/files/t").echo(t)
		start := time.Now()
		resp := get(t, tg.URL+"/files/t?sleep=5s")
		want(t, "status", resp.status, http.StatusInternalServerError)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("answered after %v, want about the 300ms timeout", d)
		}
		if processAlive(first.PID) {
			t.Errorf("timed-out instance %d still running", first.PID)
		}
		next := get(t, tg.URL+"/files/t").echo(t)
		if next.PID == first.PID {
			t.Error("the timed-out instance served again")
		}
	})

	t.Run("Invoke", func(t *testing.T) {
		_, err := tg.Invoke(t.Context(), "Worker", []byte(`{"sleep":"5s"}`))
		var fe *FunctionError
		if !errors.As(err, &fe) {
			t.Fatalf("err = %v, want a FunctionError", err)
		}
		want(t, "errorType", fe.Type, "Sandbox.Timedout")
		if !strings.Contains(fe.Message, "Task timed out after 0.30 seconds") {
			t.Errorf("errorMessage %q", fe.Message)
		}
	})

	t.Run("deadline given to the runtime", func(t *testing.T) {
		before := time.Now()
		out, err := tg.Invoke(t.Context(), "Worker", []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		var rep echoReply
		if err := json.Unmarshal(out, &rep); err != nil {
			t.Fatal(err)
		}
		deadline := time.UnixMilli(rep.DeadlineMs)
		if deadline.Before(before) || deadline.After(time.Now().Add(300*time.Millisecond)) {
			t.Errorf("deadline %v not within the 300ms timeout of %v", deadline, before)
		}
	})
}

// TestConcurrency: parallel requests each get an instance; later requests
// reuse the warm ones.
func TestConcurrency(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		colds []InstanceStats
	)
	tg := newTestGateway(t, func(c *Config) {
		c.OnColdStart = func(s InstanceStats) {
			mu.Lock()
			defer mu.Unlock()
			colds = append(colds, s)
		}
	})
	if s := tg.stats(t, "Echo"); s.ColdStarts != 0 || s.Instances != 0 {
		t.Fatalf("New started processes: %+v", s)
	}

	const n = 4
	pids := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp := get(t, tg.URL+"/files/slow?sleep=500ms")
			if resp.status != http.StatusOK {
				t.Errorf("status %d", resp.status)
				return
			}
			var rep echoReply
			resp.json(t, &rep)
			pids[i] = rep.PID
		})
	}
	wg.Wait()
	slices.Sort(pids)
	if len(slices.Compact(slices.Clone(pids))) != n {
		t.Errorf("parallel requests ran on pids %v, want %d distinct instances", pids, n)
	}
	s := tg.stats(t, "Echo")
	want(t, "cold starts", s.ColdStarts, n)
	want(t, "idle", s.Idle, n)

	for range 2 * n {
		rep := get(t, tg.URL+"/files/fast").echo(t)
		if !slices.Contains(pids, rep.PID) {
			t.Errorf("sequential request ran on new pid %d", rep.PID)
		}
	}
	want(t, "cold starts after warm requests", tg.stats(t, "Echo").ColdStarts, n)

	mu.Lock()
	defer mu.Unlock()
	want(t, "OnColdStart calls", len(colds), n)
	for _, c := range colds {
		if c.Function != "Echo" || c.InitDuration <= 0 || c.FirstInvoke < 500*time.Millisecond {
			t.Errorf("cold start stats %+v", c)
		}
	}
}

func TestInitFailure(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, func(c *Config) {
		c.Functions = append(c.Functions,
			Function{Name: "InitCrash", Binary: echoBinary, Env: map[string]string{"ECHO_INIT": "crash"},
				Routes: []Route{{Method: "GET", Path: "/init-crash", Public: true}}},
			Function{Name: "InitError", Binary: echoBinary, Env: map[string]string{"ECHO_INIT": "error"}},
		)
	})
	tests := []struct {
		function, wantType, wantMessage string
	}{
		{"InitCrash", "Runtime.ExitError", "Runtime exited with error: exit status 2"},
		{"InitError", "InitError", "missing configuration"},
	}
	for _, tc := range tests {
		t.Run(tc.function, func(t *testing.T) {
			t.Parallel()
			_, err := tg.Invoke(t.Context(), tc.function, []byte(`{}`))
			var fe *FunctionError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a FunctionError", err)
			}
			want(t, "errorType", fe.Type, tc.wantType)
			if !strings.Contains(fe.Message, tc.wantMessage) {
				t.Errorf("errorMessage %q, want %q in it", fe.Message, tc.wantMessage)
			}
			if !eventually(2*time.Second, func() bool { return tg.stats(t, tc.function).Instances == 0 }) {
				t.Error("the failed instance is still alive")
			}
		})
	}
	t.Run("API request", func(t *testing.T) {
		t.Parallel()
		resp := get(t, tg.URL+"/init-crash")
		want(t, "status", resp.status, http.StatusInternalServerError)
	})
	t.Run("init output is logged", func(t *testing.T) {
		t.Parallel()
		_, _ = tg.Invoke(t.Context(), "InitCrash", nil)
		if !tg.logs.has("InitCrash: echo: failing init") {
			t.Error("the function's stderr line is not in the log")
		}
	})
}

// TestEnvironment: the process gets Lambda's variables and the function's
// own, and nothing else from the parent but PATH and HOME.
func TestEnvironment(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, func(c *Config) {
		c.Functions[1].Env = map[string]string{"TABLE_NAME": "roster", "AWS_LAMBDA_FUNCTION_NAME": "spoofed"}
		c.Functions[1].MemorySize = 256
		c.Functions[1].LogFormat = "JSON"
	})
	out, err := tg.Invoke(t.Context(), "Worker", []byte(`{"env":true}`))
	if err != nil {
		t.Fatal(err)
	}
	var rep echoReply
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, kv := range rep.Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}

	wantEnv := map[string]string{
		"TABLE_NAME":                      "roster",
		"AWS_LAMBDA_FUNCTION_NAME":        "Worker",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/Worker",
		"AWS_LAMBDA_LOG_FORMAT":           "JSON",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"LAMBDA_TASK_ROOT":                strings.TrimSuffix(echoBinary, "/bootstrap"),
		"_HANDLER":                        "bootstrap",
		"TZ":                              "UTC",
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
	}
	for k, v := range wantEnv {
		want(t, k, env[k], v)
	}
	if !strings.HasPrefix(env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:") {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q", env["AWS_LAMBDA_RUNTIME_API"])
	}
	if !strings.Contains(env["AWS_LAMBDA_LOG_STREAM_NAME"], "[$LATEST]") {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q", env["AWS_LAMBDA_LOG_STREAM_NAME"])
	}
	allowed := map[string]bool{
		"PATH": true, "HOME": true, "AWS_LAMBDA_RUNTIME_API": true, "AWS_LAMBDA_LOG_STREAM_NAME": true,
		"_X_AMZN_TRACE_ID": true, // set by aws-lambda-go itself for each invocation
	}
	for k := range env {
		if _, ok := wantEnv[k]; !ok && !allowed[k] {
			t.Errorf("unexpected variable %s=%s", k, env[k])
		}
	}
	want(t, "PATH", env["PATH"], os.Getenv("PATH"))
	want(t, "function ARN", rep.FunctionARN, "arn:aws:lambda:us-east-1:123456789012:function:Worker")
	if rep.RequestID == "" || rep.TraceID == "" {
		t.Errorf("request id %q, trace id %q", rep.RequestID, rep.TraceID)
	}
}

// TestFunctionConfig: Function answers a function as configured, with a copy of its
// environment that the caller may change without changing the function's; JWT the
// authorizer's configuration.
func TestFunctionConfig(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, nil)
	fn, ok := tg.Function("Worker")
	if !ok || fn.Name != "Worker" || fn.Binary != echoBinary || fn.Env["TABLE_NAME"] != "roster" {
		t.Fatalf("Function(Worker) = %+v, %v", fn, ok)
	}
	fn.Env["TABLE_NAME"] = "changed"
	if again, _ := tg.Function("Worker"); again.Env["TABLE_NAME"] != "roster" {
		t.Errorf("changing the answer's environment changed the function's: %q", again.Env["TABLE_NAME"])
	}
	if _, ok := tg.Function("Nope"); ok {
		t.Error("Function(Nope) found a function")
	}
	if jwt := tg.JWT(); jwt.Issuer != testIssuer || jwt.JWKSURL == "" {
		t.Errorf("JWT() = %+v", jwt)
	}
}

// TestCloseStopsEverything: Close leaves no process behind, including one
// the function started itself.
func TestCloseStopsEverything(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, nil)

	var pids []int
	for _, payload := range []string{`{"spawn":true}`, `{"spawn":true,"sleep":"300ms"}`} {
		out, err := tg.Invoke(t.Context(), "Worker", []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		var rep echoReply
		if err := json.Unmarshal(out, &rep); err != nil {
			t.Fatal(err)
		}
		pids = append(pids, rep.PID, rep.Child)
	}
	// One more still running when Close is called.
	busy := make(chan error, 1)
	go func() {
		_, err := tg.Invoke(t.Context(), "Worker", []byte(`{"sleep":"10s"}`))
		busy <- err
	}()
	if !eventually(5*time.Second, func() bool { return tg.stats(t, "Worker").Idle == 0 }) {
		t.Fatal("the slow invocation never took the instance")
	}
	for _, pid := range pids {
		if !processAlive(pid) {
			t.Fatalf("process %d not running before Close", pid)
		}
	}

	start := time.Now()
	if err := tg.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v", d)
	}
	if !eventually(2*time.Second, func() bool { return !slices.ContainsFunc(pids, processAlive) }) {
		for _, pid := range pids {
			if processAlive(pid) {
				t.Errorf("process %d survived Close", pid)
			}
		}
	}
	select {
	case err := <-busy:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("invocation cut by Close: err = %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("invocation still waiting after Close")
	}
	want(t, "instances after Close", tg.stats(t, "Worker").Instances, 0)
	if _, err := tg.Invoke(t.Context(), "Worker", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close: err = %v, want ErrClosed", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"missing binary", Config{Functions: []Function{{Name: "F", Binary: "/does/not/exist"}}}},
		{"no name", Config{Functions: []Function{{Binary: echoBinary}}}},
		{"twice", Config{Functions: []Function{{Name: "F", Binary: echoBinary}, {Name: "F", Binary: echoBinary}}}},
		{"private route without JWT", Config{Functions: []Function{{Name: "F", Binary: echoBinary, Routes: []Route{{Method: "GET", Path: "/x"}}}}}},
		{"bad route", Config{Functions: []Function{{Name: "F", Binary: echoBinary, Routes: []Route{{Method: "GET", Path: "x", Public: true}}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := New(tc.cfg); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// TestRetire: retiring a function stops its idle instances, so the next
// invocation starts cold on a new process, and tells the hook about it.
func TestRetire(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var starts []InstanceStats
	tg := newTestGateway(t, func(c *Config) {
		c.OnColdStart = func(s InstanceStats) {
			mu.Lock()
			defer mu.Unlock()
			starts = append(starts, s)
		}
	})
	first := get(t, tg.URL+"/files/r").echo(t)
	if !tg.Retire("Echo") {
		t.Fatal("Retire(Echo) = false")
	}
	if processAlive(first.PID) {
		t.Errorf("retired instance %d still running", first.PID)
	}
	want(t, "instances after retire", tg.stats(t, "Echo").Instances, 0)
	next := get(t, tg.URL+"/files/r").echo(t)
	if next.PID == first.PID {
		t.Error("the retired instance served again")
	}
	want(t, "cold starts", tg.stats(t, "Echo").ColdStarts, 2)
	mu.Lock()
	defer mu.Unlock()
	want(t, "hook calls", len(starts), 2)
	for _, s := range starts {
		if s.Function != "Echo" || s.InitDuration <= 0 || s.FirstInvoke <= 0 {
			t.Errorf("cold start %+v", s)
		}
	}
	if tg.Retire("Nope") {
		t.Error("Retire(Nope) = true")
	}
}

// Pids names the live instances; killing one mid-invocation fails that invocation as a crash
// does, and the next one starts afresh.
func TestPidsKillMidInvocation(t *testing.T) {
	t.Parallel()
	tg := newTestGateway(t, nil)
	if pids := tg.Pids("Worker"); len(pids) != 0 {
		t.Errorf("pids before any invocation: %v", pids)
	}
	first, err := tg.Invoke(t.Context(), "Worker", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	var rep echoReply
	_ = json.Unmarshal(first, &rep)
	if pids := tg.Pids("Worker"); !slices.Equal(pids, []int{rep.PID}) {
		t.Fatalf("pids %v, want [%d]", pids, rep.PID)
	}
	done := make(chan error, 1)
	go func() {
		_, err := tg.Invoke(t.Context(), "Worker", []byte(`{"sleep":"5s"}`))
		done <- err
	}()
	time.Sleep(300 * time.Millisecond) // the invocation is under way
	if err := syscall.Kill(rep.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var fe *FunctionError
	if err := <-done; !errors.As(err, &fe) || fe.Type != "Runtime.ExitError" {
		t.Errorf("killed mid-invocation: %v, want Runtime.ExitError", err)
	}
	if _, err := tg.Invoke(t.Context(), "Worker", []byte(`{}`)); err != nil {
		t.Errorf("the next invocation: %v", err)
	}
	if tg.Pids("Nope") != nil {
		t.Error("pids of an unknown function")
	}
}
