package tablemap_test

import (
	"math"
	"strings"
	"testing"

	"github.com/tablemap/tablemap"
)

// TestDesignShopEntities checks the design names each entity's managed
// and encrypted attributes, and marks GSI keys sparse.
func TestDesignShopEntities(t *testing.T) {
	t.Parallel()
	tbl := shopTable(tablemap.WithCipher(testCipher(t)))
	define[shopCustomer](t, tbl)
	define[shopSession](t, tbl)
	define[shopCard](t, tbl)
	d := tbl.Design()
	c := d.Entity("Customer")
	if c == nil {
		t.Fatal("no Customer in the design")
	}
	diff(t, "managed", []string{"v", "created", "updated", ""}, []string{c.Version, c.Created, c.Updated, c.TTL})
	k, ok := c.KeyOf("GSI1")
	if !ok || !k.Sparse || k.PartitionKey.Template != "EMAIL#{email}" {
		t.Errorf("GSI1 key %+v, %v: want the sparse EMAIL#{email}", k, ok)
	}
	diff(t, "ttl", "expires", d.Table.TTL)
	diff(t, "encrypted", []string{"number"}, d.Entity("Card").Encrypted)
	if d.Entity("Order") != nil {
		t.Error("an entity not defined is in the design")
	}
}

// TestCreateTableInputShop checks CreateTable's request has one GSI per
// index the entities declare, and the inverted index when asked for.
func TestCreateTableInputShop(t *testing.T) {
	t.Parallel()
	sh := newShop(t, tablemap.WithInvertedIndex())
	in := sh.tbl.CreateTableInput()
	var names []string
	for _, g := range in.GlobalSecondaryIndexes {
		names = append(names, *g.IndexName)
	}
	diff(t, "indexes", []string{"GSI1", "GSI2", tablemap.InvertedIndex}, names)
}

// TestUpdateEncryptedActions checks Set and SetIfNotExists of an encrypted
// attribute seal the value, and Add or Append to it are refused.
func TestUpdateEncryptedActions(t *testing.T) {
	t.Parallel()
	tbl := shopTable(tablemap.WithCipher(testCipher(t)))
	cards := define[shopCard](t, tbl)
	key := shopCard{Customer: "ann", Last4: "4242"}
	for _, u := range []*tablemap.Update[shopCard]{cards.Update(key).Set("number", "4242424242424242"), cards.Update(key).SetIfNotExists("number", "4242424242424242")} {
		in := updateOf(t, u)
		update, _ := updateText(in)
		if strings.Contains(update, "4242424242424242") || !strings.Contains(update, "bytes>") {
			t.Errorf("update %q, want the number sealed", update)
		}
	}
	if _, err := cards.Update(key).Add("number", "1").Params(); err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Errorf("Add to an encrypted attribute: error %v", err)
	}
}

// TestUpdateIncrExtremes checks Incr by the smallest int64 decrements by
// its magnitude, 2^63, and the bound is that magnitude.
func TestUpdateIncrExtremes(t *testing.T) {
	t.Parallel()
	tbl := shopTable()
	type counter struct {
		_  struct{} `tablemap:"Counter" pk:"C#{id}"`
		ID string   `dynamo:"id"`
		N  uint64   `dynamo:"n"`
	}
	counters := define[counter](t, tbl)
	update, cond := updateText(updateOf(t, counters.Update(counter{ID: "c"}).Incr("n", math.MinInt64)))
	diff(t, "update", "ADD n -9223372036854775808\n", update)
	sameCond(t, "condition", `(_type = "Counter") AND (n >= 9223372036854775808)`, cond)
}

// TestQueryRefusesNegativeLimit checks a negative Limit is an error, not
// "no limit".
func TestQueryRefusesNegativeLimit(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	if _, err := sh.lines.Query(shopLine{Order: "o1"}).Limit(-1).Params(); err == nil {
		t.Error("Limit(-1): no error")
	}
}

// TestConjuncts checks the condition comparison of these tests: ANDs
// flatten whatever their nesting, a BETWEEN's AND and quoted text stay.
func TestConjuncts(t *testing.T) {
	t.Parallel()
	diff(t, "nested", conjuncts(`(a = 1) AND ((b = 2) AND (c = ") AND ("))`), conjuncts(`((c = ") AND (") AND (a = 1)) AND (b = 2)`))
	diff(t, "between", []string{`PK = "x"`, `SK BETWEEN "a" AND "b"`}, conjuncts(`(PK = "x") AND (SK BETWEEN "a" AND "b")`))
	if d := conjuncts(`(a = 1) OR (b = 2)`); len(d) != 1 {
		t.Errorf("an OR split into %q", d)
	}
}
