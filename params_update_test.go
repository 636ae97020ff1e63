package tablemap_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

// updateText returns an UpdateItem request's update and condition with
// their placeholders resolved.
func updateText(in *dynamodb.UpdateItemInput) (update, cond string) {
	return readable(in.UpdateExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues),
		readable(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
}

// updateOf builds u's request or fails the test.
func updateOf[T any](t *testing.T, u *tablemap.Update[T]) *dynamodb.UpdateItemInput {
	t.Helper()
	in, err := u.Params()
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// stamp is shopNow as an updated field stores it.
var stamp = `"` + shopNow.Format(time.RFC3339Nano) + `"`

// TestUpdateParamsSet checks Set of a plain attribute on an entity with a
// version and an updated field: the new value, the version incremented,
// the updated time, on an existing item of the entity only.
func TestUpdateParamsSet(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in := updateOf(t, sh.customers.Update(shopCustomer{ID: "ann"}).Set("name", "Ann Lee"))
	update, cond := updateText(in)
	diff(t, "update", "ADD v 1\nSET name = \"Ann Lee\", updated = "+stamp+"\n", update)
	sameCond(t, "condition", `_type = "Customer"`, cond)
	diff(t, "key", map[string]types.AttributeValue{"PK": s("CUSTOMER#ann"), "SK": s("PROFILE")}, in.Key, rawOpts)
	diff(t, "returns", types.ReturnValueAllNew, in.ReturnValues)
	diff(t, "returns on failure", types.ReturnValuesOnConditionCheckFailureAllOld, in.ReturnValuesOnConditionCheckFailure)
}

// TestUpdateParamsSetIfNotExists checks SetIfNotExists keeps a stored
// value: if_not_exists of the attribute itself.
func TestUpdateParamsSetIfNotExists(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	update, _ := updateText(updateOf(t, sh.lines.Update(shopLine{Order: "o1", N: 1}).SetIfNotExists("qty", 1)))
	diff(t, "update", "SET qty = if_not_exists(qty, 1)\n", update)
}

// TestUpdateParamsRemove checks Remove of several attributes; an entity
// without managed fields adds nothing else.
func TestUpdateParamsRemove(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	update, cond := updateText(updateOf(t, sh.reviews.Update(shopReview{Product: "tea", Customer: "ann"}).Remove("text", "stars")))
	diff(t, "update", "REMOVE text, stars\n", update)
	sameCond(t, "condition", `_type = "Review"`, cond)
}

// TestUpdateParamsAppend checks Append of one element to a list: the
// element as a list, appended to the stored list or to an empty one.
func TestUpdateParamsAppend(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	update, _ := updateText(updateOf(t, sh.customers.Update(shopCustomer{ID: "ann"}).Append("notes", "called back")))
	diff(t, "update", "ADD v 1\nSET notes = list_append(if_not_exists(notes, L[]), L[\"called back\"]), updated = "+stamp+"\n", update)
}

// TestUpdateParamsSetActions checks Add and DeleteFromSet of a set
// attribute take one element or a set, sent as a string set.
func TestUpdateParamsSetActions(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	update, _ := updateText(updateOf(t, sh.customers.Update(shopCustomer{ID: "ann"}).Add("tags", "vip")))
	diff(t, "Add one element", "ADD tags SS[\"vip\"], v 1\nSET updated = "+stamp+"\n", update)
	update, _ = updateText(updateOf(t, sh.customers.Update(shopCustomer{ID: "ann"}).DeleteFromSet("tags", []string{"new", "trial"})))
	diff(t, "DeleteFromSet a set", "ADD v 1\nDELETE tags SS[\"new\" \"trial\"]\nSET updated = "+stamp+"\n", update)
}

// TestUpdateParamsAddNumber checks Add of a number converts the value to
// the field's type and leaves the counter unbounded, unlike Incr.
func TestUpdateParamsAddNumber(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	update, cond := updateText(updateOf(t, sh.lines.Update(shopLine{Order: "o1", N: 1}).Add("qty", int8(-5))))
	diff(t, "update", "ADD qty -5\n", update)
	sameCond(t, "condition", `_type = "Line"`, cond)
}

// TestUpdateParamsIncrDecrement checks a negative Incr adds the negative
// number and requires the counter to be at least its magnitude.
func TestUpdateParamsIncrDecrement(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	update, cond := updateText(updateOf(t, sh.lines.Update(shopLine{Order: "o1", N: 1}).Incr("qty", -3)))
	diff(t, "update", "ADD qty -3\n", update)
	sameCond(t, "condition", `(_type = "Line") AND (qty >= 3)`, cond)

	update, cond = updateText(updateOf(t, sh.lines.Update(shopLine{Order: "o1", N: 1}).Incr("qty", 2)))
	diff(t, "increment update", "ADD qty 2\n", update)
	sameCond(t, "increment condition", `_type = "Line"`, cond)
}

// TestUpdateParamsIncrUnsigned checks Incr on an unsigned counter: the
// magnitude fits the field's type, and a decrement stays a bound.
func TestUpdateParamsIncrUnsigned(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	update, cond := updateText(updateOf(t, sh.customers.Update(shopCustomer{ID: "ann"}).Incr("balance", -100)))
	diff(t, "update", "ADD balance -100, v 1\nSET updated = "+stamp+"\n", update)
	sameCond(t, "condition", `(_type = "Customer") AND (balance >= 100)`, cond)
}

// TestUpdateParamsVersionGiven checks the key value's version makes the
// Update apply to that version only; without one, any version is updated,
// and the version grows either way.
func TestUpdateParamsVersionGiven(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	update, cond := updateText(updateOf(t, sh.customers.Update(shopCustomer{ID: "ann", Version: 3}).Set("points", 10)))
	diff(t, "update", "ADD v 1\nSET points = 10, updated = "+stamp+"\n", update)
	sameCond(t, "condition", `(_type = "Customer") AND (v = 3)`, cond)

	_, cond = updateText(updateOf(t, sh.customers.Update(shopCustomer{ID: "ann"}).Set("points", 10)))
	sameCond(t, "condition without a version", `_type = "Customer"`, cond)
}

// TestUpdateParamsIf checks an If condition is ANDed after the entity's
// own conditions, the ttl's among them.
func TestUpdateParamsIf(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	_, cond := updateText(updateOf(t, sh.sessions.Update(shopSession{Token: "t1"}).
		Set("customer", "bob").If(expression.Name("customer").Equal(expression.Value("ann")))))
	sameCond(t, "condition", `((_type = "Session") AND ((attribute_not_exists (expires)) OR (expires > `+epoch(shopNow)+`))) AND (customer = "ann")`, cond)
}

// TestUpdateParamsIndexKey checks Set of an index field rewrites the key
// of that index it reads, and the index's other key when the key value
// gives its fields (here a literal: it has none), so that an item not yet
// in the sparse index enters it whole.
func TestUpdateParamsIndexKey(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	update, _ := updateText(updateOf(t, sh.customers.Update(shopCustomer{ID: "ann"}).Set("email", "ann@example.com")))
	diff(t, "update", "ADD v 1\nSET email = \"ann@example.com\", GSI1PK = \"EMAIL#ann@example.com\", GSI1SK = \"CUSTOMER\", updated = "+stamp+"\n", update)
}

// TestUpdateParamsIndexKeyFromKeyValue checks an index key reading a set
// field and another one takes the other from the key value, and that the
// index's other key is rewritten from the key value too.
func TestUpdateParamsIndexKeyFromKeyValue(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	later := placed.Add(time.Hour)
	update, _ := updateText(updateOf(t, sh.orders.Update(shopOrder{ID: "o1", Customer: "ann"}).Set("placed", later)))
	diff(t, "update", "SET placed = \""+later.Format(time.RFC3339Nano)+"\", GSI1SK = \""+timeKey(later)+"\", GSI1PK = \"CUSTOMER#ann\", GSI2SK = \"ann#"+timeKey(later)+"\"\n", update)
}

// TestUpdateParamsIndexKeyNeedsField checks an index key whose other field
// is neither set nor in the key value is an error before sending, naming
// the index and the field.
func TestUpdateParamsIndexKeyNeedsField(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	_, err := sh.orders.Update(shopOrder{ID: "o1"}).Set("placed", placed).Params()
	if err == nil {
		t.Fatal("no error")
	}
	for _, part := range []string{"GSI2", `"customer"`, "ORDER#o1"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not name %q", err, part)
		}
	}
}

// TestUpdateParamsLeaveSparseIndex checks removing an index field, or
// setting an omitempty one empty, takes the item out of that index.
func TestUpdateParamsLeaveSparseIndex(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	update, _ := updateText(updateOf(t, sh.orders.Update(shopOrder{ID: "o1"}).Remove("status")))
	diff(t, "Remove", "REMOVE status, GSI2PK, GSI2SK\n", update)
	update, _ = updateText(updateOf(t, sh.customers.Update(shopCustomer{ID: "ann"}).Set("email", "")))
	diff(t, "Set empty", "ADD v 1\nREMOVE email, GSI1PK, GSI1SK\nSET updated = "+stamp+"\n", update)
}

// TestUpdateRefusesNothing checks an Update without actions is an error
// naming the item, before sending.
func TestUpdateRefusesNothing(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	_, err := sh.reviews.Update(shopReview{Product: "tea", Customer: "ann"}).Params()
	if err == nil || !strings.Contains(err.Error(), "nothing to update") || !strings.Contains(err.Error(), "REVIEW#ann") {
		t.Errorf("error %v, want nothing to update, naming the key", err)
	}
}

// TestUpdateRefusesKeyAndManagedFields checks actions on the table key's
// fields and on the fields tablemap manages are refused, naming them.
func TestUpdateRefusesKeyAndManagedFields(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	key := shopCustomer{ID: "ann"}
	for _, c := range []struct {
		name, attr, want string
		u                *tablemap.Update[shopCustomer]
	}{
		{"table key field", "id", "table's key", sh.customers.Update(key).Set("id", "bob")},
		{"version", "v", "managed", sh.customers.Update(key).Add("v", 1)},
		{"created", "created", "managed", sh.customers.Update(key).Set("created", shopNow)},
		{"updated", "updated", "managed", sh.customers.Update(key).Remove("updated")},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.u.Params()
			if err == nil || !strings.Contains(err.Error(), `"`+c.attr+`"`) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one naming %q, %s", err, c.attr, c.want)
			}
		})
	}
}

// TestUpdateRefusesValuesThatDoNotFit checks actions whose value or
// attribute does not suit them are errors naming the attribute.
func TestUpdateRefusesValuesThatDoNotFit(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	key := shopCustomer{ID: "ann"}
	for _, c := range []struct {
		name, attr string
		u          *tablemap.Update[shopCustomer]
	}{
		{"unknown attribute", "nickname", sh.customers.Update(key).Set("nickname", "an")},
		{"string for a number", "points", sh.customers.Update(key).Set("points", "ten")},
		{"fraction for an integer", "points", sh.customers.Update(key).Set("points", 1.5)},
		{"negative for unsigned", "balance", sh.customers.Update(key).Set("balance", -1)},
		{"nil value", "name", sh.customers.Update(key).Set("name", nil)},
		{"Add to a string", "name", sh.customers.Update(key).Add("name", "x")},
		{"Append to a set", "tags", sh.customers.Update(key).Append("tags", "x")},
		{"DeleteFromSet of a list", "notes", sh.customers.Update(key).DeleteFromSet("notes", "x")},
		{"Incr of a set", "tags", sh.customers.Update(key).Incr("tags", 1)},
		{"Add to an index field", "email", sh.customers.Update(key).Add("email", "x")},
		{"SetIfNotExists empty omitempty", "name", sh.customers.Update(key).SetIfNotExists("name", "")},
		{"two actions on one attribute", "points", sh.customers.Update(key).Set("points", 1).Add("points", 2)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.u.Params()
			if err == nil || !strings.Contains(err.Error(), `"`+c.attr+`"`) {
				t.Errorf("error %v, want one naming %q", err, c.attr)
			}
		})
	}
}

// TestUpdateKeepsFirstError checks a later valid action does not hide an
// earlier error, and the error names the item's key.
func TestUpdateKeepsFirstError(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	_, err := sh.customers.Update(shopCustomer{ID: "ann"}).Set("nickname", "an").Set("name", "Ann").Params()
	if err == nil || !strings.Contains(err.Error(), "nickname") || !strings.Contains(err.Error(), "CUSTOMER#ann") {
		t.Errorf("error %v, want the first action's, naming the key", err)
	}
}

// TestUpdateRefusesEmptyKey checks an Update of a key value without its
// key field is ErrInvalidKey, whatever its actions.
func TestUpdateRefusesEmptyKey(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	_, err := sh.lines.Update(shopLine{N: 1}).Set("qty", 2).Params()
	errorNames(t, err, tablemap.ErrInvalidKey, "Line", "order")
}
