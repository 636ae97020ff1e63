package engine

import "testing"

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
