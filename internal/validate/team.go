package validate

import "strings"

// SPEC.md limits, named once so that checkers and messages cannot disagree.
const (
	maxNameLen        = 64
	maxDescriptionLen = 500
	maxPermissionLen  = 100
	maxPermissions    = 50
	maxRolesPerMember = 3
)

const (
	msgPermissionKey = "must be lower-case parts separated by ':', e.g. team:read; each part starts with a letter and holds only a-z, 0-9, _ and -"
	msgDuplicate     = "is listed twice"
)

// TeamName checks a team's name: trimmed, NFC, 1 to 64 characters, nothing
// invisible. Uniqueness (of its NameKey) is the store's business, enforced by a
// conditional write.
func TeamName(f Fields, field, v string) string { return name(f, field, v) }

// RoleName checks a role's name: trimmed, NFC, 1 to 64 characters, nothing
// invisible. Uniqueness (of its NameKey) is the store's business, enforced by a
// conditional write.
func RoleName(f Fields, field, v string) string { return name(f, field, v) }

// name is the shared rule of team and role names. Control characters are refused
// with the invisible ones (displayName): a name is shown on one line in lists and in
// email subjects, where a newline would break the layout.
func name(f Fields, field, v string) string {
	v = displayName(f, field, v)
	switch {
	case v == "":
		f.Add(field, msgRequired)
	case runeLen(v) > maxNameLen:
		f.Add(field, lengthMessage(1, maxNameLen))
	}
	return v
}

// Description checks a free-text description: trimmed, at most 500
// characters, may be empty. Line breaks and tabs are allowed; other control
// characters are not.
func Description(f Fields, field, v string) string {
	v = trimmed(v)
	switch {
	case runeLen(v) > maxDescriptionLen:
		f.Add(field, lengthMessage(0, maxDescriptionLen))
	case hasControl(v, true):
		f.Add(field, msgControl)
	}
	return v
}

// PermissionKey checks one permission key against SPEC.md:
// ^[a-z][a-z0-9_-]*(:[a-z][a-z0-9_-]*)+$ and at most 100 characters. The
// built-in owner's "*" is not a key anyone can submit, so it is refused here.
func PermissionKey(f Fields, field, v string) {
	switch {
	case v == "":
		f.Add(field, msgRequired)
	case len(v) > maxPermissionLen:
		f.Add(field, lengthMessage(0, maxPermissionLen))
	case !isPermissionKey(v):
		f.Add(field, msgPermissionKey)
	}
}

// isPermissionKey matches the SPEC.md expression by hand: it is short, and it
// keeps a regexp compilation out of every function's cold start.
func isPermissionKey(k string) bool {
	parts := 0
	for part := range strings.SplitSeq(k, ":") {
		if part == "" || part[0] < 'a' || part[0] > 'z' {
			return false
		}
		for i := 1; i < len(part); i++ {
			c := part[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
				return false
			}
		}
		parts++
	}
	return parts >= 2
}

// Permissions checks a role's permission list: at most 50 keys, each a valid
// permission key, none listed twice. An empty list is allowed (a role may
// grant nothing yet). Element errors are reported as field[i].
func Permissions(f Fields, field string, keys []string) {
	if len(keys) > maxPermissions {
		f.Add(field, "must list at most 50 permissions")
	}
	seen := make(map[string]bool, len(keys))
	for i, k := range keys {
		PermissionKey(f, indexed(field, i), k)
		if seen[k] {
			f.Add(indexed(field, i), msgDuplicate)
		}
		seen[k] = true
	}
}

// RoleIDs checks the roles of a membership or an invitation: 1 to 3 ids, none
// empty, none listed twice. Whether the ids exist, and whether the caller may
// assign them, is decided against the store and the authorization rules.
func RoleIDs(f Fields, field string, ids []string) {
	if len(ids) < 1 || len(ids) > maxRolesPerMember {
		f.Add(field, "must list 1 to 3 roles")
	}
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		switch {
		case strings.TrimSpace(id) == "":
			f.Add(indexed(field, i), msgRequired)
		case seen[id]:
			f.Add(indexed(field, i), msgDuplicate)
		}
		seen[id] = true
	}
}
