package store

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/validate"
)

// roleRecord is a custom role; the built-in ones live in code (package team). GSI1
// lists custom roles by folded name.
type roleRecord struct {
	key
	GSI1PK string `dynamodbav:"gsi1pk"`
	GSI1SK string `dynamodbav:"gsi1sk"`

	ID          string   `dynamodbav:"id"`
	Name        string   `dynamodbav:"name"`
	Description string   `dynamodbav:"description,omitempty"`
	Permissions []string `dynamodbav:"permissions"`
	CreatedAt   string   `dynamodbav:"createdAt"`
	Version     int64    `dynamodbav:"version"`
	// NameKey is the key of the name's claim (validate.NameKey); see claimedKey.
	NameKey string `dynamodbav:"nameKey,omitempty"`
	// Deleting is set while DeleteRole looks for assignments: from then on no write can
	// assign the role, so "not assigned" cannot become false before the role is gone.
	Deleting bool `dynamodbav:"deleting,omitempty"`
}

// nameClaim reserves a folded team or role name for the item with this id.
type nameClaim struct {
	key
	ID string `dynamodbav:"id"`
}

func roleKey(id string) key         { return key{PK: "ROLE#" + id, SK: "ROLE"} }
func roleNameKey(folded string) key { return key{PK: "ROLENAME#" + folded, SK: "ROLENAME"} }

const rolesAll = "ROLES"

var (
	errRoleNameTaken = apperr.Taken(apperr.CodeRoleNameTaken, "name", "A role with this name already exists.")
	errRoleMissing   = apperr.Missing("Role")
	errRoleChanged   = apperr.Stale("The role")
	errRoleInUse     = apperr.New(apperr.Conflict, apperr.CodeRoleInUse, "This role is assigned to members; change their roles first.")
)

func toRoleRecord(r team.Role, version int64) roleRecord {
	return roleRecord{
		key:    roleKey(r.ID),
		GSI1PK: rolesAll, GSI1SK: validate.NameKey(r.Name) + "#" + r.ID,
		ID: r.ID, Name: r.Name, Description: r.Description, Permissions: r.Permissions,
		CreatedAt: formatTime(r.CreatedAt), Version: version, NameKey: validate.NameKey(r.Name),
	}
}

func (r roleRecord) role() team.Role {
	perms := r.Permissions
	if perms == nil {
		perms = []string{}
	}
	return team.Role{ID: r.ID, Name: r.Name, Description: r.Description, Permissions: perms, CreatedAt: parseTime(r.CreatedAt),
		NameKey: claimedKey(r.Name, r.NameKey)}
}

// CreateRole writes a custom role and claims its name (unique by validate.NameKey).
// The built-in names are taken from the start. fx go with it.
func (s *Store) CreateRole(ctx context.Context, r team.Role, fx Effects) error {
	name := validate.NameKey(r.Name)
	if _, builtIn := team.BuiltIn(name); builtIn {
		return errRoleNameTaken
	}
	tx := s.txn()
	tx.put(toRoleRecord(r, 1), notExists(), nil)
	tx.put(nameClaim{key: roleNameKey(name), ID: r.ID}, notExists(), errRoleNameTaken)
	tx.effects(fx)
	return tx.run(ctx)
}

// Role reads one role, built-in or custom, with its version (0 for built-in ones).
func (s *Store) Role(ctx context.Context, id string) (team.Role, int64, error) {
	if r, ok := team.BuiltIn(id); ok {
		return r, 0, nil
	}
	item, err := s.getItem(ctx, roleKey(id))
	if err != nil {
		return team.Role{}, 0, err
	}
	var r roleRecord
	if item != nil {
		if err := attributevalue.UnmarshalMap(item, &r); err != nil {
			return team.Role{}, 0, apperr.Wrap(err, "unmarshal role")
		}
	}
	if item == nil || r.Deleting {
		return team.Role{}, 0, errRoleMissing
	}
	return r.role(), r.Version, nil
}

// Roles reads roles by id, built-in and custom; missing ones are left out of the map.
func (s *Store) Roles(ctx context.Context, ids []string) (map[string]team.Role, error) {
	out := make(map[string]team.Role, len(ids))
	keys := builtInRoles(out, ids)
	if len(keys) == 0 {
		return out, nil
	}
	items, err := s.getItems(ctx, keys)
	if err != nil {
		return nil, err
	}
	for _, item := range items {
		if err := addRole(out, item); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// builtInRoles puts the built-in roles of ids into out and answers the keys of the
// custom ones, which are to be read.
func builtInRoles(out map[string]team.Role, ids []string) []key {
	var keys []key
	for _, id := range ids {
		if r, ok := team.BuiltIn(id); ok {
			out[id] = r
		} else {
			keys = append(keys, roleKey(id))
		}
	}
	return keys
}

// addRole decodes a role item read by key into out, unless it is being deleted.
func addRole(out map[string]team.Role, item map[string]types.AttributeValue) error {
	var r roleRecord
	if err := attributevalue.UnmarshalMap(item, &r); err != nil {
		return apperr.Wrap(err, "unmarshal role")
	}
	if !r.Deleting {
		out[r.ID] = r.role()
	}
	return nil
}

// UpdateRole replaces a custom role if its version is still version; a new name is
// claimed and the old one freed in the same transaction, with fx.
func (s *Store) UpdateRole(ctx context.Context, old team.Role, version int64, updated team.Role, fx Effects) error {
	oldName, newName := heldKey(old.Name, old.NameKey), validate.NameKey(updated.Name)
	if _, builtIn := team.BuiltIn(newName); builtIn && oldName != newName {
		return errRoleNameTaken
	}
	tx := s.txn()
	tx.put(toRoleRecord(updated, version+1),
		roleActive().And(expression.Name("version").Equal(expression.Value(version))), errRoleChanged)
	if oldName != newName {
		tx.put(nameClaim{key: roleNameKey(newName), ID: updated.ID}, notExists(), errRoleNameTaken)
		tx.deleteAlways(roleNameKey(oldName))
	}
	tx.effects(fx)
	return tx.run(ctx)
}

// DeleteRole removes a custom role no membership holds, with fx; one in use is
// role_in_use. It marks the role, which assignments check, before it looks for a use,
// so an assignment either landed before the mark (and is found) or fails.
func (s *Store) DeleteRole(ctx context.Context, r team.Role, fx Effects) error {
	mark := s.txn()
	mark.update(roleKey(r.ID), expression.Set(expression.Name("deleting"), expression.Value(true)), exists(), errRoleMissing)
	if err := mark.run(ctx); err != nil {
		return err
	}
	uses, _, err := s.query(ctx, query{keyCond: expression.Key("pk").Equal(expression.Value("ROLEUSE#" + r.ID)), limit: 1})
	if err != nil {
		return err
	}
	if len(uses) > 0 {
		unmark := s.txn()
		unmark.update(roleKey(r.ID), expression.Remove(expression.Name("deleting")), exists(), nil)
		if err := unmark.run(ctx); err != nil {
			return err
		}
		return errRoleInUse
	}
	tx := s.txn()
	tx.deleteAlways(roleKey(r.ID))
	tx.deleteAlways(roleNameKey(heldKey(r.Name, r.NameKey)))
	tx.effects(fx)
	return tx.run(ctx)
}

// ListRoles answers one page of roles: the built-in ones first, then custom roles by
// name. A cursor among the built-in roles says how many of them were shown.
func (s *Store) ListRoles(ctx context.Context, p Page) ([]team.Role, string, error) {
	shown, custom := 0, Page{}
	switch after, ok := strings.CutPrefix(p.Cursor, builtInCursor); {
	case p.Cursor == "":
	case ok:
		n, err := strconv.Atoi(after)
		if err != nil || n < 1 || n > len(team.BuiltInRoles) {
			return nil, "", errBadCursor
		}
		shown = n
	default:
		shown, custom.Cursor = len(team.BuiltInRoles), p.Cursor
	}
	out := slices.Clone(team.BuiltInRoles[shown:])
	if len(out) >= p.Limit {
		out = out[:p.Limit]
		next := builtInCursor + strconv.Itoa(shown+p.Limit)
		if shown+p.Limit == len(team.BuiltInRoles) {
			// The page ends with the built-in roles: a next page only if custom ones exist.
			items, _, err := s.query(ctx, query{index: "GSI1", keyCond: rolesPartition(), limit: 1})
			if err != nil || len(items) == 0 {
				next = ""
			}
			return out, next, err
		}
		return out, next, nil
	}
	custom.Limit = p.Limit - len(out)
	spec := listSpec{name: "roles", attrs: []string{"pk", "sk", "gsi1pk", "gsi1sk"}, pkAttr: "gsi1pk", partition: rolesAll}
	roles, next, err := collect(ctx, s, query{index: "GSI1", keyCond: rolesPartition()}, spec, custom,
		readRecords(func(r roleRecord) (team.Role, bool) { return r.role(), !r.Deleting }, keepAll[team.Role]))
	if err != nil {
		return nil, "", err
	}
	return append(out, roles...), next, nil
}

func rolesPartition() expression.KeyConditionBuilder {
	return expression.Key("gsi1pk").Equal(expression.Value(rolesAll))
}

// builtInCursor marks a page boundary among the built-in roles.
const builtInCursor = "builtin."
