package tablemap

import (
	"errors"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

type member struct {
	_      struct{}  `tablemap:"Member" pk:"ORG#{org}" sk:"TEAM#{team}#USER#{user}" gsi1pk:"USER#{user}" gsi1sk:"JOINED#{joined}#ORG#{org}"`
	Org    string    `dynamo:"org"`
	Team   string    `dynamo:"team"`
	User   string    `dynamo:"user"`
	Joined time.Time `dynamo:"joined"`
}

// TestPrefix checks the partition key and sort key prefix of partial
// values on the table, a GSI and the inverted index.
func TestPrefix(t *testing.T) {
	t.Parallel()
	tbl := NewTable(nil, "app", WithInvertedIndex())
	members, err := Define[member](tbl)
	if err != nil {
		t.Fatal(err)
	}
	joined := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		index string
		v     member
		want  keyPrefix
	}{
		{"", member{Org: "acme"}, keyPrefix{PKAttr: "PK", SKAttr: "SK", PK: "ORG#acme", SKPrefix: "TEAM#"}},
		{"", member{Org: "acme", Team: "db"}, keyPrefix{PKAttr: "PK", SKAttr: "SK", PK: "ORG#acme", SKPrefix: "TEAM#db#USER#"}},
		{"", member{Org: "acme", Team: "db", User: "ann"}, keyPrefix{PKAttr: "PK", SKAttr: "SK", PK: "ORG#acme", SKPrefix: "TEAM#db#USER#ann", SKComplete: true}},
		{"GSI1", member{User: "ann#x"}, keyPrefix{Index: "GSI1", PKAttr: "GSI1PK", SKAttr: "GSI1SK", PK: "USER#ann%23x", SKPrefix: "JOINED#"}},
		{"GSI1", member{User: "ann", Joined: joined}, keyPrefix{Index: "GSI1", PKAttr: "GSI1PK", SKAttr: "GSI1SK", PK: "USER#ann", SKPrefix: "JOINED#2024-01-02T00:00:00.000000000Z#ORG#"}},
		{"Inverted", member{Team: "db", User: "ann"}, keyPrefix{Index: "Inverted", PKAttr: "SK", SKAttr: "PK", PK: "TEAM#db#USER#ann", SKPrefix: "ORG#"}},
	}
	for _, tt := range tests {
		got, err := members.prefix(tt.index, tt.v)
		if err != nil {
			t.Errorf("prefix(%q, %+v): %v", tt.index, tt.v, err)
			continue
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("prefix(%q, %+v) differs (-want +got):\n%s", tt.index, tt.v, d)
		}
	}

	for _, tt := range []struct {
		index string
		v     member
	}{
		{"", member{Team: "db"}},         // no partition key
		{"GSI1", member{Org: "acme"}},    // no GSI1 partition key
		{"Inverted", member{Team: "db"}}, // the inverted partition key needs user too
		{"GSI2", member{Org: "acme"}},    // no such index
		// A field set after an empty one: dropping it would widen the query.
		{"", member{Org: "acme", User: "ann"}},
	} {
		if _, err := members.prefix(tt.index, tt.v); !errorsIs(err, ErrInvalidKey) {
			t.Errorf("prefix(%q, %+v): %v, want ErrInvalidKey", tt.index, tt.v, err)
		}
	}
}

func errorsIs(err, target error) bool { return err != nil && errors.Is(err, target) }

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
	tbl := NewTable(nil, "app")
	e, err := Define[flagged](tbl)
	if err != nil {
		t.Fatal(err)
	}
	sk := e.s.primary.sk
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
		got, err := sk.values(p, queryFields)
		if err != nil || !cmp.Equal(tt.query, got) {
			t.Errorf("query fields of %+v = %q, %v; want %q", tt.v, got, err, tt.query)
		}
		got, err = sk.values(p, boundFields)
		if err != nil || !cmp.Equal(tt.bound, got) {
			t.Errorf("bound fields of %+v = %q, %v; want %q", tt.v, got, err, tt.bound)
		}
	}
}
