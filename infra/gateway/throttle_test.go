package gateway

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	t.Parallel()
	type step struct {
		at   time.Duration // since the bucket was filled
		want bool
	}
	tests := []struct {
		name     string
		throttle Throttle
		steps    []step
	}{
		{"burst then empty", Throttle{Rate: 1, Burst: 2}, []step{{0, true}, {0, true}, {0, false}}},
		{"refills at the rate", Throttle{Rate: 2, Burst: 1}, []step{{0, true}, {250 * time.Millisecond, false}, {500 * time.Millisecond, true}, {500 * time.Millisecond, false}}},
		{"refills no more than the burst", Throttle{Rate: 10, Burst: 2}, []step{{time.Hour, true}, {time.Hour, true}, {time.Hour, false}}},
		{"a rate below one per second", Throttle{Rate: 0.5, Burst: 1}, []step{{0, true}, {time.Second, false}, {2 * time.Second, true}}},
		{"zero burst refuses everything", Throttle{Rate: 100, Burst: 0}, []step{{0, false}, {time.Hour, false}}},
		{"zero rate never refills", Throttle{Rate: 0, Burst: 1}, []step{{0, true}, {time.Hour, false}}},
		{"a clock that goes back refills nothing", Throttle{Rate: 1, Burst: 1}, []step{{time.Second, true}, {0, false}, {time.Second, false}, {2 * time.Second, true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			b := newBucket(tc.throttle, start)
			for i, s := range tc.steps {
				if got := b.take(start.Add(s.at)); got != s.want {
					t.Fatalf("step %d (at %v): take = %v, want %v", i, s.at, got, s.want)
				}
			}
		})
	}
}

// fakeClock is the throttles' clock in tests: time moves only when a test says so.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestThrottledRoutes(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	tg := newTestGateway(t, func(c *Config) {
		c.Throttles = Throttles{
			Default: &Throttle{Rate: 1, Burst: 2},
			Routes:  map[string]Throttle{"GET /v1/users/me": {Rate: 1, Burst: 1}},
		}
		c.now = clock.Now
	})
	// One sequence against one gateway: each step depends on the buckets the earlier ones left.
	steps := []struct {
		name    string
		advance time.Duration
		method  string
		path    string
		want    int
	}{
		{"route setting", 0, "GET", "/v1/users/me", 200},
		{"route setting's burst spent", 0, "GET", "/v1/users/me", 429},
		{"default, first", 0, "GET", "/v1/users/u-1", 200},
		{"default, second", 0, "GET", "/v1/users/u-2", 200},
		{"default's burst spent", 0, "GET", "/v1/users/u-3", 429},
		{"another route has its own bucket", 0, "POST", "/v1/users/u-1", 200},
		{"throttled before the authorizer", 0, "GET", "/v1/me", 401},
		{"the authorizer's refusals spend tokens", 0, "GET", "/v1/me", 401},
		{"so the third is throttled", 0, "GET", "/v1/me", 429},
		{"no route is not throttled", 0, "GET", "/nowhere", 404},
		{"a second refills one token", time.Second, "GET", "/v1/users/me", 200},
		{"and only one", 0, "GET", "/v1/users/me", 429},
		{"the default refilled too", 0, "GET", "/v1/users/u-4", 200},
	}
	passed := 0
	for _, s := range steps {
		clock.advance(s.advance)
		r := do(t, s.method, tg.URL+s.path, nil, nil)
		if r.status != s.want {
			t.Fatalf("%s: %s %s = %d %s, want %d", s.name, s.method, s.path, r.status, r.body, s.want)
		}
		switch r.status {
		case http.StatusOK:
			passed++
		case http.StatusTooManyRequests:
			if string(r.body) != `{"message":"Too Many Requests"}` || r.header.Get("Content-Type") != "application/json" {
				t.Errorf("%s: 429 answered %q (%s), want API Gateway's message as JSON", s.name, r.body, r.header.Get("Content-Type"))
			}
		}
	}
	if got := tg.stats(t, "Echo").Invocations; got != passed {
		t.Errorf("Echo invoked %d times for %d requests let through: a throttled request reached it", got, passed)
	}
	// Lambda's Invoke API is not behind the HTTP API's throttles.
	for i := range 3 {
		if r := do(t, http.MethodPost, tg.URL+"/2015-03-31/functions/Echo/invocations", []byte(`{}`), nil); r.status != http.StatusOK {
			t.Fatalf("invoke %d: %d %s", i, r.status, r.body)
		}
	}
}

func TestThrottlesConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		throttles Throttles
		wantErr   string // "" = valid
	}{
		{"zero", Throttles{}, ""},
		{"default and a route", Throttles{Default: &Throttle{Rate: 1, Burst: 1}, Routes: map[string]Throttle{"GET /v1/me": {Rate: 0, Burst: 0}}}, ""},
		{"unknown route", Throttles{Routes: map[string]Throttle{"GET /v1/you": {Rate: 1, Burst: 1}}}, "no such route"},
		{"route key without its method", Throttles{Routes: map[string]Throttle{"/v1/me": {Rate: 1, Burst: 1}}}, "no such route"},
		{"negative rate", Throttles{Default: &Throttle{Rate: -1, Burst: 1}}, "0 or more"},
		{"negative burst", Throttles{Routes: map[string]Throttle{"GET /v1/me": {Rate: 1, Burst: -1}}}, "0 or more"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(Config{
				Functions: []Function{{Name: "Echo", Binary: echoBinary, Routes: echoRoutes}},
				JWT:       JWTConfig{Issuer: testIssuer, Audience: []string{testClientID}, JWKSURL: "http://127.0.0.1:1/jwks.json"},
				Throttles: tc.throttles,
			})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("New: %v, want an error with %q", err, tc.wantErr)
			}
		})
	}
}
