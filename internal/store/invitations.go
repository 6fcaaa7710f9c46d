package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/team"
)

// Invitation codes and links are consumed by a condition of the transaction that adds
// the membership, so of concurrent redemptions exactly one wins. Expiry is a condition
// on validUntil at the write; expiresAt is only the TTL, which cleans up late.

// keepAfterExpiry is how long a used or expired invitation stays readable, so that it
// answers 410 with its reason rather than 404.
const keepAfterExpiry = 30 * 24 * time.Hour

type inviteCodeRecord struct {
	key
	GSI1PK string `dynamodbav:"gsi1pk"`
	GSI1SK string `dynamodbav:"gsi1sk"`

	Code       string   `dynamodbav:"code"`
	TeamID     string   `dynamodbav:"teamId"`
	RoleIDs    []string `dynamodbav:"roleIds"`
	CreatedBy  string   `dynamodbav:"createdBy"`
	CreatedAt  string   `dynamodbav:"createdAt"`
	ValidUntil string   `dynamodbav:"validUntil"`
	Status     string   `dynamodbav:"status"`
	UsedBy     string   `dynamodbav:"usedBy,omitempty"`
	UsedAt     string   `dynamodbav:"usedAt,omitempty"`
	ExpiresAt  int64    `dynamodbav:"expiresAt"`
}

func inviteCodeKey(code string) key           { return key{PK: "INVCODE#" + code, SK: "INVCODE"} }
func teamCodesPartition(teamID string) string { return "TEAMCODES#" + teamID }

func (r inviteCodeRecord) code() team.Code {
	return team.Code{
		Code: r.Code, TeamID: r.TeamID, RoleIDs: r.RoleIDs, CreatedBy: r.CreatedBy,
		CreatedAt: parseTime(r.CreatedAt), ExpiresAt: parseTime(r.ValidUntil),
		Status: team.Status(r.Status), UsedBy: r.UsedBy, UsedAt: parseTime(r.UsedAt),
	}
}

var (
	// ErrInvitationCodeTaken means a live code already has these digits: draw again.
	ErrInvitationCodeTaken = apperr.New(apperr.Conflict, apperr.CodeCodeTaken, "This code is in use.")
	errCodeMissing         = apperr.Missing("Invitation code")
	errInviteMissing       = apperr.Missing("Invitation")
)

// pendingAt holds for an invitation still pending and unexpired at now.
func pendingAt(now time.Time) expression.ConditionBuilder {
	return expression.Name("status").Equal(expression.Value(string(team.Pending))).
		And(expression.Name("validUntil").GreaterThan(expression.Value(formatTime(now))))
}

// CreateInvitationCode writes a code if no live code has its digits; a used, revoked or expired
// one is replaced. It answers ErrInvitationCodeTaken when the digits are live. fx go
// with it.
func (s *Store) CreateInvitationCode(ctx context.Context, c team.Code, now time.Time, fx Effects) error {
	tx := s.txn()
	tx.put(inviteCodeRecord{
		key:    inviteCodeKey(c.Code),
		GSI1PK: teamCodesPartition(c.TeamID), GSI1SK: formatTime(c.CreatedAt) + "#" + c.Code,
		Code: c.Code, TeamID: c.TeamID, RoleIDs: c.RoleIDs, CreatedBy: c.CreatedBy,
		CreatedAt: formatTime(c.CreatedAt), ValidUntil: formatTime(c.ExpiresAt), Status: string(team.Pending),
		ExpiresAt: c.ExpiresAt.Add(keepAfterExpiry).Unix(),
	}, notExists().Or(pendingAt(now).Not()), ErrInvitationCodeTaken)
	tx.check(teamKey(c.TeamID), teamActive(), errTeamMissing)
	checkRoles(tx, c.RoleIDs)
	tx.effects(fx)
	return tx.run(ctx)
}

// InvitationCode reads one invitation code; an unknown one is not_found.
func (s *Store) InvitationCode(ctx context.Context, code string) (team.Code, error) {
	item, err := s.getItem(ctx, inviteCodeKey(code))
	if err != nil {
		return team.Code{}, err
	}
	if item == nil {
		return team.Code{}, errCodeMissing
	}
	var r inviteCodeRecord
	if err := attributevalue.UnmarshalMap(item, &r); err != nil {
		return team.Code{}, apperr.Wrap(err, "unmarshal code")
	}
	return r.code(), nil
}

// ListInvitationCodes answers one page of a team's live codes, newest first: pending and
// unexpired at now, and still granted by their issuer as judge finds (see Issuers).
func (s *Store) ListInvitationCodes(ctx context.Context, teamID string, now time.Time, p Page, judge GrantJudge) ([]team.Code, string, error) {
	partition := teamCodesPartition(teamID)
	spec := listSpec{name: "codes:" + teamID, attrs: []string{"pk", "sk", "gsi1pk", "gsi1sk"}, pkAttr: "gsi1pk", partition: partition}
	q := query{index: "GSI1", keyCond: expression.Key("gsi1pk").Equal(expression.Value(partition)), reverse: true}
	read := readRecords(func(r inviteCodeRecord) (team.Code, bool) { return r.code(), true },
		func(c team.Code) bool {
			// A code's digits may since have been drawn again for another team.
			return c.TeamID == teamID && c.StatusAt(now) == team.Pending
		})
	return collect(ctx, s, q, spec, p, func(ctx context.Context, items []map[string]types.AttributeValue) ([]team.Code, []bool, error) {
		codes, keep, err := read(ctx, items)
		if err != nil {
			return nil, nil, err
		}
		granted, err := judgePending(ctx, judge, len(codes), func(i int) (Offer, bool) {
			return Offer{IssuerID: codes[i].CreatedBy, RoleIDs: codes[i].RoleIDs}, keep[i]
		})
		if err != nil {
			return nil, nil, err
		}
		for i := range codes {
			keep[i] = keep[i] && granted[i]
		}
		return codes, keep, nil
	})
}

// RevokeInvitationCode revokes a pending code of a team. A code that changed since c was read
// (used, revoked, expired meanwhile) answers the 410 of what it became. fx go with it.
func (s *Store) RevokeInvitationCode(ctx context.Context, c team.Code, now time.Time, fx Effects) error {
	tx := s.txn()
	tx.update(inviteCodeKey(c.Code), expression.Set(expression.Name("status"), expression.Value(string(team.Revoked))),
		pendingAt(now).And(expression.Name("teamId").Equal(expression.Value(c.TeamID))), team.ErrUsed)
	tx.effects(fx)
	return tx.run(ctx)
}

// RedeemInvitationCode consumes a code and adds the membership m in one transaction,
// while the code's issuer is still as by (else ErrIssuerChanged). A code consumed first
// by someone else answers invitation_used.
func (s *Store) RedeemInvitationCode(ctx context.Context, c team.Code, m team.Membership, by Issuer, now time.Time) error {
	tx := s.txn()
	tx.update(inviteCodeKey(c.Code),
		expression.Set(expression.Name("status"), expression.Value(string(team.Accepted))).
			Set(expression.Name("usedBy"), expression.Value(m.UserID)).
			Set(expression.Name("usedAt"), expression.Value(formatTime(now))),
		pendingAt(now).And(expression.Name("teamId").Equal(expression.Value(c.TeamID))), team.ErrUsed)
	s.addMembership(tx, m, true)
	checkIssuer(tx, c.TeamID, m.UserID, by)
	return tx.run(ctx)
}

type inviteRecord struct {
	key
	GSI1PK string `dynamodbav:"gsi1pk"`
	GSI1SK string `dynamodbav:"gsi1sk"`

	ID            string   `dynamodbav:"id"`
	TeamID        string   `dynamodbav:"teamId"`
	Email         string   `dynamodbav:"email,omitempty"`
	RoleIDs       []string `dynamodbav:"roleIds"`
	CreatedBy     string   `dynamodbav:"createdBy"`
	CreatedAt     string   `dynamodbav:"createdAt"`
	ValidForHours int      `dynamodbav:"validForHours"`
	ValidUntil    string   `dynamodbav:"validUntil"`
	Status        string   `dynamodbav:"status"`
	AcceptedBy    string   `dynamodbav:"acceptedBy,omitempty"`
	AcceptedAt    string   `dynamodbav:"acceptedAt,omitempty"`
	TokenHash     string   `dynamodbav:"tokenHash"`
	ExpiresAt     int64    `dynamodbav:"expiresAt"`
	// MailID is the outbox item of the link's latest mail, MailState its fate (queued,
	// sent, failed), which the mailer writes; a link never mailed has neither.
	MailID    string `dynamodbav:"mailId,omitempty"`
	MailState string `dynamodbav:"mailState,omitempty"`
}

// tokenRecord finds an invitation by the hash of a link's token. Tokens replaced by a
// resend keep their item, so an old link answers invitation_revoked rather than 404.
type tokenRecord struct {
	key
	InvitationID string `dynamodbav:"invitationId"`
	ExpiresAt    int64  `dynamodbav:"expiresAt"`
}

func inviteKey(id string) key                   { return key{PK: "INVITE#" + id, SK: "INVITE"} }
func tokenKey(hash string) key                  { return key{PK: "INVTOKEN#" + hash, SK: "INVTOKEN"} }
func teamInvitesPartition(teamID string) string { return "TEAMINVITES#" + teamID }

func toInviteRecord(i team.Invitation) inviteRecord {
	return inviteRecord{
		key:    inviteKey(i.ID),
		GSI1PK: teamInvitesPartition(i.TeamID), GSI1SK: formatTime(i.CreatedAt) + "#" + i.ID,
		ID: i.ID, TeamID: i.TeamID, Email: i.Email, RoleIDs: i.RoleIDs, CreatedBy: i.CreatedBy,
		CreatedAt: formatTime(i.CreatedAt), ValidForHours: int(i.ValidFor / time.Hour),
		ValidUntil: formatTime(i.ExpiresAt), Status: string(i.Status),
		AcceptedBy: i.AcceptedBy, AcceptedAt: formatTime(i.AcceptedAt), TokenHash: i.TokenHash,
		ExpiresAt: i.ExpiresAt.Add(keepAfterExpiry).Unix(),
	}
}

func (r inviteRecord) invitation() team.Invitation {
	return team.Invitation{
		ID: r.ID, TeamID: r.TeamID, Email: r.Email, RoleIDs: r.RoleIDs, CreatedBy: r.CreatedBy,
		CreatedAt: parseTime(r.CreatedAt), ValidFor: time.Duration(r.ValidForHours) * time.Hour,
		ExpiresAt: parseTime(r.ValidUntil), Status: team.Status(r.Status),
		AcceptedBy: r.AcceptedBy, AcceptedAt: parseTime(r.AcceptedAt), TokenHash: r.TokenHash,
		MailState: r.MailState,
	}
}

func (s *Store) putToken(tx *txn, i team.Invitation) {
	tx.put(tokenRecord{key: tokenKey(i.TokenHash), InvitationID: i.ID, ExpiresAt: i.ExpiresAt.Add(keepAfterExpiry).Unix()},
		notExists(), nil)
}

// CreateInvitation writes a pending link and its token, with fx. The link's mail (fx's,
// for a bound link) tells it whether it was sent: Invitation.MailState.
func (s *Store) CreateInvitation(ctx context.Context, i team.Invitation, fx Effects) error {
	tx := s.txn()
	r := toInviteRecord(i)
	r.MailID, r.MailState = tx.mailFor(inviteKey(i.ID), fx)
	tx.put(r, notExists(), nil)
	s.putToken(tx, i)
	tx.check(teamKey(i.TeamID), teamActive(), errTeamMissing)
	checkRoles(tx, i.RoleIDs)
	return tx.run(ctx)
}

// Invitation reads one link by id.
func (s *Store) Invitation(ctx context.Context, id string) (team.Invitation, error) {
	item, err := s.getItem(ctx, inviteKey(id))
	if err != nil {
		return team.Invitation{}, err
	}
	if item == nil {
		return team.Invitation{}, errInviteMissing
	}
	var r inviteRecord
	if err := attributevalue.UnmarshalMap(item, &r); err != nil {
		return team.Invitation{}, apperr.Wrap(err, "unmarshal invitation")
	}
	return r.invitation(), nil
}

// InvitationByToken finds the link whose token hashes to hash. A token that a resend
// replaced answers invitation_revoked.
func (s *Store) InvitationByToken(ctx context.Context, hash string) (team.Invitation, error) {
	item, err := s.getItem(ctx, tokenKey(hash))
	if err != nil {
		return team.Invitation{}, err
	}
	if item == nil {
		return team.Invitation{}, errInviteMissing
	}
	var t tokenRecord
	if err := attributevalue.UnmarshalMap(item, &t); err != nil {
		return team.Invitation{}, apperr.Wrap(err, "unmarshal token")
	}
	i, err := s.Invitation(ctx, t.InvitationID)
	if err != nil {
		return team.Invitation{}, err
	}
	if i.TokenHash != hash {
		return team.Invitation{}, team.ErrRevoked
	}
	return i, nil
}

// ListInvitations answers one page of a team's links, newest first, optionally only
// those with a status at now. A pending link that judge finds no longer granted is
// revoked (see Issuers).
func (s *Store) ListInvitations(ctx context.Context, teamID string, status team.Status, now time.Time, p Page, judge GrantJudge) ([]team.Invitation, string, error) {
	partition := teamInvitesPartition(teamID)
	spec := listSpec{name: "invitations:" + teamID + ":" + string(status), attrs: []string{"pk", "sk", "gsi1pk", "gsi1sk"}, pkAttr: "gsi1pk", partition: partition}
	q := query{index: "GSI1", keyCond: expression.Key("gsi1pk").Equal(expression.Value(partition)), reverse: true}
	read := readRecords(func(r inviteRecord) (team.Invitation, bool) { return r.invitation(), true },
		keepAll[team.Invitation])
	return collect(ctx, s, q, spec, p, func(ctx context.Context, items []map[string]types.AttributeValue) ([]team.Invitation, []bool, error) {
		batch, keep, err := read(ctx, items)
		if err != nil {
			return nil, nil, err
		}
		granted, err := judgePending(ctx, judge, len(batch), func(i int) (Offer, bool) {
			return Offer{IssuerID: batch[i].CreatedBy, RoleIDs: batch[i].RoleIDs}, batch[i].StatusAt(now) == team.Pending
		})
		if err != nil {
			return nil, nil, err
		}
		for i := range batch {
			if !granted[i] {
				batch[i].Status = team.Revoked
			}
			keep[i] = status == "" || batch[i].StatusAt(now) == status
		}
		return batch, keep, nil
	})
}

// RevokeInvitation revokes a pending link, with fx. One accepted meanwhile answers
// invitation_used.
func (s *Store) RevokeInvitation(ctx context.Context, i team.Invitation, fx Effects) error {
	tx := s.txn()
	tx.update(inviteKey(i.ID), expression.Set(expression.Name("status"), expression.Value(string(team.Revoked))),
		expression.Name("status").Equal(expression.Value(string(team.Pending))), team.ErrUsed)
	tx.effects(fx)
	return tx.run(ctx)
}

// ResendInvitation gives a pending link (expired or not) a new token and a new expiry;
// the old token stops working in the same transaction, which writes fx too. Its new
// mail, if any, is the one whose fate the link shows from now on.
func (s *Store) ResendInvitation(ctx context.Context, old, renewed team.Invitation, fx Effects) error {
	tx := s.txn()
	update := expression.Set(expression.Name("tokenHash"), expression.Value(renewed.TokenHash)).
		Set(expression.Name("validUntil"), expression.Value(formatTime(renewed.ExpiresAt))).
		Set(expression.Name("expiresAt"), expression.Value(renewed.ExpiresAt.Add(keepAfterExpiry).Unix()))
	if id, state := tx.mailFor(inviteKey(old.ID), fx); id != "" {
		update = update.Set(expression.Name("mailId"), expression.Value(id)).Set(expression.Name("mailState"), expression.Value(state))
	}
	tx.update(inviteKey(old.ID), update,
		expression.Name("status").Equal(expression.Value(string(team.Pending))).
			And(expression.Name("tokenHash").Equal(expression.Value(old.TokenHash))), errInviteChanged)
	s.putToken(tx, renewed)
	tx.check(teamKey(old.TeamID), teamActive(), errTeamMissing)
	return tx.run(ctx)
}

var errInviteChanged = apperr.Stale("The invitation")

// AcceptInvitation marks a link accepted and adds the membership m in one transaction,
// while the issuer is still as by (else ErrIssuerChanged); a link used, revoked or
// resent meanwhile is invitation_used. With verify (the address a bound link went to),
// that address is marked verified too, if it is still the joiner's.
func (s *Store) AcceptInvitation(ctx context.Context, i team.Invitation, m team.Membership, by Issuer, verify string, now time.Time) error {
	tx := s.txn()
	tx.update(inviteKey(i.ID),
		expression.Set(expression.Name("status"), expression.Value(string(team.Accepted))).
			Set(expression.Name("acceptedBy"), expression.Value(m.UserID)).
			Set(expression.Name("acceptedAt"), expression.Value(formatTime(now))),
		pendingAt(now).And(expression.Name("tokenHash").Equal(expression.Value(i.TokenHash))), team.ErrUsed)
	s.addMembershipVerifying(tx, m, true, verify)
	checkIssuer(tx, i.TeamID, m.UserID, by)
	return tx.run(ctx)
}
