package team

import (
	"time"

	"github.com/roster-dev/roster/internal/apperr"
)

// CodeValidity is how long an invitation code can be redeemed (SPEC.md section 4).
const CodeValidity = 24 * time.Hour

// Status of an invitation code or link. Expired is never stored: it is read from the
// clock, because DynamoDB's TTL may remove an expired item days late.
type Status string

const (
	Pending  Status = "pending"
	Accepted Status = "accepted" // a link was accepted, or a code redeemed
	Revoked  Status = "revoked"
	Expired  Status = "expired"
)

// Statuses a link list can be filtered by.
var Statuses = []Status{Pending, Accepted, Revoked, Expired}

// Code is an invitation code: 8 digits, single use, valid 24 hours.
type Code struct {
	Code      string
	TeamID    string
	RoleIDs   []string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	Status    Status
	UsedBy    string
	UsedAt    time.Time
}

// StatusAt is the code's status at now.
func (c Code) StatusAt(now time.Time) Status { return statusAt(c.Status, c.ExpiresAt, now) }

// Invitation is an invitation link, bound to an email address or open.
type Invitation struct {
	ID         string
	TeamID     string
	Email      string // "" for an open link
	RoleIDs    []string
	CreatedBy  string
	CreatedAt  time.Time
	ValidFor   time.Duration
	ExpiresAt  time.Time
	Status     Status
	AcceptedBy string
	AcceptedAt time.Time
	TokenHash  string // of the current token; a resend replaces it
	// MailState is the fate of a bound link's latest mail: queued, sent or failed
	// (store.MailQueued, ...); "" for an open link.
	MailState string
}

// StatusAt is the link's status at now.
func (i Invitation) StatusAt(now time.Time) Status { return statusAt(i.Status, i.ExpiresAt, now) }

func statusAt(stored Status, expiresAt, now time.Time) Status {
	if stored == Pending && !now.Before(expiresAt) {
		return Expired
	}
	return stored
}

// The 410 answers of SPEC.md section 4.
var (
	ErrUsed    = apperr.New(apperr.Gone, apperr.CodeInvitationUsed, "This invitation has already been used.")
	ErrRevoked = apperr.New(apperr.Gone, apperr.CodeInvitationRevoked, "This invitation was revoked.")
	ErrExpired = apperr.New(apperr.Gone, apperr.CodeInvitationExpired, "This invitation has expired.")
)

// Usable returns nil for a pending status, or the 410 that the status calls for.
func Usable(s Status) error {
	switch s {
	case Pending:
		return nil
	case Accepted:
		return ErrUsed
	case Expired:
		return ErrExpired
	default:
		return ErrRevoked
	}
}
