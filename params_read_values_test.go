package tablemap_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

// TestReadParamsValuesAreTheCallers: the values a read's shape holds
// (the entity type a query filters on) are shared by every request of the
// shape, so Params hands out copies: a caller changing a value in place,
// not only replacing it in the map, cannot change what a later request of
// the same shape sends.
func TestReadParamsValuesAreTheCallers(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	filter := expression.Name("total").GreaterThan(expression.Value(10))
	params := func() map[string]types.AttributeValue {
		q := sh.orders.Query(shopOrder{Customer: "ann"}).Index("GSI1").Filter(filter).Project("total")
		in, err := q.Params()
		if err != nil {
			t.Fatal(err)
		}
		return in.ExpressionAttributeValues
	}
	scanParams := func() map[string]types.AttributeValue {
		in, err := sh.orders.Scan().Filter(filter).Params()
		if err != nil {
			t.Fatal(err)
		}
		return in.ExpressionAttributeValues
	}
	for name, params := range map[string]func() map[string]types.AttributeValue{"Query": params, "Scan": scanParams} {
		want := snapshot(params())
		if len(want) == 0 {
			t.Fatalf("%s: request without values", name)
		}
		scribbleValues(params())
		if d := cmp.Diff(want, snapshot(params())); d != "" {
			t.Errorf("%s: values after a caller changed an earlier Params' values in place (-want +got):\n%s", name, d)
		}
	}
}

// snapshot returns the values as text, kept whatever happens to them.
func snapshot(values map[string]types.AttributeValue) map[string]string {
	m := make(map[string]string, len(values))
	for k, v := range values {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			m[k] = "S " + v.Value
		case *types.AttributeValueMemberN:
			m[k] = "N " + v.Value
		default:
			m[k] = fmt.Sprintf("%T", v)
		}
	}
	return m
}
