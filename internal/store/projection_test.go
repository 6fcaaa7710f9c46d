package store

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/store/tabledef"
)

// notProjected are record attributes the indexes leave out on purpose: no list reads
// them (template.yaml).
var notProjected = []string{
	"sessionsEndedAt", // changes often: its updates stay base-table writes
	"nameKey",         // only writes read it, from the item (a name's claim key)
	"locale",          // no list shows it (user.ListView); projecting it rebuilds a deployed index
	"mailId",          // the mailer reads it, on the item (its mailState is projected)
}

// TestIndexesProjectWhatListsRead: lists decode records straight from the index
// items (readRecords, ListUsers), so every attribute of a record kept in an index must
// be projected there, or its lists would answer it empty.
func TestIndexesProjectWhatListsRead(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("needs the local stack (-short, make unit)")
	}
	// The table as the local stack made it from template.yaml.
	def, err := tabledef.Load(os.Getenv(tabledef.EnvVar))
	if err != nil {
		t.Fatalf("%v: run through `make test` or `bin/roster-stack run -- go test ...`", err)
	}
	projected := map[string][]string{}
	for _, ix := range def.Table.GlobalSecondaryIndexes {
		if ix.Projection.ProjectionType == types.ProjectionTypeAll {
			projected[*ix.IndexName] = nil // everything
			continue
		}
		projected[*ix.IndexName] = append([]string{}, ix.Projection.NonKeyAttributes...)
	}
	records := []struct {
		record  any
		indexes []string
	}{
		{userRecord{}, []string{"GSI1", "GSI2", "GSI3", "GSI4"}},
		{teamRecord{}, []string{"GSI1"}},
		{roleRecord{}, []string{"GSI1"}},
		{inviteRecord{}, []string{"GSI1"}},
		{inviteCodeRecord{}, []string{"GSI1"}},
	}
	for _, r := range records {
		for _, attr := range recordAttributes(reflect.TypeOf(r.record)) {
			if attr == "pk" || attr == "sk" || strings.HasPrefix(attr, "gsi") || slices.Contains(notProjected, attr) {
				continue
			}
			for _, ix := range r.indexes {
				attrs, ok := projected[ix]
				if !ok {
					t.Fatalf("template.yaml has no index %s", ix)
				}
				if attrs != nil && !slices.Contains(attrs, attr) {
					t.Errorf("%T.%s is not projected into %s: add it to NonKeyAttributes in template.yaml (or to notProjected, if no list shows it)",
						r.record, attr, ix)
				}
			}
		}
	}
}

// recordAttributes are the dynamodbav names of a record's fields, embedded ones included.
func recordAttributes(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		if f.Anonymous {
			out = append(out, recordAttributes(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("dynamodbav"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}
