package tablemap_test

import (
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
)

// TestReadParamsAreTheCallers: a read's requests share their shape's
// names map with every read of the shape, so each Params of a Query, Scan
// or collection hands out a request of its own; a caller changing its
// names or values cannot change what the same builder, or another of the
// same shape, sends later.
func TestReadParamsAreTheCallers(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	type request struct {
		names  map[string]string
		values map[string]types.AttributeValue
	}
	scribble := func(r request) {
		for k := range r.names {
			r.names[k] = "scribbled"
		}
		for k := range r.values {
			r.values[k] = &types.AttributeValueMemberS{Value: "scribbled"}
		}
		r.values[":scribbled"] = &types.AttributeValueMemberNULL{Value: true}
	}
	opts := cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{}, types.AttributeValueMemberNULL{})
	filter := expression.Name("total").GreaterThan(expression.Value(10))
	for name, params := range map[string]func(*testing.T) func() request{
		"Query": func(t *testing.T) func() request {
			q := sh.orders.Query(shopOrder{Customer: "ann"}).Index("GSI1").Filter(filter).Project("total")
			return func() request {
				in, err := q.Params()
				if err != nil {
					t.Fatal(err)
				}
				return request{in.ExpressionAttributeNames, in.ExpressionAttributeValues}
			}
		},
		"Scan": func(t *testing.T) func() request {
			sc := sh.orders.Scan().Filter(filter).Project("total")
			return func() request {
				in, err := sc.Params()
				if err != nil {
					t.Fatal(err)
				}
				return request{in.ExpressionAttributeNames, in.ExpressionAttributeValues}
			}
		},
		"Collect2": func(t *testing.T) func() request {
			c := tablemap.Collect2(sh.orders.Query(shopOrder{ID: "o1"}).Filter(filter), sh.lines)
			return func() request {
				in, err := c.Params()
				if err != nil {
					t.Fatal(err)
				}
				return request{in.ExpressionAttributeNames, in.ExpressionAttributeValues}
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			same, other := params(t), params(t)
			want := same()
			want = request{maps.Clone(want.names), maps.Clone(want.values)}
			if len(want.names) == 0 || len(want.values) == 0 {
				t.Fatalf("request without names or values: %v", want)
			}
			scribble(same())
			for what, got := range map[string]request{"the same builder": same(), "another builder": other()} {
				if d := cmp.Diff(want.names, got.names); d != "" {
					t.Errorf("names of %s after a caller changed an earlier Params' (-want +got):\n%s", what, d)
				}
				if d := cmp.Diff(want.values, got.values, opts); d != "" {
					t.Errorf("values of %s after a caller changed an earlier Params' (-want +got):\n%s", what, d)
				}
			}
		})
	}
}
