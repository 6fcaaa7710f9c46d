package bench

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/roster-dev/roster/infra/provision"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
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

// scaleTable is one size of the scale table: a table of its own holding the seeded
// users and a copy of the bench's admin, served by ListUsersFunction in a gateway of
// its own.
type scaleTable struct {
	size int
	gw   *sideGateway
}

// scale measures every list page at each size. Each size has a table of its own, all
// seeded first, and the sizes are timed in turn, one request each per round, so that
// both see the same machine: timed minutes apart, the larger size met a DynamoDB Local
// (a JVM holding every item) that had slowed everything, which the ratio charged to Roster.
func (r *runner) scale(ctx context.Context) ([]ScaleRow, error) {
	if len(r.opts.ScaleSizes) == 0 {
		return nil, nil // -sizes "": no scale table
	}
	tables := make([]*scaleTable, len(r.opts.ScaleSizes))
	defer func() {
		for _, t := range tables {
			if t != nil {
				t.gw.close()
			}
		}
	}()
	for i, size := range r.opts.ScaleSizes {
		t, err := r.scaleTable(ctx, size)
		if err != nil {
			return nil, fmt.Errorf("scale table of %d users: %w", size, err)
		}
		tables[i] = t
	}

	rows := make([]ScaleRow, len(scaleLists))
	reqs := make([]Request, len(scaleLists))
	for i, l := range scaleLists {
		rows[i] = ScaleRow{Name: l.Name, Path: l.Path, At: make([]ScalePoint, len(tables))}
		reqs[i] = Request{Method: "GET", Path: l.Path, Token: l.Token(r.env), Want: http.StatusOK}
		for j, t := range tables {
			label := fmt.Sprintf("scale %d %s", t.size, l.Path)
			r.ledger.Begin(label)
			err := t.gw.env.call(ctx, reqs[i], nil)
			tally := r.ledger.End(label)
			if err != nil {
				return nil, fmt.Errorf("%d users, %s: %w", t.size, l.Path, err)
			}
			rows[i].At[j] = ScalePoint{Users: t.size, RRU: tally.RRU, Calls: tally.Count("dynamodb")}
		}
	}
	// Untimed rounds first (seeding leaves DynamoDB Local collecting garbage), then
	// one request of each list at each size per round, with a gateway-floor request
	// after each, so that a change of load falls on every list and size alike.
	for range scaleWarmUp {
		for i := range scaleLists {
			for _, t := range tables {
				if err := t.gw.env.call(ctx, reqs[i], nil); err != nil {
					return nil, err
				}
			}
		}
	}
	n := len(tables)
	samples, own, floor := make([][]time.Duration, len(scaleLists)*n), make([][]time.Duration, len(scaleLists)*n), make([][]time.Duration, len(scaleLists)*n)
	for range r.opts.ScaleSamples {
		for i := range scaleLists {
			for j, t := range tables {
				r.ledger.Begin(sampleLabel)
				d, err := t.gw.time(ctx, reqs[i])
				tally := r.ledger.End(sampleLabel)
				if err != nil {
					return nil, fmt.Errorf("%d users, %s: %w", t.size, reqs[i].Path, err)
				}
				f, err := r.floor.time(ctx)
				if err != nil {
					return nil, err
				}
				k := i*n + j
				samples[k], own[k], floor[k] = append(samples[k], d), append(own[k], d-tally.Upstream), append(floor[k], f)
			}
		}
	}
	for i := range scaleLists {
		for j := range tables {
			k := i*n + j
			pt := &rows[i].At[j]
			pt.Dist, pt.Own, pt.Floor = distOf(samples[k]), distOf(own[k]), distOf(floor[k])
		}
	}
	return rows, nil
}

// scaleTable creates a table of its own for size users from template.yaml, seeds it
// with them and the bench's admin (whom the list function reads as its caller), and
// serves it with ListUsersFunction, as the stack runs it but for the table's name.
func (r *runner) scaleTable(ctx context.Context, size int) (*scaleTable, error) {
	name := fmt.Sprintf("%s-scale-%d", r.env.tableName, size)
	def, err := provision.TableDefinition(r.tmpl)
	if err != nil {
		return nil, err
	}
	// Nothing reads its stream.
	if err := def.WithoutStream().Create(ctx, r.env.seedDB, name); err != nil {
		return nil, err
	}
	st := store.New(r.env.seedDB, name) // straight to DynamoDB Local
	admin, err := r.env.Store.User(ctx, r.env.Admin.ID)
	if err != nil {
		return nil, err
	}
	if err := st.SeedUsers(ctx, []user.User{admin}); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := r.seed(ctx, st, size); err != nil {
		return nil, err
	}
	r.progress("scale: seeded %d users in %.1fs", size, time.Since(start).Seconds())
	fn, ok := r.env.Gateway.Function(scaleFunction)
	if !ok {
		return nil, fmt.Errorf("no %s in the gateway", scaleFunction)
	}
	fn.Env = uncheckedEnv(fn.Env)
	fn.Env["TABLE_NAME"] = name
	gw, err := startSideGateway(ctx, fn, r.env.Gateway.JWT(), Request{Method: "GET", Path: scaleLists[0].Path,
		Token: scaleLists[0].Token(r.env), Want: http.StatusOK}, r.env.HTTP)
	if err != nil {
		return nil, err
	}
	return &scaleTable{size: size, gw: gw}, nil
}

// scaleFunction serves every list of scaleLists.
const scaleFunction = "ListUsersFunction"

// seedEpoch is when the first seeded user was created; each next one a second later,
// so that every list has one order.
var seedEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// seed writes n users into st, in parallel batches, with the store's own items. One
// in 20 is a platform admin, one in 25 frozen.
func (r *runner) seed(ctx context.Context, st *store.Store, n int) error {
	const perCall, workers = 200, 6
	var all []user.User
	for i := range n {
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
				if err := st.SeedUsers(ctx, chunk); err != nil {
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
