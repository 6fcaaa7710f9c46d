// Package team holds the model of SPEC.md sections 3 and 4: teams, roles and their
// permissions, memberships, invitation codes and invitation links.
package team

import (
	"slices"
	"time"
)

// Team groups members.
type Team struct {
	ID          string
	Name        string
	Description string
	CreatedAt   time.Time
	CreatedBy   string
	Version     int64
	// NameKey is the key the store holds the name's uniqueness claim under, as read
	// from the team's own item (lists leave it out); the store's business, like Version.
	NameKey string
}

// Membership is one user's place in one team, with 1 to 3 roles.
type Membership struct {
	TeamID   string
	UserID   string
	RoleIDs  []string
	JoinedAt time.Time
	AddedBy  string
}

// The permissions Roster itself enforces in a team. Any other key is the console's
// business: stored, returned in /v1/me, and never checked here.
const (
	TeamRead          = "team:read"
	TeamUpdate        = "team:update"
	MembersManage     = "members:manage"
	MembersCreate     = "members:create"
	InvitationsManage = "invitations:manage"
	// Every is the built-in owner's permission: every key, known now or later.
	Every = "*"
)

// Permission is one entry of the catalog (GET /v1/permissions).
type Permission struct {
	Key         string `json:"key"`
	Description string `json:"description"`
}

// Catalog lists the team permissions Roster enforces.
var Catalog = []Permission{
	{TeamRead, "See the team and its members."},
	{TeamUpdate, "Rename the team and change its description."},
	{MembersManage, "Add existing members, change their roles and remove them."},
	{MembersCreate, "Create new member accounts directly into the team."},
	{InvitationsManage, "Create, list and revoke invitation codes and links."},
}

// Role is a named set of permission keys, defined once for the whole platform.
type Role struct {
	ID          string
	Name        string
	Description string
	Permissions []string
	BuiltIn     bool
	CreatedAt   time.Time
	// NameKey is the key the store holds a custom role's name claim under, as read
	// from the role's own item (lists leave it out); the store's business.
	NameKey string
}

// The built-in roles; their ids are their names, and they cannot be changed or deleted.
var (
	Owner = Role{ID: "owner", Name: "owner", BuiltIn: true,
		Description: "Every permission.", Permissions: []string{Every}}
	Admin = Role{ID: "admin", Name: "admin", BuiltIn: true,
		Description: "Every team permission.",
		Permissions: []string{TeamRead, TeamUpdate, MembersManage, MembersCreate, InvitationsManage}}
	Member = Role{ID: "member", Name: "member", BuiltIn: true,
		Description: "Sees the team and its members.", Permissions: []string{TeamRead}}
)

// BuiltInRoles in the order lists show them.
var BuiltInRoles = []Role{Owner, Admin, Member}

// BuiltIn returns the built-in role with this id or name (ignoring case for names).
func BuiltIn(id string) (Role, bool) {
	for _, r := range BuiltInRoles {
		if r.ID == id {
			return r, true
		}
	}
	return Role{}, false
}

// Permissions is a set of permission keys: the union of some roles' keys.
type Permissions []string

// Effective is the union of the roles' permissions, sorted, each key once.
func Effective(roles []Role) Permissions {
	var all []string
	for _, r := range roles {
		all = append(all, r.Permissions...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// Has reports whether the set grants key; the owner's "*" grants every key.
func (p Permissions) Has(key string) bool {
	return slices.Contains(p, Every) || slices.Contains(p, key)
}

// Covers reports whether the set grants every permission of role: what a team manager
// needs to assign it (no escalation). Only "*" covers "*".
func (p Permissions) Covers(role Role) bool {
	for _, key := range role.Permissions {
		if !p.Has(key) {
			return false
		}
	}
	return true
}
