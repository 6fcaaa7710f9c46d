package gateway

import (
	"errors"
	"fmt"
	"slices"
	"sync"
)

// FunctionStats counts one function's instances, for tests and benchmarks.
type FunctionStats struct {
	Instances   int // processes alive now
	Idle        int // of which warm and waiting for an invocation
	ColdStarts  int // processes started since New
	Invocations int // invocations requested
}

// pool holds one function's instances. Like Lambda, it scales by starting
// a new instance whenever every existing one is busy, and reuses idle ones.
type pool struct {
	g   *Gateway
	fn  Function
	arn string

	mu     sync.Mutex
	idle   []*instance // most recently used last
	live   map[*instance]struct{}
	nextID int
	stats  FunctionStats
	closed bool
}

func newPool(g *Gateway, fn Function) *pool {
	return &pool{
		g:    g,
		fn:   fn,
		arn:  fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", g.cfg.Region, g.cfg.AccountID, fn.Name),
		live: map[*instance]struct{}{},
	}
}

type outcome struct {
	payload   []byte
	err       error
	requestID string // the invocation's Lambda request id; "" when none ran
}

// invoke runs payload on some instance and delivers the outcome on the returned
// channel. The invocation runs to its end even if the caller stops waiting,
// as it would on Lambda, so that the instance is returned to the pool.
func (p *pool) invoke(payload []byte, traceID string) <-chan outcome {
	out := make(chan outcome, 1)
	p.mu.Lock()
	p.stats.Invocations++
	p.mu.Unlock()
	go func() {
		// A warm instance may exit between invocations (aws-lambda-go exits
		// after reporting a panic); such an invocation never started, so it
		// goes to another instance, once or twice.
		for attempt := 0; ; attempt++ {
			in, err := p.acquire()
			if err != nil {
				out <- outcome{err: err}
				return
			}
			inv := newInvocation(payload, traceID)
			resp, healthy, err := in.invoke(inv)
			if errors.Is(err, errNotDelivered) && attempt < 2 {
				p.discard(in)
				continue
			}
			if healthy {
				p.release(in)
			} else {
				p.discard(in)
			}
			// Close killed the instance under this invocation.
			if err != nil && !healthy && p.isClosed() {
				err = ErrClosed
			}
			out <- outcome{payload: resp, err: err, requestID: inv.id}
			return
		}
	}()
	return out
}

// acquire takes the most recently used idle instance, or starts a new one.
func (p *pool) acquire() (*instance, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	if n := len(p.idle); n > 0 {
		in := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return in, nil
	}
	p.nextID++
	in := newInstance(p, p.nextID)
	// Registered before it starts, so that Close stops it even mid-launch.
	p.live[in] = struct{}{}
	p.stats.ColdStarts++
	p.mu.Unlock()

	if err := in.launch(); err != nil {
		p.forget(in)
		if errors.Is(err, ErrClosed) {
			return nil, err
		}
		return nil, newFunctionError(p.fn.Name, "Runtime.InvalidEntrypoint", err.Error())
	}
	return in, nil
}

func (p *pool) release(in *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.live[in]; !ok || p.closed {
		return // exited meanwhile, or Close is stopping it
	}
	p.idle = append(p.idle, in)
}

// discard stops an instance that must not be reused. It stays among the
// live ones until its process is reaped, so that Close still waits for it.
func (p *pool) discard(in *instance) {
	go in.stop(p.g.cfg.ShutdownGrace)
}

// forget drops an instance from the pool's books.
func (p *pool) forget(in *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.live, in)
	p.idle = slices.DeleteFunc(p.idle, func(x *instance) bool { return x == in })
}

func (p *pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

func (p *pool) pids() []int {
	p.mu.Lock()
	live := make([]*instance, 0, len(p.live))
	for in := range p.live {
		live = append(live, in)
	}
	p.mu.Unlock()
	var out []int
	for _, in := range live {
		if pid := in.pid(); pid > 0 {
			out = append(out, pid)
		}
	}
	return out
}

func (p *pool) snapshot() FunctionStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Instances = len(p.live)
	s.Idle = len(p.idle)
	return s
}

// close stops every instance and waits until each process is reaped.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	instances := make([]*instance, 0, len(p.live))
	for in := range p.live {
		instances = append(instances, in)
	}
	p.idle = nil
	p.mu.Unlock()

	var wg sync.WaitGroup
	for _, in := range instances {
		wg.Go(func() { in.stop(p.g.cfg.ShutdownGrace) })
	}
	wg.Wait()
}

// retire stops the idle instances and waits until each is gone.
func (p *pool) retire() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, in := range idle {
		wg.Go(func() {
			in.stop(p.g.cfg.ShutdownGrace)
			p.forget(in) // wait forgets it too, but maybe just after stop returns
		})
	}
	wg.Wait()
}
