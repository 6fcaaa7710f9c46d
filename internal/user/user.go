// Package user holds the user model: account types, statuses and the JSON view of a user.
package user

import (
	"time"

	"github.com/roster-dev/roster/internal/locale"
)

type AccountType string

const (
	SuperAdmin    AccountType = "super_admin"
	PlatformAdmin AccountType = "platform_admin"
	Member        AccountType = "member"
)

// AccountTypes lists every type, in the order lists show them.
var AccountTypes = []AccountType{SuperAdmin, PlatformAdmin, Member}

func (t AccountType) Valid() bool {
	return t == SuperAdmin || t == PlatformAdmin || t == Member
}

// Admin reports whether t has platform powers (SPEC.md section 1).
func (t AccountType) Admin() bool { return t == SuperAdmin || t == PlatformAdmin }

type Status string

const (
	Active Status = "active"
	Frozen Status = "frozen"
)

var Statuses = []Status{Active, Frozen}

func (s Status) Valid() bool { return s == Active || s == Frozen }

// User is a person known to Roster. Its ID is also its Cognito username, so the
// access token's username claim names the user without a lookup.
type User struct {
	ID            string
	Username      string
	LoginAccount  string
	Email         string
	EmailVerified bool
	Mobile        string
	AccountType   AccountType
	Status        Status
	MFAEnabled    bool
	// Locale is the language Roster writes to the user in (its emails); the store
	// answers locale.Default for a record written before users had one.
	Locale      locale.Locale
	CreatedAt   time.Time
	CreatedBy   string
	LastLoginAt time.Time
	// SessionsEndedAt is when the user's sessions were last ended (freeze, logout,
	// password reset). Access tokens issued before it are refused: Cognito cannot
	// revoke an access token, and one issued before a freeze must not work again once
	// the user is recovered.
	SessionsEndedAt time.Time
	Version         int64
}

// View is the user object of SPEC.md section 6.
type View struct {
	ID            string      `json:"id"`
	Username      string      `json:"username"`
	LoginAccount  string      `json:"loginAccount"`
	Email         *string     `json:"email"`
	EmailVerified bool        `json:"emailVerified"`
	Mobile        *string     `json:"mobile"`
	AccountType   AccountType `json:"accountType"`
	Status        Status      `json:"status"`
	MFAEnabled    bool        `json:"mfaEnabled"`
	Locale        string      `json:"locale,omitempty"` // left out of lists: see ListView
	CreatedAt     string      `json:"createdAt"`
	CreatedBy     *string     `json:"createdBy"`
	LastLoginAt   *string     `json:"lastLoginAt"`
}

func (u User) View() View {
	return View{
		ID:            u.ID,
		Username:      u.Username,
		LoginAccount:  u.LoginAccount,
		Email:         optional(u.Email),
		EmailVerified: u.EmailVerified,
		Mobile:        optional(u.Mobile),
		AccountType:   u.AccountType,
		Status:        u.Status,
		MFAEnabled:    u.MFAEnabled,
		Locale:        string(u.Locale.OrDefault()),
		CreatedAt:     Timestamp(u.CreatedAt),
		CreatedBy:     optional(u.CreatedBy),
		LastLoginAt:   optional(timestampOrEmpty(u.LastLoginAt)),
	}
}

// ListView is the user as lists show it: View without the locale. Lists read users
// from the table's indexes, which do not carry the locale (template.yaml projects the
// attributes lists show, and a projection cannot change on a deployed index without
// building it again); no list needs it, and a list must not answer a default for it.
func (u User) ListView() View {
	v := u.View()
	v.Locale = ""
	return v
}

// Timestamp formats t as the API does: RFC 3339 in UTC, to the millisecond.
func Timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func timestampOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return Timestamp(t)
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
