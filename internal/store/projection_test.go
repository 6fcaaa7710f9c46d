package store

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/roster-dev/roster/infra/provision"
	"github.com/roster-dev/roster/infra/samtemplate"
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
	tmpl, err := samtemplate.Load(provision.TemplatePath())
	if err != nil {
		t.Fatal(err)
	}
	props, err := tmpl.ResolveProperties(tmpl.Table, nil)
	if err != nil {
		t.Fatal(err)
	}
	projected := map[string][]string{}
	indexes, _ := props["GlobalSecondaryIndexes"].([]any)
	for _, ix := range indexes {
		ix := ix.(map[string]any)
		p := ix["Projection"].(map[string]any)
		name := ix["IndexName"].(string)
		if p["ProjectionType"] == "ALL" {
			projected[name] = nil // everything
			continue
		}
		attrs := []string{}
		for _, a := range p["NonKeyAttributes"].([]any) {
			attrs = append(attrs, a.(string))
		}
		projected[name] = attrs
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
