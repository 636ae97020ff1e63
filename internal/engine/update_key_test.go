package engine

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

type pkOnly struct {
	_    struct{} `tablemap:"Thing" pk:"THING#{kind}#{id}"`
	Kind string   `dynamo:"kind"`
	ID   string   `dynamo:"id"`
	Name string   `dynamo:"name"`
}

// TestIsKeyFieldAsKeyFields: IsKeyField answers as KeyFields for every
// attribute of entities with a partition key alone, a sort key, indexes
// and a field in both key parts, and for names of no field.
func TestIsKeyFieldAsKeyFields(t *testing.T) {
	_, user, doc, post := writeTable(t)
	inv := NewTable(nil, "app")
	inv.Inverted = true
	single := NewTable(nil, "app")
	single.SK = ""
	schemas := []*Schema{user, doc, post, schemaOf[indexed](t, inv), schemaOf[pkOnly](t, single)}
	keys := 0
	for _, s := range schemas {
		names := []string{"", "PK", "SK", "nope", "_type"}
		for _, f := range s.Codec.Fields {
			names = append(names, f.Name)
		}
		for _, n := range names {
			if got, want := s.IsKeyField(n), s.KeyFields[n]; got != want {
				t.Errorf("%s: IsKeyField(%q) = %v, KeyFields says %v", s.Name, n, got, want)
			}
			if s.KeyFields[n] {
				keys++
			}
		}
	}
	if keys < 8 {
		t.Errorf("%d key fields in all: the schemas do not test both sides", keys)
	}
}

// TestKeyItemAsTable: a write's key item, typed by its schema's key parts,
// is the table's, for string, number and partition-only keys.
func TestKeyItemAsTable(t *testing.T) {
	_, user, _, post := writeTable(t)
	single := NewTable(nil, "app")
	single.SK = ""
	th := schemaOf[thought](t, thoughtsTable())
	for _, c := range []struct {
		s *Schema
		k Key
	}{{user, Key{PK: "USER#ann", SK: "PROFILE"}}, {post, Key{PK: "USER#ann", SK: "POST#1"}},
		{schemaOf[pkOnly](t, single), Key{PK: "THING#a#b"}}, {th, Key{PK: "ann", SK: "1700000000"}}} {
		if d := cmp.Diff(c.s.Table.KeyItem(c.k), c.s.keyItem(c.k, nil), sdkOpts); d != "" {
			t.Errorf("%s: key item differs from the table's (-table +schema):\n%s", c.s.Name, d)
		}
		if d := cmp.Diff(c.s.Table.KeyItem(c.k), c.s.keyItem(c.k, new(valueRoom)), sdkOpts); d != "" {
			t.Errorf("%s: key item in a room differs from the table's (-table +schema):\n%s", c.s.Name, d)
		}
	}
	if _, ok := th.keyItem(Key{PK: "ann", SK: "1"}, nil)["createdAt"].(*types.AttributeValueMemberN); !ok {
		t.Errorf("a number sort key is not N")
	}
}
