package tablemap_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

var placed = time.Date(2025, 5, 30, 18, 0, 0, 0, time.UTC)

// TestPutParamsItem checks the item a Put writes: the table key, the type
// attribute, both GSI keys built from their templates and every data
// attribute, nothing else.
func TestPutParamsItem(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in, err := sh.orders.Put(shopOrder{ID: "o1", Customer: "ann", Placed: placed, Status: "paid", Total: 1250}).Params()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]types.AttributeValue{
		"PK": s("ORDER#o1"), "SK": s("ORDER"), "_type": s("Order"),
		"GSI1PK": s("CUSTOMER#ann"), "GSI1SK": s(timeKey(placed)),
		"GSI2PK": s("STATUS#paid"), "GSI2SK": s("ann#" + timeKey(placed)),
		"id": s("o1"), "customer": s("ann"), "placed": s(placed.Format(time.RFC3339Nano)), "status": s("paid"), "total": n("1250"),
	}
	diff(t, "item", want, in.Item, rawOpts)
	diff(t, "table", "shop", *in.TableName)
}

// TestPutParamsSparseIndex checks an item whose index field is empty gets
// no keys of that index, and keeps those of the others.
func TestPutParamsSparseIndex(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in, err := sh.orders.Put(shopOrder{ID: "o1", Customer: "ann", Placed: placed}).Params()
	if err != nil {
		t.Fatal(err)
	}
	for _, attr := range []string{"GSI2PK", "GSI2SK", "status"} {
		if v, ok := in.Item[attr]; ok {
			t.Errorf("item has %s = %s, want none: the order has no status", attr, avText(v))
		}
	}
	diff(t, "GSI1 keys", []string{`"CUSTOMER#ann"`, `"` + timeKey(placed) + `"`}, []string{avText(in.Item["GSI1PK"]), avText(in.Item["GSI1SK"])})
}

// TestPutParamsGuard checks a Put with no option of an entity without a
// version still may only replace an item of its own type.
func TestPutParamsGuard(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in, err := sh.lines.Put(shopLine{Order: "o1", N: 2, SKU: "tea", Qty: 3}).Params()
	if err != nil {
		t.Fatal(err)
	}
	sameCond(t, "condition", `(attribute_not_exists (PK)) OR (_type = "Line")`,
		readable(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	diff(t, "return on failure", types.ReturnValuesOnConditionCheckFailureAllOld, in.ReturnValuesOnConditionCheckFailure)
	diff(t, "sort key", s("LINE#"+intKey(2)), in.Item["SK"], rawOpts)
}

// TestPutParamsVersionZero checks a Put of version 0 requires that no item
// exists, which makes the type guard needless, and writes version 1.
func TestPutParamsVersionZero(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in, err := sh.customers.Put(shopCustomer{ID: "ann"}).Params()
	if err != nil {
		t.Fatal(err)
	}
	sameCond(t, "condition", "attribute_not_exists (PK)",
		readable(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	diff(t, "version written", n("1"), in.Item["v"], rawOpts)
}

// TestPutParamsVersionN checks a Put of version n requires version n stored
// (and the entity's type) and writes version n+1.
func TestPutParamsVersionN(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	put := sh.customers.Put(shopCustomer{ID: "ann", Version: 4})
	in, err := put.Params()
	if err != nil {
		t.Fatal(err)
	}
	sameCond(t, "condition", `(v = 4) AND ((attribute_not_exists (PK)) OR (_type = "Customer"))`,
		readable(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	diff(t, "version written", n("5"), in.Item["v"], rawOpts)
	v, err := put.Value()
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != 5 {
		t.Errorf("Value().Version = %d, want 5", v.Version)
	}
}

// TestPutValueTimestamps checks a Put sets a zero created field and every
// updated field from the table's clock, and keeps a created field given.
func TestPutValueTimestamps(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	fresh, err := sh.customers.Put(shopCustomer{ID: "ann"}).Value()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "new item's created, updated", []time.Time{shopNow, shopNow}, []time.Time{fresh.Created, fresh.Updated})

	earlier := shopNow.Add(-72 * time.Hour)
	again := sh.customers.Put(shopCustomer{ID: "ann", Version: 1, Created: earlier, Updated: earlier})
	got, err := again.Value()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "rewritten item's created, updated", []time.Time{earlier, shopNow}, []time.Time{got.Created, got.Updated})
	in, err := again.Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "stored created", s(earlier.Format(time.RFC3339Nano)), in.Item["created"], rawOpts)
	diff(t, "stored updated", s(shopNow.Format(time.RFC3339Nano)), in.Item["updated"], rawOpts)
}

// TestPutBuiltOnce checks Params and Value agree on the timestamps they
// report, whatever the clock says between the calls.
func TestPutBuiltOnce(t *testing.T) {
	t.Parallel()
	tick := shopNow
	tbl := tablemap.NewTable(nil, "shop", tablemap.WithClock(func() time.Time { tick = tick.Add(time.Second); return tick }))
	customers := define[shopCustomer](t, tbl)
	put := customers.Put(shopCustomer{ID: "ann"})
	in, err := put.Params()
	if err != nil {
		t.Fatal(err)
	}
	v, err := put.Value()
	if err != nil {
		t.Fatal(err)
	}
	again, err := put.Params()
	if err != nil {
		t.Fatal(err)
	}
	// The clock ticks at every build: a second build would store another
	// updated time.
	diff(t, "a second Params' item", in.Item, again.Item, rawOpts)
	diff(t, "updated in the item", s(v.Updated.Format(time.RFC3339Nano)), in.Item["updated"], rawOpts)
	if !v.Updated.Equal(shopNow.Add(time.Second)) {
		t.Errorf("updated %v, want the first tick %v", v.Updated, shopNow.Add(time.Second))
	}
}

// TestPutParamsTTL checks a ttl field is stored as epoch seconds, and a
// zero one stores no expiry at all.
func TestPutParamsTTL(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	exp := shopNow.Add(30 * time.Minute)
	in, err := sh.sessions.Put(shopSession{Token: "t1", Customer: "ann", Expires: exp}).Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "expires", n(epoch(exp)), in.Item["expires"], rawOpts)

	in, err = sh.sessions.Put(shopSession{Token: "t2", Customer: "ann"}).Params()
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := in.Item["expires"]; ok {
		t.Errorf("a session without expiry stores expires = %s", avText(v))
	}
}

// TestPutParamsIfANDed checks several If conditions are ANDed after the
// type guard, with their own names and values.
func TestPutParamsIfANDed(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in, err := sh.orders.Put(shopOrder{ID: "o1", Customer: "ann", Placed: placed, Status: "shipped"}).
		If(expression.Name("status").Equal(expression.Value("paid"))).
		If(expression.Name("total").GreaterThan(expression.Value(0))).
		Params()
	if err != nil {
		t.Fatal(err)
	}
	sameCond(t, "condition", `((attribute_not_exists (PK)) OR (_type = "Order")) AND ((status = "paid") AND (total > 0))`,
		readable(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
}

// TestPutParamsIfNotExistsOnTTLEntity checks IfNotExists on an entity
// with a ttl field treats an expired item, one whose expiry is at or
// before the table's clock, as absent.
func TestPutParamsIfNotExistsOnTTLEntity(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in, err := sh.sessions.Put(shopSession{Token: "t1", Customer: "ann"}).IfNotExists().Params()
	if err != nil {
		t.Fatal(err)
	}
	sameCond(t, "condition", "(attribute_not_exists (PK)) OR (expires <= "+epoch(shopNow)+")",
		readable(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
}

// TestPutParamsCustomAttributes checks a table's own key and type
// attribute names reach the item and the guard.
func TestPutParamsCustomAttributes(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "legacy", tablemap.WithKeyAttributes("pk", "sk"), tablemap.WithTypeAttribute("kind"))
	lines := define[shopLine](t, tbl)
	in, err := lines.Put(shopLine{Order: "o1", N: 1, SKU: "tea"}).Params()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]types.AttributeValue{
		"pk": s("ORDER#o1"), "sk": s("LINE#" + intKey(1)), "kind": s("Line"),
		"order": s("o1"), "n": n("1"), "sku": s("tea"), "qty": n("0"),
	}
	diff(t, "item", want, in.Item, rawOpts)
	sameCond(t, "condition", `(attribute_not_exists (pk)) OR (kind = "Line")`,
		readable(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
}

// TestPutRefusesEmptyKeyField checks a Put without a key field's value is
// refused before sending, naming the entity and the field.
func TestPutRefusesEmptyKeyField(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	_, err := sh.orders.Put(shopOrder{Customer: "ann", Placed: placed}).Params()
	errorNames(t, err, tablemap.ErrInvalidKey, "Order", "id")
	var ie *tablemap.ItemError
	if !errors.As(err, &ie) || ie.Op != "Put" {
		t.Errorf("error %v, want an *ItemError of Put", err)
	}
}

// TestPutRefusesItemTooLarge checks an item over DynamoDB's 400 KB is
// ErrItemTooLarge before sending, and one just under it is not.
func TestPutRefusesItemTooLarge(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	_, err := sh.reviews.Put(shopReview{Product: "tea", Customer: "ann", Text: strings.Repeat("x", tablemap.MaxItemSize)}).Params()
	errorNames(t, err, tablemap.ErrItemTooLarge, "Review")
	if _, err := sh.reviews.Put(shopReview{Product: "tea", Customer: "ann", Text: strings.Repeat("x", tablemap.MaxItemSize-200)}).Params(); err != nil {
		t.Errorf("an item under the limit: %v", err)
	}
}

// TestPutRefusesInvalidValue checks a string that is not valid UTF-8 is
// ErrInvalidValue naming the field, where the SDK would send U+FFFD.
func TestPutRefusesInvalidValue(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	_, err := sh.reviews.Put(shopReview{Product: "tea", Customer: "ann", Text: "caf\xe9"}).Params()
	errorNames(t, err, tablemap.ErrInvalidValue, "Review", "shopReview.Text")
}

// TestPutRefusesConditionOnUnknownAttribute checks If naming an attribute
// the entity does not have is ErrInvalidCondition before sending.
func TestPutRefusesConditionOnUnknownAttribute(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	_, err := sh.orders.Put(shopOrder{ID: "o1", Customer: "ann", Placed: placed}).
		If(expression.Name("state").Equal(expression.Value("paid"))).Params()
	errorNames(t, err, tablemap.ErrInvalidCondition, "state")
}
