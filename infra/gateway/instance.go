package gateway

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"
)

// errNotDelivered means a warm instance went away before it took the
// invocation: nothing ran, so the invocation may go to another instance.
var errNotDelivered = errors.New("gateway: instance exited before taking the invocation")

// instance is one execution environment: a process of the function's binary
// and the runtime API server it polls. It runs one invocation at a time; the
// pool guarantees that only one caller uses it between acquire and release.
type instance struct {
	pool *pool
	id   int

	cmd    *exec.Cmd
	server *http.Server
	stdout *lineLogger
	stderr *lineLogger

	invocations chan *invocation // taken by the runtime's /next call
	ready       chan struct{}    // closed on the first /next call
	initFailed  chan struct{}    // closed when the runtime posts /init/error
	exited      chan struct{}    // closed once the process is gone and reaped

	started   time.Time
	readyAt   time.Time     // written before ready is closed
	initCPU   time.Duration // on-CPU time at readyAt; written before ready is closed
	initErr   *FunctionError
	exitErr   error // written before exited is closed
	invoked   int   // invocations handed over; only the holder touches it
	initOnce  sync.Once
	readyOnce sync.Once

	mu       sync.Mutex
	current  *invocation // handed to the runtime, not answered yet
	running  bool        // the process was started
	stopping bool        // stop was called; a late start must not happen
}

// invocation is one call of the function.
type invocation struct {
	id       string
	payload  []byte
	traceID  string
	deadline time.Time         // set before it is handed over
	result   chan runtimeReply // buffered: the runtime's one answer
}

// runtimeReply is what the runtime posted for an invocation.
type runtimeReply struct {
	payload []byte
	err     *FunctionError // posted to /error (or a response that could not be read)
}

func newInvocation(payload []byte, traceID string) *invocation {
	return &invocation{id: newInvocationID(), payload: payload, traceID: traceID, result: make(chan runtimeReply, 1)}
}

func newInstance(p *pool, id int) *instance {
	return &instance{
		pool:        p,
		id:          id,
		invocations: make(chan *invocation),
		ready:       make(chan struct{}),
		initFailed:  make(chan struct{}),
		exited:      make(chan struct{}),
	}
}

// launch starts the runtime API server and then the process pointed at it.
func (in *instance) launch() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		close(in.exited)
		return fmt.Errorf("runtime API listener: %w", err)
	}
	in.server = &http.Server{Handler: in.runtimeAPI(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = in.server.Serve(ln) }()

	fn := in.pool.fn
	log := in.pool.g.cfg.Logger
	in.stdout = newLineLogger(log, fn.Name, in.id, "stdout")
	in.stderr = newLineLogger(log, fn.Name, in.id, "stderr")
	cmd := exec.Command(fn.Binary)
	cmd.Dir = filepath.Dir(fn.Binary)
	cmd.Env = in.environ(ln.Addr().String())
	cmd.Stdout = in.stdout
	cmd.Stderr = in.stderr
	cmd.SysProcAttr = sysProcAttr()
	// A grandchild that keeps the output pipes open must not keep Wait, and
	// so the instance's cleanup, hanging.
	cmd.WaitDelay = time.Second
	in.cmd = cmd

	in.mu.Lock()
	defer in.mu.Unlock()
	if in.stopping {
		in.server.Close()
		close(in.exited)
		return ErrClosed
	}
	in.started = time.Now()
	if err := cmd.Start(); err != nil {
		in.server.Close()
		close(in.exited)
		return err
	}
	in.running = true
	go in.wait()
	return nil
}

// environ is the process environment. Like Lambda, it passes nothing from
// the parent except PATH and HOME, and the reserved variables win over the
// function's own.
func (in *instance) environ(runtimeAPI string) []string {
	fn := in.pool.fn
	cfg := in.pool.g.cfg
	env := map[string]string{
		"AWS_REGION":         cfg.Region,
		"AWS_DEFAULT_REGION": cfg.Region,
	}
	for _, k := range []string{"PATH", "HOME"} {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	for k, v := range fn.Env {
		env[k] = v
	}
	reserved := map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
		"AWS_LAMBDA_FUNCTION_NAME":        fn.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": fmt.Sprint(fn.MemorySize),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + fn.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      newLogStreamName(time.Now()),
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"LAMBDA_TASK_ROOT":                filepath.Dir(fn.Binary),
		"_HANDLER":                        "bootstrap",
		"TZ":                              "UTC",
	}
	if fn.LogFormat != "" {
		reserved["AWS_LAMBDA_LOG_FORMAT"] = fn.LogFormat
	}
	for k, v := range reserved {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// wait reaps the process, then cleans up what it leaves behind.
func (in *instance) wait() {
	err := in.cmd.Wait()
	in.stdout.Flush()
	in.stderr.Flush()
	// Anything the function started in its process group goes with it, as
	// when Lambda discards an execution environment.
	_ = killGroup(in.cmd.Process.Pid, syscall.SIGKILL)
	in.server.Close()
	in.exitErr = err
	close(in.exited)
	in.pool.forget(in)
}

// stop ends the process: SIGTERM to its group, then SIGKILL after grace.
// It returns once the process has been reaped.
func (in *instance) stop(grace time.Duration) {
	in.mu.Lock()
	in.stopping = true
	running := in.running
	in.mu.Unlock()
	if !running {
		<-in.exited // launch closes it when it sees stopping, or on failure
		return
	}
	select {
	case <-in.exited:
		return
	default:
	}
	if grace > 0 {
		_ = killGroup(in.cmd.Process.Pid, syscall.SIGTERM)
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-in.exited:
			return
		case <-t.C:
		}
	}
	_ = killGroup(in.cmd.Process.Pid, syscall.SIGKILL)
	<-in.exited
}

// pid is the process's id once it started, else 0.
func (in *instance) pid() int {
	in.mu.Lock() // launch holds it until cmd.Start has set Process
	defer in.mu.Unlock()
	if !in.running || in.cmd == nil || in.cmd.Process == nil {
		return 0
	}
	return in.cmd.Process.Pid
}

func (in *instance) isReady() bool {
	select {
	case <-in.ready:
		return true
	default:
		return false
	}
}

func (in *instance) exitMessage() string {
	if in.exitErr == nil {
		return "Runtime exited without providing a reason"
	}
	return "Runtime exited with error: " + in.exitErr.Error()
}

// invoke runs one invocation on this instance. The instance is healthy
// afterwards (fit to be reused) only if the runtime answered and the process
// is still there. Lambda's own failures (crash, timeout, init failure) come
// back as a *FunctionError, like the Lambda service reports them.
func (in *instance) invoke(inv *invocation) (payload []byte, healthy bool, err error) {
	fn := in.pool.fn
	cold := !in.isReady()
	if cold {
		t := time.NewTimer(in.pool.g.cfg.InitTimeout)
		defer t.Stop()
		select {
		case <-in.ready:
		case <-in.initFailed:
			in.stop(0)
			return nil, false, in.initErr
		case <-in.exited:
			// A runtime posts /init/error and then exits: prefer its report.
			select {
			case <-in.initFailed:
				return nil, false, in.initErr
			default:
			}
			return nil, false, in.failure(inv, "Runtime.ExitError", in.exitMessage())
		case <-t.C:
			in.stop(0)
			return nil, false, in.failure(inv, "Sandbox.Timedout",
				fmt.Sprintf("Init phase timed out after %.2f seconds", in.pool.g.cfg.InitTimeout.Seconds()))
		}
	}

	timeout := time.NewTimer(fn.Timeout)
	defer timeout.Stop()
	inv.deadline = time.Now().Add(fn.Timeout)
	timedOut := func() error {
		in.stop(0) // Lambda does not wait for a timed-out environment
		return in.failure(inv, "Sandbox.Timedout", fmt.Sprintf("Task timed out after %.2f seconds", fn.Timeout.Seconds()))
	}

	select {
	case in.invocations <- inv:
	case <-in.exited:
		if cold {
			return nil, false, in.failure(inv, "Runtime.ExitError", in.exitMessage())
		}
		return nil, false, errNotDelivered
	case <-timeout.C:
		return nil, false, timedOut()
	}
	handed := time.Now()
	in.invoked++
	first := in.invoked == 1

	var reply runtimeReply
	select {
	case reply = <-inv.result:
	case <-in.exited:
		// The runtime may answer and exit at once (a panic does): the answer
		// was stored before the runtime could see its 202, so look again.
		select {
		case reply = <-inv.result:
		default:
			return nil, false, in.failure(inv, "Runtime.ExitError", in.exitMessage())
		}
	case <-timeout.C:
		return nil, false, timedOut()
	}
	elapsed := time.Since(handed)
	in.pool.g.report(in, inv, elapsed, first)
	if first && in.pool.g.cfg.OnColdStart != nil {
		in.pool.g.cfg.OnColdStart(InstanceStats{
			Function:     fn.Name,
			Instance:     in.id,
			InitDuration: in.readyAt.Sub(in.started),
			InitCPU:      in.initCPU,
			FirstInvoke:  elapsed,
		})
	}
	healthy = true
	select {
	case <-in.exited:
		healthy = false
	default:
	}
	if reply.err != nil {
		return nil, healthy, reply.err
	}
	return reply.payload, healthy, nil
}

// failure is an error the Lambda service itself reports for an invocation.
func (in *instance) failure(inv *invocation, errorType, message string) *FunctionError {
	return newFunctionError(in.pool.fn.Name, errorType, fmt.Sprintf("RequestId: %s Error: %s", inv.id, message))
}
