package tablemap_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap"
)

type teamMember struct {
	_      struct{}  `tablemap:"TeamMember" pk:"ORG#{org}" sk:"TEAM#{team}#USER#{user}" gsi1pk:"USER#{user}" gsi1sk:"JOINED#{joined}#ORG#{org}"`
	Org    string    `dynamo:"org"`
	Team   string    `dynamo:"team"`
	User   string    `dynamo:"user"`
	Joined time.Time `dynamo:"joined"`
}

// TestQueryPrefix checks the partition key and sort key prefix a query
// sends for partial values on the table, a GSI and the inverted index, and
// the partial values no key condition can honour.
func TestQueryPrefix(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "app", tablemap.WithInvertedIndex())
	members := tablemap.MustDefine[teamMember](tbl)
	joined := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		index string
		v     teamMember
		want  []string // the key condition's values: the partition key, then the sort key's
	}{
		{"", teamMember{Org: "acme"}, []string{"ORG#acme", "TEAM#"}},
		{"", teamMember{Org: "acme", Team: "db"}, []string{"ORG#acme", "TEAM#db#USER#"}},
		{"", teamMember{Org: "acme", Team: "db", User: "ann"}, []string{"ORG#acme", "TEAM#db#USER#ann"}},
		{"GSI1", teamMember{User: "ann#x"}, []string{"USER#ann%23x", "JOINED#"}},
		{"GSI1", teamMember{User: "ann", Joined: joined}, []string{"USER#ann", "JOINED#2024-01-02T00:00:00.000000000Z#ORG#"}},
		{"Inverted", teamMember{Team: "db", User: "ann"}, []string{"TEAM#db#USER#ann", "ORG#"}},
	} {
		in, err := members.Query(tt.v).Index(tt.index).Params()
		if err != nil {
			t.Errorf("Query(%+v).Index(%q): %v", tt.v, tt.index, err)
			continue
		}
		var got []string
		for _, av := range in.ExpressionAttributeValues {
			if s, ok := av.(*types.AttributeValueMemberS); ok && s.Value != "TeamMember" {
				got = append(got, s.Value)
			}
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tt.want))
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("Query(%+v).Index(%q) key values differ (-want +got):\n%s", tt.v, tt.index, d)
		}
	}

	for _, tt := range []struct {
		index string
		v     teamMember
	}{
		{"", teamMember{Team: "db"}},         // no partition key
		{"GSI1", teamMember{Org: "acme"}},    // no GSI1 partition key
		{"Inverted", teamMember{Team: "db"}}, // the inverted partition key needs user too
		{"GSI2", teamMember{Org: "acme"}},    // no such index
		// A field set after an empty one: dropping it would widen the query.
		{"", teamMember{Org: "acme", User: "ann"}},
	} {
		if _, err := members.Query(tt.v).Index(tt.index).Params(); err == nil || !errors.Is(err, tablemap.ErrInvalidKey) {
			t.Errorf("Query(%+v).Index(%q): %v, want ErrInvalidKey", tt.v, tt.index, err)
		}
	}
}
