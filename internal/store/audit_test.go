package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/team"
)

func TestAuditEventsFiltersAndPages(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	alice, bob, carol := ids.New(), ids.New(), ids.New()
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	// Ten events a minute apart: alice and bob take turns acting, on carol or on a
	// team, alternating two actions.
	var all []store.AuditEvent
	for i := range 10 {
		e := store.AuditEvent{
			ID: ids.New(), At: start.Add(time.Duration(i) * time.Minute), ActorID: alice,
			Action: "user.update", TargetType: "user", TargetID: carol, RequestID: "req",
			Changes: map[string]store.Change{"username": {From: "old", To: "new"}},
		}
		if i%2 == 1 {
			e.ActorID = bob
		}
		if i%3 == 0 {
			e.Action, e.TargetType, e.TargetID, e.TeamID, e.Changes = "team.delete", "team", "t"+ids.New(), "t", nil
		}
		// An event is written with the change it records: here, each a team of its own.
		if err := s.CreateTeam(ctx, team.Team{ID: ids.New(), Name: "audited " + ids.New()}, nil, store.Effects{Audit: &e, At: e.At}); err != nil {
			t.Fatal(err)
		}
		all = append(all, e)
	}
	newestFirst := func(keep func(store.AuditEvent) bool) []string {
		var out []string
		for i := len(all) - 1; i >= 0; i-- {
			if keep(all[i]) {
				out = append(out, all[i].ID)
			}
		}
		return out
	}
	at := func(i int) time.Time { return all[i].At }
	tests := []struct {
		name   string
		filter store.AuditFilter
		keep   func(store.AuditEvent) bool
	}{
		{"everything", store.AuditFilter{}, func(store.AuditEvent) bool { return true }},
		{"actor", store.AuditFilter{ActorID: bob}, func(e store.AuditEvent) bool { return e.ActorID == bob }},
		{"target", store.AuditFilter{TargetID: carol}, func(e store.AuditEvent) bool { return e.TargetID == carol }},
		{"action", store.AuditFilter{Action: "team.delete"}, func(e store.AuditEvent) bool { return e.Action == "team.delete" }},
		{"actor and action", store.AuditFilter{ActorID: alice, Action: "user.update"},
			func(e store.AuditEvent) bool { return e.ActorID == alice && e.Action == "user.update" }},
		{"target and actor", store.AuditFilter{TargetID: carol, ActorID: bob},
			func(e store.AuditEvent) bool { return e.TargetID == carol && e.ActorID == bob }},
		{"window, both ends inclusive", store.AuditFilter{From: at(2), To: at(6)},
			func(e store.AuditEvent) bool { return !e.At.Before(at(2)) && !e.At.After(at(6)) }},
		{"actor within a window", store.AuditFilter{ActorID: alice, From: at(3)},
			func(e store.AuditEvent) bool { return e.ActorID == alice && !e.At.Before(at(3)) }},
		{"nobody", store.AuditFilter{ActorID: ids.New()}, func(store.AuditEvent) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, limit := range []int{1, 3, 100} {
				var got []string
				cursor := ""
				for pages := 0; ; pages++ {
					if pages > 20 {
						t.Fatal("pagination does not end")
					}
					page, next, err := s.AuditEvents(ctx, tt.filter, store.Page{Limit: limit, Cursor: cursor})
					if err != nil {
						t.Fatal(err)
					}
					if len(page) > limit {
						t.Fatalf("page of %d, limit %d", len(page), limit)
					}
					for _, e := range page {
						got = append(got, e.ID)
					}
					if next == "" {
						break
					}
					cursor = next
				}
				if want := newestFirst(tt.keep); !slices.Equal(got, want) {
					t.Fatalf("limit %d: got %v, want %v", limit, got, want)
				}
			}
		})
	}

	// An event reads back whole, and a cursor of one list is refused by another.
	page, next, err := s.AuditEvents(ctx, store.AuditFilter{TargetID: carol}, store.Page{Limit: 1})
	if err != nil || len(page) != 1 || next == "" {
		t.Fatalf("first page = %v, %q, %v", page, next, err)
	}
	if e := page[0]; e.ActorID != all[8].ActorID || e.RequestID != "req" || !e.At.Equal(all[8].At) || e.Changes["username"].To != "new" {
		t.Errorf("event read back as %+v, written as %+v", e, all[8])
	}
	if _, _, err := s.AuditEvents(ctx, store.AuditFilter{ActorID: alice}, store.Page{Limit: 1, Cursor: next}); !errors.Is(err, apperr.CodeInvalidRequest) {
		t.Errorf("a target list's cursor on an actor list: err = %v, want invalid_request", err)
	}
}
