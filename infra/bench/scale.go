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
	RRU   float64
	Calls int
}

// scale seeds users up to each size and measures every list page there.
func (r *runner) scale(ctx context.Context) ([]ScaleRow, error) {
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
		for i, l := range scaleLists {
			req := Request{Method: "GET", Path: l.Path, Token: l.Token(r.env), Want: http.StatusOK}
			op := Operation{Name: "GET " + l.Path}
			label := fmt.Sprintf("scale %d %s", size, l.Path)
			r.ledger.Begin(label)
			_, err := r.do(ctx, op, req)
			t := r.ledger.End(label)
			if err != nil {
				return nil, err
			}
			var samples, own []time.Duration
			for range r.opts.ScaleSamples {
				d, o, err := r.timed(ctx, op, req)
				if err != nil {
					return nil, err
				}
				samples, own = append(samples, d), append(own, o)
			}
			rows[i].At = append(rows[i].At, ScalePoint{Users: size, Dist: distOf(samples), Own: distOf(own), RRU: t.RRU, Calls: t.Count("dynamodb")})
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
