package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/locale"
	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/outbox/outboxtest"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/team"
)

// TestEffectsGoWithTheirChange: a change and what it writes beside itself (its audit
// event, its mail) are one transaction. A change that succeeds leaves exactly one event
// and its mail in the outbox; one that fails, on any of its conditions, leaves neither.
func TestEffectsGoWithTheirChange(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, table := storetest.StreamedTable(t)
	s := store.New(db, table)
	now := time.Now().UTC().Truncate(time.Millisecond)
	taken := newTeam(t, s, "Taken "+ids.New()[:8])
	role := team.Role{ID: ids.New(), Name: "Auditor " + ids.New()[:8], Permissions: []string{"team:view"}, CreatedAt: now}
	if err := s.CreateRole(ctx, role, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	member := newMember(t, s)
	pending := team.Invitation{ID: ids.New(), TeamID: taken.ID, RoleIDs: []string{team.Member.ID}, CreatedBy: member.ID,
		CreatedAt: now, ValidFor: time.Hour, ExpiresAt: now.Add(time.Hour), Status: team.Pending, TokenHash: ids.New()}
	if err := s.CreateInvitation(ctx, pending, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	revoked := pending
	revoked.ID, revoked.TokenHash = ids.New(), ids.New()
	if err := s.CreateInvitation(ctx, revoked, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeInvitation(ctx, revoked, store.Effects{}); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		change func(fx store.Effects) error
		ok     bool
	}{
		{"team created", func(fx store.Effects) error {
			return s.CreateTeam(ctx, team.Team{ID: ids.New(), Name: "New " + ids.New()[:8], CreatedAt: now}, nil, fx)
		}, true},
		{"team name taken", func(fx store.Effects) error {
			return s.CreateTeam(ctx, team.Team{ID: ids.New(), Name: taken.Name, CreatedAt: now}, nil, fx)
		}, false},
		{"role renamed from a stale version", func(fx store.Effects) error {
			renamed := role
			renamed.Name = "Stale " + ids.New()[:8]
			return s.UpdateRole(ctx, role, 7, renamed, fx)
		}, false},
		{"member added", func(fx store.Effects) error {
			return s.AddMember(ctx, team.Membership{TeamID: taken.ID, UserID: newMember(t, s).ID, RoleIDs: []string{team.Member.ID}, JoinedAt: now}, fx)
		}, true},
		{"member added to a team that does not exist", func(fx store.Effects) error {
			return s.AddMember(ctx, team.Membership{TeamID: ids.New(), UserID: member.ID, RoleIDs: []string{team.Member.ID}, JoinedAt: now}, fx)
		}, false},
		{"user renamed", func(fx store.Effects) error {
			u := newMember(t, s)
			next := u
			next.Username = "Renamed"
			_, err := s.SaveUser(ctx, u, next, fx)
			return err
		}, true},
		{"user renamed over a newer version", func(fx store.Effects) error {
			u := newMember(t, s)
			stale, next := u, u
			stale.Version, next.Username = u.Version-1, "Renamed"
			_, err := s.SaveUser(ctx, stale, next, fx)
			return err
		}, false},
		{"invitation revoked", func(fx store.Effects) error { return s.RevokeInvitation(ctx, pending, fx) }, true},
		{"invitation revoked twice", func(fx store.Effects) error { return s.RevokeInvitation(ctx, revoked, fx) }, false},
		{"MFA turned off", func(fx store.Effects) error { return s.SetMFA(ctx, newMember(t, s).ID, false, fx) }, true},
		{"MFA of a user that does not exist", func(fx store.Effects) error { return s.SetMFA(ctx, ids.New(), false, fx) }, false},
		{"sessions ended", func(fx store.Effects) error { return s.EndSessions(ctx, newMember(t, s).ID, now, fx) }, true},
		{"sessions ended after a later end", func(fx store.Effects) error {
			id := newMember(t, s).ID
			if err := s.EndSessions(ctx, id, now.Add(time.Minute), store.Effects{}); err != nil {
				return err
			}
			return s.EndSessions(ctx, id, now, fx) // the later end stays; the reset happened all the same
		}, true},
		{"sessions of a user that does not exist", func(fx store.Effects) error { return s.EndSessions(ctx, ids.New(), now, fx) }, false},
		{"user records removed", func(fx store.Effects) error {
			u := newMember(t, s)
			return s.DeleteUserRecords(ctx, u, false, fx)
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			target, address := ids.New(), "fx-"+ids.New()+"@example.com"
			e := store.AuditEvent{ID: ids.New(), At: now, ActorID: member.ID, Action: "user.update", TargetType: "user", TargetID: target}
			err := tc.change(store.Effects{Audit: &e, Mail: []mail.Letter{mail.VerificationCodeLetter(locale.English, address, "123456")}, At: now})
			if (err == nil) != tc.ok {
				t.Fatalf("change: %v, want success %v", err, tc.ok)
			}
			events, _, err := s.AuditEvents(ctx, store.AuditFilter{TargetID: target}, store.Page{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			mails := 0
			for _, o := range outboxtest.Pending(t, db, table) {
				if o.Letter.To == address {
					mails++
				}
			}
			want := 0
			if tc.ok {
				want = 1
			}
			if len(events) != want || mails != want {
				t.Fatalf("%d audit events and %d mails, want %d of each", len(events), mails, want)
			}
		})
	}
}

// TestInvitationMailFate: a bound link's mail is queued with it, and the mailer's
// record of what became of it (sent, failed) shows on the link, as long as it is the
// link's latest mail: a resend's mail speaks for the link from then on.
func TestInvitationMailFate(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, table := storetest.StreamedTable(t)
	s := store.New(db, table)
	now := time.Now().UTC().Truncate(time.Millisecond)
	tm := newTeam(t, s, "Mailed "+ids.New()[:8])
	inv := team.Invitation{ID: ids.New(), TeamID: tm.ID, Email: "inv@example.com", RoleIDs: []string{team.Member.ID}, CreatedBy: ids.New(),
		CreatedAt: now, ValidFor: time.Hour, ExpiresAt: now.Add(time.Hour), Status: team.Pending, TokenHash: ids.New()}
	letter := func(link string) store.Effects {
		return store.Effects{Mail: []mail.Letter{mail.InvitationLetter(locale.English, inv.Email, tm.Name, "Ann", link, inv.ExpiresAt)}, At: now}
	}
	state := func() string {
		t.Helper()
		got, err := s.Invitation(ctx, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.MailState
	}
	if err := s.CreateInvitation(ctx, inv, letter("https://x/invitations/first")); err != nil {
		t.Fatal(err)
	}
	first := outboxtest.Pending(t, db, table)
	if len(first) != 1 || state() != store.MailQueued || first[0].Letter.Secret != "https://x/invitations/first" {
		t.Fatalf("after creation: state %q, outbox %+v", state(), first)
	}
	if n, err := s.MailAttempted(ctx, first[0]); err != nil || n != 1 {
		t.Fatalf("MailAttempted = %d, %v", n, err)
	}
	if err := s.MailGivenUp(ctx, first[0], "gave up: SES is down"); err != nil {
		t.Fatal(err)
	}
	given, found, err := s.Outgoing(ctx, first[0].ID)
	if err != nil || !found || given.Failed != "gave up: SES is down" || given.Letter.Secret != "" || given.Attempts != 1 {
		t.Fatalf("given up: %+v, %v, %v; want the reason kept and the secret gone", given, found, err)
	}
	if state() != store.MailFailed {
		t.Fatalf("state %q, want failed", state())
	}

	// A resend queues a new mail; the old one, sent late, says nothing of the link.
	renewed := inv
	renewed.TokenHash, renewed.ExpiresAt = ids.New(), now.Add(2*time.Hour)
	if err := s.ResendInvitation(ctx, inv, renewed, letter("https://x/invitations/second")); err != nil {
		t.Fatal(err)
	}
	if state() != store.MailQueued {
		t.Fatalf("state %q after a resend, want queued", state())
	}
	if err := s.MailSent(ctx, given); err != nil {
		t.Fatal(err)
	}
	if state() != store.MailQueued {
		t.Fatalf("an earlier mail changed the link's state to %q", state())
	}
	second := outboxtest.Pending(t, db, table)
	if len(second) != 1 || second[0].Letter.Secret != "https://x/invitations/second" {
		t.Fatalf("outbox %+v, want the resend's mail alone", second)
	}
	if err := s.MailSent(ctx, second[0]); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.Outgoing(ctx, second[0].ID); err != nil || found || state() != store.MailSent {
		t.Fatalf("after sending: item found %v (%v), state %q", found, err, state())
	}

	// An open link has no mail and no state.
	open := inv
	open.ID, open.Email, open.TokenHash = ids.New(), "", ids.New()
	if err := s.CreateInvitation(ctx, open, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Invitation(ctx, open.ID); err != nil || got.MailState != "" {
		t.Fatalf("open link: %+v, %v", got, err)
	}
}

// TestIssueCodeQueuesItsLetter: the code and its email are one write, so a code refused
// by the re-send rule sends nothing, and a subject with nothing to send (NoLetter) is
// written alike, its outbox item empty.
func TestIssueCodeQueuesItsLetter(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, table := storetest.StreamedTable(t)
	s := store.New(db, table)
	now := time.Now().Truncate(time.Millisecond)
	grant := store.Code{Purpose: store.RegistrationCode, Subject: "q@example.com", Email: "q@example.com"}
	if err := s.IssueCode(ctx, grant, "111111", now, mail.VerificationCodeLetter(locale.English, "q@example.com", "111111")); err != nil {
		t.Fatal(err)
	}
	if err := s.IssueCode(ctx, grant, "222222", now.Add(time.Second), mail.VerificationCodeLetter(locale.English, "q@example.com", "222222")); !errors.Is(err, apperr.CodeRateLimited) {
		t.Fatalf("second code within the minute: %v", err)
	}
	nobody := store.Code{Purpose: store.PasswordResetCode, Subject: "nobody"}
	if err := s.IssueCode(ctx, nobody, "333333", now, mail.NoLetter()); err != nil {
		t.Fatal(err)
	}
	pending := outboxtest.Pending(t, db, table)
	secrets := map[string]mail.Kind{}
	for _, o := range pending {
		secrets[o.Letter.Secret] = o.Letter.Kind
	}
	if len(pending) != 2 || secrets["111111"] != mail.KindVerificationCode || secrets[""] != mail.NoMail {
		t.Fatalf("outbox %+v, want the first code's email and an empty item", pending)
	}
	if _, err := s.RedeemCode(ctx, grant, "111111", now.Add(2*time.Second)); err != nil {
		t.Fatalf("the queued code does not redeem: %v", err)
	}
}

// TestNoEffectsWithoutAChange: a transaction of an audit event or a mail alone is
// refused before it is sent, so none is ever written without the change it records.
func TestNoEffectsWithoutAChange(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, table := storetest.StreamedTable(t)
	s := store.New(db, table)
	target := ids.New()
	e := store.AuditEvent{ID: ids.New(), At: time.Now(), ActorID: ids.New(), Action: "user.update", TargetType: "user", TargetID: target}
	fx := store.Effects{Audit: &e, Mail: []mail.Letter{mail.EmailChangedLetter(locale.English, "alone@example.com", "n***@example.com")}, At: e.At}
	if err := s.EffectsAlone(ctx, fx); err == nil {
		t.Fatal("effects alone were written")
	}
	events, _, err := s.AuditEvents(ctx, store.AuditFilter{TargetID: target}, store.Page{Limit: 10})
	if err != nil || len(events) != 0 || len(outboxtest.Pending(t, db, table)) != 0 {
		t.Fatalf("%d events (%v), %d mails written", len(events), err, len(outboxtest.Pending(t, db, table)))
	}
}
