package tablemap_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
)

// TestUpdateTxThenAlone: an Update compiled first for a transaction (as
// its item only) and then used alone sends the request of an Update used
// alone from the start, and its transaction item is that request's.
func TestUpdateTxThenAlone(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	update := func() *tablemap.Update[shopCustomer] {
		return sh.customers.Update(shopCustomer{ID: "ann"}).Set("name", "Ann").Incr("points", 10)
	}
	opts := []cmpOption{rawOpts, cmpopts.IgnoreUnexported(dynamodb.UpdateItemInput{}, types.Update{})}

	want, err := update().Params()
	if err != nil {
		t.Fatal(err)
	}
	u := update()
	tx, err := sh.tbl.WriteTx().Update(u).Params()
	if err != nil {
		t.Fatal(err)
	}
	got, err := u.Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "Params after a transaction's", want, got, opts...)
	again, err := sh.tbl.WriteTx().Update(u).Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "transaction item after Params", tx.TransactItems[0].Update, again.TransactItems[0].Update, opts...)
	item := tx.TransactItems[0].Update
	diff(t, "transaction item", &types.Update{TableName: want.TableName, Key: want.Key,
		UpdateExpression: want.UpdateExpression, ConditionExpression: want.ConditionExpression,
		ExpressionAttributeNames: want.ExpressionAttributeNames, ExpressionAttributeValues: want.ExpressionAttributeValues,
		ReturnValuesOnConditionCheckFailure: want.ReturnValuesOnConditionCheckFailure}, item, opts...)
}
