package engine

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

type flagged struct {
	_      struct{} `tablemap:"Flagged" pk:"P#{p}" sk:"{n}#{on}#{name}"`
	P      string   `dynamo:"p"`
	N      int      `dynamo:"n"`
	On     bool     `dynamo:"on"`
	Name   string   `dynamo:"name"`
	Ignore int      `dynamo:"ignore"`
}

// TestPartialKeyFields checks which sort key fields a query's partial
// value and a condition's value give, zero numbers and false included.
func TestPartialKeyFields(t *testing.T) {
	t.Parallel()
	s, err := NewSchema(NewTable(nil, "app"), reflect.TypeFor[flagged]())
	if err != nil {
		t.Fatal(err)
	}
	sk := s.Primary.SK
	const zero, one = "00000000000000000000", "00000000000000000001"
	for _, tt := range []struct {
		v            flagged
		query, bound []string
	}{
		{v: flagged{}, query: []string{}, bound: []string{zero, "false"}},
		{v: flagged{N: 1}, query: []string{one}, bound: []string{one, "false"}},
		{v: flagged{On: true}, query: []string{zero, "true"}, bound: []string{zero, "true"}},
		{v: flagged{Name: "x"}, query: []string{zero, "false", "x"}, bound: []string{zero, "false", "x"}},
		{v: flagged{N: 1, On: true, Name: "x"}, query: []string{one, "true", "x"}, bound: []string{one, "true", "x"}},
	} {
		p := unsafe.Pointer(&tt.v)
		got, err := sk.Values(p, QueryFields)
		if err != nil || !cmp.Equal(tt.query, got) {
			t.Errorf("query fields of %+v = %q, %v; want %q", tt.v, got, err, tt.query)
		}
		got, err = sk.Values(p, BoundFields)
		if err != nil || !cmp.Equal(tt.bound, got) {
			t.Errorf("bound fields of %+v = %q, %v; want %q", tt.v, got, err, tt.bound)
		}
	}
}
