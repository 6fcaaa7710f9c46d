package store

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/validate"
)

// teamRecord is a team as stored. GSI1 lists every team by folded name, so that the
// admins' list is sorted by name and its prefix filter is a key condition.
type teamRecord struct {
	key
	GSI1PK string `dynamodbav:"gsi1pk"`
	GSI1SK string `dynamodbav:"gsi1sk"`

	ID          string `dynamodbav:"id"`
	Name        string `dynamodbav:"name"`
	Description string `dynamodbav:"description,omitempty"`
	CreatedAt   string `dynamodbav:"createdAt"`
	CreatedBy   string `dynamodbav:"createdBy,omitempty"`
	Version     int64  `dynamodbav:"version"`
	// NameKey is the key of the name's claim (validate.NameKey); see claimedKey.
	NameKey string `dynamodbav:"nameKey,omitempty"`
	// Deleting is set by DeleteTeam before it removes the team's items: from then on
	// the team is gone for every reader, nothing can join it, and a failed deletion
	// can be run again.
	Deleting bool `dynamodbav:"deleting,omitempty"`
}

func teamKey(id string) key              { return key{PK: "TEAM#" + id, SK: "TEAM"} }
func teamNameKey(folded string) key      { return key{PK: "TEAMNAME#" + folded, SK: "TEAMNAME"} }
func teamSortKey(name, id string) string { return validate.NameKey(name) + "#" + id }

const teamsAll = "TEAMS"

var (
	errTeamNameTaken = apperr.Taken(apperr.CodeTeamNameTaken, "name", "A team with this name already exists.")
	errTeamMissing   = apperr.Missing("Team")
	errTeamChanged   = apperr.Stale("The team")
)

func toTeamRecord(t team.Team) teamRecord {
	return teamRecord{
		key:    teamKey(t.ID),
		GSI1PK: teamsAll, GSI1SK: teamSortKey(t.Name, t.ID),
		ID: t.ID, Name: t.Name, Description: t.Description,
		CreatedAt: formatTime(t.CreatedAt), CreatedBy: t.CreatedBy, Version: t.Version,
		NameKey: validate.NameKey(t.Name),
	}
}

func (r teamRecord) team() team.Team {
	return team.Team{
		ID: r.ID, Name: r.Name, Description: r.Description,
		CreatedAt: parseTime(r.CreatedAt), CreatedBy: r.CreatedBy, Version: r.Version,
		NameKey: claimedKey(r.Name, r.NameKey),
	}
}

// claimedKey is the key a team's or role's name claim is held under. Items written
// before names were keyed by validate.NameKey have no nameKey attribute: their claim
// is under the lower-cased name, and a rename or deletion releases that one.
func claimedKey(name, stored string) string {
	if stored != "" {
		return stored
	}
	return strings.ToLower(name)
}

// heldKey is the claim key of a team or role the caller read (its NameKey), or, for
// one built by hand, the key its name would be claimed under now.
func heldKey(name, read string) string {
	if read != "" {
		return read
	}
	return validate.NameKey(name)
}

// teamActive is the condition every write into a team depends on.
func teamActive() expression.ConditionBuilder {
	return exists().And(expression.AttributeNotExists(expression.Name("deleting")))
}

// CreateTeam writes a team and claims its name (unique by validate.NameKey); with owner set,
// the first membership is written in the same transaction, and so are fx.
func (s *Store) CreateTeam(ctx context.Context, t team.Team, owner *team.Membership, fx Effects) error {
	tx := s.txn()
	tx.put(toTeamRecord(t), notExists(), nil)
	tx.put(nameClaim{key: teamNameKey(validate.NameKey(t.Name)), ID: t.ID}, notExists(), errTeamNameTaken)
	if owner != nil {
		s.addMembership(tx, *owner, false)
	}
	tx.effects(fx)
	return tx.run(ctx)
}

// Team reads one team; a missing team, or one being deleted, is not_found.
func (s *Store) Team(ctx context.Context, id string) (team.Team, error) {
	item, err := s.getItem(ctx, teamKey(id))
	if err != nil {
		return team.Team{}, err
	}
	return decodeTeam(item)
}

func decodeTeam(item map[string]types.AttributeValue) (team.Team, error) {
	if item == nil {
		return team.Team{}, errTeamMissing
	}
	var r teamRecord
	if err := attributevalue.UnmarshalMap(item, &r); err != nil {
		return team.Team{}, apperr.Wrap(err, "unmarshal team")
	}
	if r.Deleting {
		return team.Team{}, errTeamMissing
	}
	return r.team(), nil
}

// TeamAccess reads a team and one user's membership in it with one BatchGetItem: what
// every team-scoped request needs to decide. The membership is nil for a non-member;
// with userID "" only the team is read.
func (s *Store) TeamAccess(ctx context.Context, teamID, userID string) (team.Team, *team.Membership, error) {
	keys := []key{teamKey(teamID)}
	if userID != "" {
		keys = append(keys, memberKey(teamID, userID))
	}
	items, err := s.getItems(ctx, keys)
	if err != nil {
		return team.Team{}, nil, err
	}
	var t team.Team
	var m *team.Membership
	err = errTeamMissing
	for _, item := range items {
		switch strAttr(item, "sk") {
		case "TEAM":
			t, err = decodeTeam(item)
		default:
			var r memberRecord
			if uerr := attributevalue.UnmarshalMap(item, &r); uerr != nil {
				return team.Team{}, nil, apperr.Wrap(uerr, "unmarshal membership")
			}
			mm := r.membership()
			m = &mm
		}
	}
	if err != nil {
		return team.Team{}, nil, err
	}
	return t, m, nil
}

// Teams reads teams by id, in the order given; missing and deleted ones are left out.
// It is for what pages show (lists, a user's teams): the read is eventually consistent.
func (s *Store) Teams(ctx context.Context, ids []string) ([]team.Team, error) {
	keys := make([]key, len(ids))
	for i, id := range ids {
		keys[i] = teamKey(id)
	}
	items, err := s.getSnapshot(ctx, keys)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]team.Team, len(items))
	for _, item := range items {
		if t, err := decodeTeam(item); err == nil {
			byID[t.ID] = t
		}
	}
	out := make([]team.Team, 0, len(ids))
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// UpdateTeam replaces a team's name and description if nobody changed it since old was
// read; a new name is claimed and the old one freed in the same transaction, with fx.
func (s *Store) UpdateTeam(ctx context.Context, old, updated team.Team, fx Effects) error {
	updated.Version = old.Version + 1
	tx := s.txn()
	tx.put(toTeamRecord(updated),
		teamActive().And(expression.Name("version").Equal(expression.Value(old.Version))), errTeamChanged)
	if oldName, newName := heldKey(old.Name, old.NameKey), validate.NameKey(updated.Name); oldName != newName {
		tx.put(nameClaim{key: teamNameKey(newName), ID: updated.ID}, notExists(), errTeamNameTaken)
		tx.deleteAlways(teamNameKey(oldName))
	}
	tx.effects(fx)
	return tx.run(ctx)
}

// DeleteTeam marks the team deleted, removes its memberships, codes and invitations,
// then the team and its name. Each step can be repeated, so a deletion that failed
// midway is finished by calling it again. fx go with the first step: from the mark on,
// the team is gone.
func (s *Store) DeleteTeam(ctx context.Context, id string, fx Effects) error {
	tx := s.txn()
	tx.update(teamKey(id), expression.Set(expression.Name("deleting"), expression.Value(true)), exists(), errTeamMissing)
	tx.effects(fx)
	if err := tx.run(ctx); err != nil {
		return err
	}
	item, err := s.getItem(ctx, teamKey(id))
	if err != nil {
		return err
	}
	var r teamRecord
	if err := attributevalue.UnmarshalMap(item, &r); err != nil {
		return apperr.Wrap(err, "unmarshal team")
	}
	members, err := s.queryAll(ctx, query{keyCond: expression.Key("pk").Equal(expression.Value(teamKey(id).PK)).
		And(expression.Key("sk").BeginsWith("MEMBER#"))})
	if err != nil {
		return err
	}
	var keys []key
	for _, item := range members {
		var m memberRecord
		if err := attributevalue.UnmarshalMap(item, &m); err != nil {
			return apperr.Wrap(err, "unmarshal membership")
		}
		keys = append(keys, membershipKeys(m.membership())...)
	}
	for _, partition := range []string{teamCodesPartition(id), teamInvitesPartition(id)} {
		items, err := s.queryAll(ctx, query{index: "GSI1", keyCond: expression.Key("gsi1pk").Equal(expression.Value(partition))})
		if err != nil {
			return err
		}
		for _, item := range items {
			keys = append(keys, key{PK: strAttr(item, "pk"), SK: strAttr(item, "sk")})
		}
	}
	if err := s.deleteItems(ctx, keys); err != nil {
		return err
	}
	end := s.txn()
	end.deleteAlways(teamKey(id))
	end.deleteAlways(teamNameKey(claimedKey(r.Name, r.NameKey)))
	return end.run(ctx)
}

// ListTeams answers one page of every team, by name, optionally those whose name
// starts with prefix (compared by validate.NameKey).
func (s *Store) ListTeams(ctx context.Context, prefix string, p Page) ([]team.Team, string, error) {
	folded := validate.NameKey(prefix)
	cond := expression.Key("gsi1pk").Equal(expression.Value(teamsAll))
	if folded != "" {
		cond = cond.And(expression.Key("gsi1sk").BeginsWith(folded))
	}
	spec := listSpec{name: "teams:" + folded, attrs: []string{"pk", "sk", "gsi1pk", "gsi1sk"}, pkAttr: "gsi1pk", partition: teamsAll}
	return collect(ctx, s, query{index: "GSI1", keyCond: cond}, spec, p, readRecords(
		func(r teamRecord) (team.Team, bool) { return r.team(), !r.Deleting },
		func(t team.Team) bool {
			// The sort key joins name and id: a prefix running past the name is no match.
			return strings.HasPrefix(validate.NameKey(t.Name), folded)
		}))
}

// ListUserTeams answers one page of the teams a user belongs to, by team id,
// optionally those whose name starts with prefix.
func (s *Store) ListUserTeams(ctx context.Context, userID, prefix string, p Page) ([]team.Team, string, error) {
	folded := validate.NameKey(prefix)
	partition := userKey(userID).PK
	cond := expression.Key("pk").Equal(expression.Value(partition)).And(expression.Key("sk").BeginsWith(memberOfPrefix))
	spec := listSpec{name: "user-teams:" + userID + ":" + folded, attrs: []string{"pk", "sk"}, pkAttr: "pk", partition: partition}
	return collect(ctx, s, query{keyCond: cond}, spec, p, s.resolveTeams(func(t team.Team) bool {
		return strings.HasPrefix(validate.NameKey(t.Name), folded)
	}))
}

// resolveTeams reads the teams that a user's membership items point at, and keeps
// those keep accepts.
func (s *Store) resolveTeams(keep func(team.Team) bool) func(context.Context, []map[string]types.AttributeValue) ([]team.Team, []bool, error) {
	return func(ctx context.Context, items []map[string]types.AttributeValue) ([]team.Team, []bool, error) {
		ids := make([]string, len(items))
		for i, item := range items {
			if sk := strAttr(item, "sk"); strings.HasPrefix(sk, memberOfPrefix) {
				ids[i] = strings.TrimPrefix(sk, memberOfPrefix)
			} else {
				ids[i] = strings.TrimPrefix(strAttr(item, "pk"), "TEAM#")
			}
		}
		teams, err := s.Teams(ctx, ids)
		if err != nil {
			return nil, nil, err
		}
		byID := make(map[string]team.Team, len(teams))
		for _, t := range teams {
			byID[t.ID] = t
		}
		values := make([]team.Team, len(items))
		kept := make([]bool, len(items))
		for i, id := range ids {
			values[i], kept[i] = byID[id]
			kept[i] = kept[i] && keep(values[i])
		}
		return values, kept, nil
	}
}
