package bench

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/user"
)

// scaleLists are the list pages measured at each size.
var scaleLists = []struct {
	Name, Path string
	Token      func(e *Env) string
}{
	{"users", "/v1/users?limit=20", adminToken},
	{"users by type", "/v1/users?limit=20&accountType=member", adminToken},
	{"users by status", "/v1/users?limit=20&status=frozen", adminToken},
	{"users by type+status", "/v1/users?limit=20&accountType=platform_admin&status=active", adminToken},
	{"users search q=", "/v1/users?limit=20&q=seed0", adminToken},
}

func adminToken(e *Env) string { return e.Admin.Token }

// ScaleRow is one list page measured at each size.
type ScaleRow struct {
	Name  string
	Path  string
	At    []ScalePoint // one per Options.ScaleSizes
	Notes string
}

type ScalePoint struct {
	Users int
	Dist  Dist // latency through the gateway
	Own   Dist // latency less the time spent waiting on DynamoDB Local
	Floor Dist // the gateway floor, one request after each of this list's
	RRU   float64
	Calls int
}

// scaleWarmUp is the untimed rounds of every list after seeding.
const scaleWarmUp = 20

func scaleOp(path string) Operation { return Operation{Name: "GET " + path} }

// scale seeds users up to each size and measures every list page there.
func (r *runner) scale(ctx context.Context) ([]ScaleRow, error) {
	if len(r.opts.ScaleSizes) == 0 {
		return nil, nil // -sizes "": no scale table
	}
	rows := make([]ScaleRow, len(scaleLists))
	for i, l := range scaleLists {
		rows[i] = ScaleRow{Name: l.Name, Path: l.Path}
	}
	seeded := 0
	for _, size := range r.opts.ScaleSizes {
		start := time.Now()
		if err := r.seed(ctx, seeded, size); err != nil {
			return nil, err
		}
		r.progress("scale: seeded users %d to %d in %.1fs", seeded, size, time.Since(start).Seconds())
		seeded = size
		reqs := make([]Request, len(scaleLists))
		tallies := make([]Tally, len(scaleLists))
		for i, l := range scaleLists {
			reqs[i] = Request{Method: "GET", Path: l.Path, Token: l.Token(r.env), Want: http.StatusOK}
			label := fmt.Sprintf("scale %d %s", size, l.Path)
			r.ledger.Begin(label)
			_, err := r.do(ctx, scaleOp(l.Path), reqs[i])
			tallies[i] = r.ledger.End(label)
			if err != nil {
				return nil, err
			}
		}
		// Seeding leaves DynamoDB Local (a JVM) collecting garbage and the machine
		// busy: untimed rounds first, then the lists in turn, one request of each per
		// round with a gateway-floor request after each, so that a change of load
		// falls on every list and size alike instead of on one list's run.
		for range scaleWarmUp {
			for i, l := range scaleLists {
				if _, err := r.do(ctx, scaleOp(l.Path), reqs[i]); err != nil {
					return nil, err
				}
			}
		}
		samples := make([][]time.Duration, len(scaleLists))
		own := make([][]time.Duration, len(scaleLists))
		floor := make([][]time.Duration, len(scaleLists))
		for range r.opts.ScaleSamples {
			for i, l := range scaleLists {
				d, o, err := r.timed(ctx, scaleOp(l.Path), reqs[i])
				if err != nil {
					return nil, err
				}
				f, err := r.floor.time(ctx)
				if err != nil {
					return nil, err
				}
				samples[i], own[i], floor[i] = append(samples[i], d), append(own[i], o), append(floor[i], f)
			}
		}
		for i := range scaleLists {
			rows[i].At = append(rows[i].At, ScalePoint{Users: size, Dist: distOf(samples[i]), Own: distOf(own[i]),
				Floor: distOf(floor[i]), RRU: tallies[i].RRU, Calls: tallies[i].Count("dynamodb")})
		}
	}
	return rows, nil
}

// seedEpoch is when the first seeded user was created; each next one a second later,
// so that every list has one order.
var seedEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// seed writes users from..to-1 straight into DynamoDB Local, in parallel batches, with
// the store's own items. One in 20 is a platform admin, one in 25 frozen.
func (r *runner) seed(ctx context.Context, from, to int) error {
	const perCall, workers = 200, 6
	var all []user.User
	for i := from; i < to; i++ {
		login := fmt.Sprintf("seed%06d", i)
		u := user.User{
			ID: ids.New(), Username: fmt.Sprintf("Seed_%06d", i), LoginAccount: login,
			Email: login + "@bench.example", AccountType: user.Member, Status: user.Active,
			CreatedAt: seedEpoch.Add(time.Duration(i) * time.Second), CreatedBy: r.env.Admin.ID,
		}
		if i%20 == 0 {
			u.AccountType = user.PlatformAdmin
		}
		if i%25 == 0 {
			u.Status = user.Frozen
		}
		all = append(all, u)
	}
	chunks := make(chan []user.User)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for chunk := range chunks {
				if err := r.env.Seed.SeedUsers(ctx, chunk); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var err error
feed:
	for chunk := range slices.Chunk(all, perCall) {
		select {
		case chunks <- chunk:
		case err = <-errs:
			break feed
		}
	}
	close(chunks)
	wg.Wait()
	if err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	select {
	case err := <-errs:
		return fmt.Errorf("seeding: %w", err)
	default:
		return nil
	}
}
