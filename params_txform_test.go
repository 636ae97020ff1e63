package tablemap_test

import (
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
)

// annUpdate returns a maker of one Update of customer ann, and the
// options comparing its requests.
func annUpdate(sh shop) (func() *tablemap.Update[shopCustomer], []cmpOption) {
	return func() *tablemap.Update[shopCustomer] {
		return sh.customers.Update(shopCustomer{ID: "ann"}).Set("name", "Ann").Incr("points", 10)
	}, []cmpOption{rawOpts, cmpopts.IgnoreUnexported(dynamodb.UpdateItemInput{}, types.Update{})}
}

// TestUpdateTxThenAlone: an Update compiled first for a transaction (as
// its item only) and then used alone sends the request of an Update used
// alone from the start, and its transaction item is that request's.
func TestUpdateTxThenAlone(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	update, opts := annUpdate(sh)

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

// TestUpdateParamsThenReuse: an Update's first Params builds the caller's
// request directly; whatever the caller then does to it, a later Params
// or transaction of the same Update sends what it would have.
func TestUpdateParamsThenReuse(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	update, opts := annUpdate(sh)
	want, err := update().Params()
	if err != nil {
		t.Fatal(err)
	}
	wantNames := maps.Clone(want.ExpressionAttributeNames)
	wantTx, err := sh.tbl.WriteTx().Update(update()).Params()
	if err != nil {
		t.Fatal(err)
	}

	scribble := func(in *dynamodb.UpdateItemInput) {
		*in.TableName, *in.UpdateExpression, *in.ConditionExpression = "other", "SET #x = :x", "#x = :x" // through the pointers
		in.TableName, in.UpdateExpression = aws.String("another"), aws.String("REMOVE #y")
		in.ReturnValues = types.ReturnValueNone
		for k := range in.ExpressionAttributeNames {
			in.ExpressionAttributeNames[k] = "scribbled"
		}
	}
	u := update()
	first, err := u.Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "first Params", want, first, opts...)
	scribble(first)
	again, err := u.Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "Params after the caller changed the first", want, again, opts...)
	diff(t, "names after the caller changed the first", wantNames, again.ExpressionAttributeNames)

	u = update()
	if first, err = u.Params(); err != nil {
		t.Fatal(err)
	}
	scribble(first)
	tx, err := sh.tbl.WriteTx().Update(u).Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "transaction after the caller changed Params", wantTx.TransactItems[0].Update, tx.TransactItems[0].Update, opts...)
	if fresh, err := update().Params(); err != nil {
		t.Fatal(err)
	} else {
		diff(t, "a later Update of the shape", want, fresh, opts...)
	}
}

// TestUpdateRunAfterParams: an Update whose first Params the caller
// changed runs as it would have (on DynamoDB Local), and so does one first
// compiled for a transaction.
func TestUpdateRunAfterParams(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)
	key := Photo{Username: "ann", Taken: taken}
	if err := photos.Put(Photo{Username: "ann", Taken: taken, URL: "u", Likes: 1}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	u := photos.Update(key).Set("url", "v").Add("likes", 2)
	in, err := u.Params()
	if err != nil {
		t.Fatal(err)
	}
	in.TableName, in.UpdateExpression, in.ReturnValues = aws.String("nowhere"), aws.String("REMOVE #x"), types.ReturnValueNone
	got, err := u.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "photo updated after its Params changed", Photo{Username: "ann", Taken: taken, URL: "v", Likes: 3}, got)

	u = photos.Update(key).Set("url", "w").Add("likes", 2)
	if _, err := tbl.WriteTx().Update(u).Params(); err != nil {
		t.Fatal(err)
	}
	if got, err = u.Run(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "photo updated after a transaction's Params", Photo{Username: "ann", Taken: taken, URL: "w", Likes: 5}, got)
}
