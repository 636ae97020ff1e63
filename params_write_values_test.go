package tablemap_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap"
)

// unprocessing is a client that leaves every write of a batch unprocessed.
type unprocessing struct{ tablemap.Client }

func (unprocessing) BatchWriteItem(_ context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return &dynamodb.BatchWriteItemOutput{UnprocessedItems: in.RequestItems}, nil
}

// scribbleValues changes in place every string and number value of each
// map (an item, a key, expression values), as a caller may.
func scribbleValues(ms ...map[string]types.AttributeValue) {
	for _, m := range ms {
		for _, v := range m {
			switch v := v.(type) {
			case *types.AttributeValueMemberS:
				v.Value = "scribbled"
			case *types.AttributeValueMemberN:
				v.Value = "-1"
			}
		}
	}
}

// The values of a write's Params — its item, key and expression values,
// alone or in a transaction — are the caller's: changing one in place
// changes no later request (the entity-type value, for one, is the same
// for every write of the entity).
func TestWriteParamsValuesAreTheCallers(t *testing.T) {
	t.Parallel()
	placed := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	order := shopOrder{ID: "o1", Customer: "ann", Placed: placed, Status: "open", Total: 12}
	cond := expression.Name("total").LessThan(expression.Value(100))
	batchOrders := map[*tablemap.Table]*tablemap.Entity[shopOrder]{}
	writes := map[string]func(sh shop) []map[string]types.AttributeValue{
		"Put": func(sh shop) []map[string]types.AttributeValue {
			in, err := sh.orders.Put(order).If(cond).Params()
			if err != nil {
				t.Fatal(err)
			}
			return []map[string]types.AttributeValue{in.Item, in.ExpressionAttributeValues}
		},
		"Update": func(sh shop) []map[string]types.AttributeValue {
			in, err := sh.orders.Update(order).Set("status", "paid").Add("total", 1).If(cond).Params()
			if err != nil {
				t.Fatal(err)
			}
			return []map[string]types.AttributeValue{in.Key, in.ExpressionAttributeValues}
		},
		"Delete": func(sh shop) []map[string]types.AttributeValue {
			in, err := sh.orders.Delete(order).If(cond).Params()
			if err != nil {
				t.Fatal(err)
			}
			return []map[string]types.AttributeValue{in.Key, in.ExpressionAttributeValues}
		},
		"BatchError": func(sh shop) []map[string]types.AttributeValue {
			orders := batchOrders[sh.tbl]
			if orders == nil { // one entity for every call of the case
				orders = define[shopOrder](t, tablemap.NewTable(unprocessing{}, "shop"))
				batchOrders[sh.tbl] = orders
			}
			tbl := orders.Table()
			err := tbl.BatchWrite().Put(orders.Put(order)).Retries(0).Backoff(0, 0).Run(ctx)
			var be *tablemap.BatchError
			if !errors.As(err, &be) || len(be.Unprocessed) != 1 {
				t.Fatalf("error %v, want a *BatchError with the put unprocessed", err)
			}
			in, err := orders.Put(order).Params() // of the same entity
			if err != nil {
				t.Fatal(err)
			}
			return []map[string]types.AttributeValue{be.Unprocessed[0].Item, in.Item}
		},
		"WriteTx": func(sh shop) []map[string]types.AttributeValue {
			in, err := sh.tbl.WriteTx().
				Put(sh.orders.Put(order).IfNotExists()).
				Update(sh.orders.Update(shopOrder{ID: "o2"}).Set("total", 5).If(cond)).
				Delete(sh.orders.Delete(shopOrder{ID: "o3"})).
				Check(sh.orders.Check(shopOrder{ID: "o4"}).If(cond)).
				Params()
			if err != nil {
				t.Fatal(err)
			}
			var ms []map[string]types.AttributeValue
			for _, it := range in.TransactItems {
				switch {
				case it.Put != nil:
					ms = append(ms, it.Put.Item, it.Put.ExpressionAttributeValues)
				case it.Update != nil:
					ms = append(ms, it.Update.Key, it.Update.ExpressionAttributeValues)
				case it.Delete != nil:
					ms = append(ms, it.Delete.Key, it.Delete.ExpressionAttributeValues)
				case it.ConditionCheck != nil:
					ms = append(ms, it.ConditionCheck.Key, it.ConditionCheck.ExpressionAttributeValues)
				}
			}
			return ms
		},
	}
	snap := func(ms []map[string]types.AttributeValue) []map[string]string {
		out := make([]map[string]string, len(ms))
		for i, m := range ms {
			out[i] = snapshot(m)
		}
		return out
	}
	for name, params := range writes {
		sh := newShop(t)
		want := snap(params(sh))
		scribbleValues(params(sh)...)
		if d := cmp.Diff(want, snap(params(sh))); d != "" {
			t.Errorf("%s: values after a caller changed an earlier Params' values in place (-want +got):\n%s", name, d)
		}
	}
}
