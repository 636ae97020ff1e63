package tablemap_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

// TestDeleteParamsGuard checks a Delete with no option removes only an
// item of its entity, and returns the item removed.
func TestDeleteParamsGuard(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in, err := sh.lines.Delete(shopLine{Order: "o1", N: 7}).Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "key", map[string]types.AttributeValue{"PK": s("ORDER#o1"), "SK": s("LINE#" + intKey(7))}, in.Key, rawOpts)
	sameCond(t, "condition", `(attribute_not_exists (PK)) OR (_type = "Line")`,
		readable(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	diff(t, "returns", types.ReturnValueAllOld, in.ReturnValues)
}

// TestDeleteParamsVersion checks a Delete whose key value has a version
// removes only that version; with version 0 it removes any.
func TestDeleteParamsVersion(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in, err := sh.customers.Delete(shopCustomer{ID: "ann", Version: 9}).Params()
	if err != nil {
		t.Fatal(err)
	}
	sameCond(t, "condition", `((attribute_not_exists (PK)) OR (_type = "Customer")) AND (v = 9)`,
		readable(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	in, err = sh.customers.Delete(shopCustomer{ID: "ann"}).Params()
	if err != nil {
		t.Fatal(err)
	}
	sameCond(t, "condition of version 0", `(attribute_not_exists (PK)) OR (_type = "Customer")`,
		readable(in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
}

// TestDeleteRefusesEncryptedCondition checks a Delete condition reading
// an encrypted attribute is refused: it would compare ciphertexts.
func TestDeleteRefusesEncryptedCondition(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "shop", tablemap.WithCipher(testCipher(t)))
	cards := define[shopCard](t, tbl)
	_, err := cards.Delete(shopCard{Customer: "ann", Last4: "4242"}).If(expression.Name("number").Equal(expression.Value("4242424242424242"))).Params()
	errorNames(t, err, tablemap.ErrInvalidCondition, "number")
	// Whether it is there is no ciphertext comparison.
	if _, err := cards.Delete(shopCard{Customer: "ann", Last4: "4242"}).If(expression.Name("number").AttributeExists()).Params(); err != nil {
		t.Errorf("attribute_exists on an encrypted attribute: %v", err)
	}
}

// TestCheckParamsExists checks Exists requires an item of the entity at
// the key and, for an entity with a ttl field, one not expired.
func TestCheckParamsExists(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	cc, err := sh.lines.Check(shopLine{Order: "o1", N: 1}).Exists().Params()
	if err != nil {
		t.Fatal(err)
	}
	sameCond(t, "condition", `_type = "Line"`, readable(cc.ConditionExpression, cc.ExpressionAttributeNames, cc.ExpressionAttributeValues))
	diff(t, "table", "shop", *cc.TableName)
	diff(t, "key", map[string]types.AttributeValue{"PK": s("ORDER#o1"), "SK": s("LINE#" + intKey(1))}, cc.Key, rawOpts)

	cc, err = sh.sessions.Check(shopSession{Token: "t1"}).Exists().Params()
	if err != nil {
		t.Fatal(err)
	}
	sameCond(t, "condition with a ttl", `(_type = "Session") AND ((attribute_exists (PK)) AND ((attribute_not_exists (expires)) OR (expires > `+epoch(shopNow)+`)))`,
		readable(cc.ConditionExpression, cc.ExpressionAttributeNames, cc.ExpressionAttributeValues))
}

// TestCheckParamsNotExists checks NotExists requires no item, an expired
// one counting as none, and ignores the key value's version.
func TestCheckParamsNotExists(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	cc, err := sh.sessions.Check(shopSession{Token: "t1"}).NotExists().Params()
	if err != nil {
		t.Fatal(err)
	}
	sameCond(t, "condition", `(attribute_not_exists (PK)) OR (expires <= `+epoch(shopNow)+`)`,
		readable(cc.ConditionExpression, cc.ExpressionAttributeNames, cc.ExpressionAttributeValues))
	cc, err = sh.customers.Check(shopCustomer{ID: "ann", Version: 2}).NotExists().Params()
	if err != nil {
		t.Fatal(err)
	}
	sameCond(t, "condition with a version", `attribute_not_exists (PK)`,
		readable(cc.ConditionExpression, cc.ExpressionAttributeNames, cc.ExpressionAttributeValues))
}

// TestCheckParamsIfAndVersion checks a Check with If and a version holds
// only on an item of the entity (or none) at that version.
func TestCheckParamsIfAndVersion(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	cc, err := sh.customers.Check(shopCustomer{ID: "ann", Version: 2}).If(expression.Name("points").GreaterThanEqual(expression.Value(100))).Params()
	if err != nil {
		t.Fatal(err)
	}
	sameCond(t, "condition", `(v = 2) AND (points >= 100) AND ((attribute_not_exists (PK)) OR (_type = "Customer"))`,
		readable(cc.ConditionExpression, cc.ExpressionAttributeNames, cc.ExpressionAttributeValues))
	diff(t, "returns on failure", types.ReturnValuesOnConditionCheckFailureAllOld, cc.ReturnValuesOnConditionCheckFailure)
}

// TestCheckRefusesNoOrBothConditions checks a Check without a condition,
// or with both Exists and NotExists, is an error naming the key.
func TestCheckRefusesNoOrBothConditions(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	for name, c := range map[string]*tablemap.Check[shopLine]{
		"no condition": sh.lines.Check(shopLine{Order: "o1", N: 1}),
		"both":         sh.lines.Check(shopLine{Order: "o1", N: 1}).Exists().NotExists(),
	} {
		if _, err := c.Params(); err == nil || !strings.Contains(err.Error(), "ORDER#o1") {
			t.Errorf("%s: error %v, want one naming the key", name, err)
		}
	}
}

// TestGetParams checks a Get reads the key, eventually consistent unless
// asked, and every attribute unless projected.
func TestGetParams(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in, err := sh.orders.Get(shopOrder{ID: "o1", Status: "ignored"}).Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "key", map[string]types.AttributeValue{"PK": s("ORDER#o1"), "SK": s("ORDER")}, in.Key, rawOpts)
	if in.ConsistentRead != nil || in.ProjectionExpression != nil {
		t.Errorf("consistent %v, projection %v, want neither", in.ConsistentRead, in.ProjectionExpression)
	}
	in, err = sh.orders.Get(shopOrder{ID: "o1"}).Consistent().Params()
	if err != nil {
		t.Fatal(err)
	}
	if in.ConsistentRead == nil || !*in.ConsistentRead {
		t.Error("Consistent did not ask for a consistent read")
	}
}

// TestGetParamsProject checks a projection reads the named attributes and
// the type attribute, to tell the entity's items from others; on an entity
// with a ttl field the expiry too, to hide expired items, unless
// IncludeExpired.
func TestGetParamsProject(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in, err := sh.orders.Get(shopOrder{ID: "o1"}).Project("status", "total").Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "projection", "_type, status, total", readable(in.ProjectionExpression, in.ExpressionAttributeNames, nil))

	in, err = sh.sessions.Get(shopSession{Token: "t1"}).Project("customer").Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "projection with a ttl", "_type, customer, expires", readable(in.ProjectionExpression, in.ExpressionAttributeNames, nil))
	in, err = sh.sessions.Get(shopSession{Token: "t1"}).Project("customer").IncludeExpired().Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "projection including expired", "_type, customer", readable(in.ProjectionExpression, in.ExpressionAttributeNames, nil))
}

// TestGetParamsProjectEncrypted checks projecting an encrypted attribute
// reads the table key too: the value is bound to it.
func TestGetParamsProjectEncrypted(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "shop", tablemap.WithCipher(testCipher(t)))
	cards := define[shopCard](t, tbl)
	in, err := cards.Get(shopCard{Customer: "ann", Last4: "4242"}).Project("number").Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "projection", "_type, PK, SK, number", readable(in.ProjectionExpression, in.ExpressionAttributeNames, nil))
}

// TestGetRefuses checks a Get without a key field is ErrInvalidKey and a
// projection of an unknown attribute an error naming it, before sending.
func TestGetRefuses(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	_, err := sh.payments.Get(shopPayment{Order: "o1"}).Params()
	errorNames(t, err, tablemap.ErrInvalidKey, "Payment", "at")
	_, err = sh.orders.Get(shopOrder{ID: "o1"}).Project("shipping").Params()
	if err == nil || !strings.Contains(err.Error(), "shipping") {
		t.Errorf("projection of an unknown attribute: error %v, want one naming it", err)
	}
}
