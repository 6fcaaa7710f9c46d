package gateway

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Throttle is a token bucket, as API Gateway throttles a route: Rate requests per second
// refill it, up to Burst; a request that finds it empty gets 429 without reaching the function.
type Throttle struct {
	Rate  float64
	Burst int
}

// Throttles are the stage's route throttles (the HttpApi's DefaultRouteSettings and
// RouteSettings). The zero value throttles nothing.
type Throttles struct {
	// Default gives each route a bucket of its own, as an HTTP API applies its stage's default
	// route settings per route; nil leaves the routes that Routes does not name unthrottled.
	Default *Throttle
	// Routes replace Default for the routes they name, by route key ("POST /v1/auth/login").
	Routes map[string]Throttle
}

func (t Throttles) validate() error {
	var errs []error
	check := func(what string, th Throttle) {
		if th.Rate < 0 || th.Burst < 0 {
			errs = append(errs, fmt.Errorf("throttle of %s: rate %v and burst %d must be 0 or more", what, th.Rate, th.Burst))
		}
	}
	if t.Default != nil {
		check("the stage", *t.Default)
	}
	for key, th := range t.Routes {
		check(key, th)
	}
	return errors.Join(errs...)
}

// attachThrottles gives each route its bucket, full, as a new deployment's are.
func (rt *router) attachThrottles(t Throttles, now time.Time) error {
	known := map[string]bool{}
	for _, r := range rt.routes {
		known[r.key] = true
		if th, ok := t.Routes[r.key]; ok {
			r.bucket = newBucket(th, now)
		} else if t.Default != nil {
			r.bucket = newBucket(*t.Default, now)
		}
	}
	for key := range t.Routes {
		if !known[key] {
			// CloudFormation refuses such a stage: "Unable to find Route by key".
			return fmt.Errorf("throttle of %q: no such route", key)
		}
	}
	return nil
}

// bucket is one route's token bucket. Tokens are fractional so that a rate below one per
// second still refills.
type bucket struct {
	mu          sync.Mutex
	rate, burst float64
	tokens      float64
	last        time.Time
}

func newBucket(th Throttle, now time.Time) *bucket {
	return &bucket{rate: th.Rate, burst: float64(th.Burst), tokens: float64(th.Burst), last: now}
}

// take spends a token, if there is one, at time now. A clock that goes backwards refills
// nothing.
func (b *bucket) take(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(b.burst, b.tokens+elapsed.Seconds()*b.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
