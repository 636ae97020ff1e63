package codec

import (
	"reflect"
	"strings"
	"testing"
)

type byLengths struct {
	A     string `dynamo:"a"`
	B     string `dynamo:"b"`     // a length shared with a
	Name  string `dynamo:"name"`  // a length of one field
	Email string `dynamo:"email"` // another
	Long  string `dynamo:"a_very_long_attribute_name_past_32"`
	Long2 string `dynamo:"another_very_long_attribute_name_"`
	Embedded
}

type Embedded struct {
	Photos int `dynamo:"photos"`
}

// TestFieldAsMap: Field, which finds a name by its length, answers as a
// lookup in the map of names for every field, for names of their lengths
// that are no field's, for lengths of no field and past the table, and
// for a struct of more fields than the table can number.
func TestFieldAsMap(t *testing.T) {
	many := make([]reflect.StructField, 300)
	for i := range many {
		many[i] = reflect.StructField{Name: "F" + strings.Repeat("x", i), Type: reflect.TypeFor[int](),
			Tag: reflect.StructTag(`dynamo:"` + strings.Repeat("y", i%40+1) + string(rune('a'+i/40)) + `"`)}
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[byLengths](), reflect.StructOf(many)} {
		st, err := StructOf(typ)
		if err != nil {
			t.Fatal(err)
		}
		names := []string{"", "c", "nam", "named", "emai", "mail!", "x", "photo", "photos2", strings.Repeat("z", 40)}
		for _, f := range st.Fields {
			names = append(names, f.Name, strings.ToUpper(f.Name), f.Name+"x", f.Name[:len(f.Name)-1]+"#")
		}
		found := 0
		for _, n := range names {
			got, want := st.Field(n), st.byName[n]
			if got != want {
				t.Errorf("%v: Field(%q) = %v, the map has %v", typ, n, got, want)
			}
			if got != nil {
				found++
			}
		}
		if found != len(st.Fields) {
			t.Errorf("%v: %d of %d fields found", typ, found, len(st.Fields))
		}
	}
}
