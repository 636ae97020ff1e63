package tablemap_test

import (
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestParamsAreTheCallers: requests of one shape share their rendered
// names map, so each Params hands out a copy; a caller changing it (to
// send the request itself, say) cannot change what later requests of the
// same shape send.
func TestParamsAreTheCallers(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	scribble := func(names map[string]string) {
		for k := range names {
			names[k] = "scribbled"
		}
	}
	check := func(what string, before, after map[string]string) {
		t.Helper()
		if !maps.Equal(before, after) {
			t.Errorf("%s: names %v after a caller changed an earlier Params' copy, want %v", what, after, before)
		}
	}

	put := func() map[string]string {
		in, err := sh.customers.Put(shopCustomer{ID: "c1"}).Params()
		if err != nil {
			t.Fatal(err)
		}
		return in.ExpressionAttributeNames
	}
	want := maps.Clone(put())
	scribble(put())
	check("Put", want, put())

	update := func() map[string]string {
		in, err := sh.customers.Update(shopCustomer{ID: "c1"}).Set("name", "Ann").Params()
		if err != nil {
			t.Fatal(err)
		}
		return in.ExpressionAttributeNames
	}
	want = maps.Clone(update())
	scribble(update())
	check("Update", want, update())

	del := func() map[string]string {
		in, err := sh.customers.Delete(shopCustomer{ID: "c1"}).Params()
		if err != nil {
			t.Fatal(err)
		}
		return in.ExpressionAttributeNames
	}
	want = maps.Clone(del())
	scribble(del())
	check("Delete", want, del())

	check2 := func() map[string]string {
		in, err := sh.customers.Check(shopCustomer{ID: "c1"}).Exists().Params()
		if err != nil {
			t.Fatal(err)
		}
		return in.ExpressionAttributeNames
	}
	want = maps.Clone(check2())
	scribble(check2())
	check("Check", want, check2())

	tx := func() []types.TransactWriteItem {
		in, err := sh.tbl.WriteTx().Put(sh.customers.Put(shopCustomer{ID: "c2"})).
			Update(sh.customers.Update(shopCustomer{ID: "c1"}).Set("name", "Ann")).Params()
		if err != nil {
			t.Fatal(err)
		}
		return in.TransactItems
	}
	items := tx()
	wantPut, wantUpdate := maps.Clone(items[0].Put.ExpressionAttributeNames), maps.Clone(items[1].Update.ExpressionAttributeNames)
	items = tx()
	scribble(items[0].Put.ExpressionAttributeNames)
	scribble(items[1].Update.ExpressionAttributeNames)
	items = tx()
	check("WriteTx Put", wantPut, items[0].Put.ExpressionAttributeNames)
	check("WriteTx Update", wantUpdate, items[1].Update.ExpressionAttributeNames)
}
