package tablemap_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tablemap/tablemap"
)

// scanOf builds sc's first request or fails the test.
func scanOf[T any](t *testing.T, sc *tablemap.Scan[T]) *dynamodb.ScanInput {
	t.Helper()
	in, err := sc.Params()
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestScanParams checks a scan reads the whole table and keeps the
// entity's items with a filter on the type.
func TestScanParams(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in := scanOf(t, sh.orders.Scan())
	diff(t, "table", "shop", *in.TableName)
	sameCond(t, "filter", `_type = "Order"`, readable(in.FilterExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	if in.IndexName != nil || in.Segment != nil || in.TotalSegments != nil || in.Limit != nil {
		t.Errorf("index %v, segment %v of %v, limit %v: want none", in.IndexName, in.Segment, in.TotalSegments, in.Limit)
	}
}

// TestScanParamsSegments checks a parallel scan's Params is segment 0 of n.
func TestScanParamsSegments(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in := scanOf(t, sh.orders.Scan().Segments(4))
	if in.Segment == nil || *in.Segment != 0 || in.TotalSegments == nil || *in.TotalSegments != 4 {
		t.Errorf("segment %v of %v, want 0 of 4", in.Segment, in.TotalSegments)
	}
}

// TestScanParamsOptions checks Filter, Project, Index, Limit, Consistent
// and the expiry filter in a Scan request.
func TestScanParamsOptions(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in := scanOf(t, sh.sessions.Scan().Filter(expression.Name("customer").Equal(expression.Value("ann"))).Project("customer").Limit(10).Consistent())
	sameCond(t, "filter", `((_type = "Session") AND ((attribute_not_exists (expires)) OR (expires > `+epoch(shopNow)+`))) AND (customer = "ann")`,
		readable(in.FilterExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	diff(t, "projection", "_type, PK, SK, customer", readable(in.ProjectionExpression, in.ExpressionAttributeNames, nil))
	if in.Limit == nil || *in.Limit != 10 || in.ConsistentRead == nil || !*in.ConsistentRead {
		t.Errorf("limit %v, consistent %v, want 10 and true", in.Limit, in.ConsistentRead)
	}
	in = scanOf(t, sh.sessions.Scan().IncludeExpired())
	sameCond(t, "filter including expired", `_type = "Session"`, readable(in.FilterExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues))
	in = scanOf(t, sh.orders.Scan().Index("GSI2"))
	diff(t, "index", "GSI2", *in.IndexName)
}

// TestScanRefuses checks the scans refused before sending: a segment count
// out of range, a negative limit, an index the entity is not in, a
// consistent read of a GSI, and Page of a parallel scan.
func TestScanRefuses(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	for name, sc := range map[string]*tablemap.Scan[shopOrder]{
		"0 segments":     sh.orders.Scan().Segments(0),
		"negative limit": sh.orders.Scan().Limit(-1),
		"no such index":  sh.orders.Scan().Index("GSI9"),
		"consistent GSI": sh.orders.Scan().Index("GSI1").Consistent(),
	} {
		if _, err := sc.Params(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	_, err := sh.orders.Scan().Segments(2).Page(context.Background(), "")
	if err == nil || errors.Is(err, tablemap.ErrNoClient) {
		t.Errorf("Page of a parallel scan: error %v, want a refusal before any request", err)
	}
}

// TestCollectionParamsSpan checks a collection reads the sort keys its
// entities' templates can build, and filters on both types.
func TestCollectionParamsSpan(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in, err := tablemap.Collect2(sh.orders.Query(shopOrder{ID: "o1"}), sh.lines).Params()
	if err != nil {
		t.Fatal(err)
	}
	// "LINE#" sorts before "ORDER"; "ORDES" is just above every key
	// starting with "ORDER".
	sameCond(t, "key condition", `(PK = "ORDER#o1") AND (SK BETWEEN "LINE#" AND "ORDES")`, keyText(in))
	sameCond(t, "filter", `_type IN ("Order", "Line")`, filterText(in))
}

// TestCollection3ParamsSpan checks a three-entity collection spans all
// three sort key prefixes.
func TestCollection3ParamsSpan(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in, err := tablemap.Collect3(sh.orders.Query(shopOrder{ID: "o1"}).Newest(), sh.lines, sh.payments).Params()
	if err != nil {
		t.Fatal(err)
	}
	sameCond(t, "key condition", `(PK = "ORDER#o1") AND (SK BETWEEN "LINE#" AND "PAYMENT$")`, keyText(in))
	sameCond(t, "filter", `_type IN ("Order", "Line", "Payment")`, filterText(in))
	if in.ScanIndexForward == nil || *in.ScanIndexForward {
		t.Error("the query's Newest did not carry into the collection")
	}
}

// TestCollectionParamsSortKeyCondition checks a sort key condition on the
// query replaces the span.
func TestCollectionParamsSortKeyCondition(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in, err := tablemap.Collect2(sh.payments.Query(shopPayment{Order: "o1"}).SKGreaterOrEqual(shopPayment{At: placed}), sh.lines).Params()
	if err != nil {
		t.Fatal(err)
	}
	sameCond(t, "key condition", `(PK = "ORDER#o1") AND (SK >= "PAYMENT#`+timeKey(placed)+`")`, keyText(in))
}

// TestCollectionRefuses checks the collections refused before sending: an
// entity that cannot have items in the partition, one given twice, and an
// entity of another table.
func TestCollectionRefuses(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	other := define[shopLine](t, shopTable())
	for name, c := range map[string]interface {
		Params() (*dynamodb.QueryInput, error)
	}{
		"another partition": tablemap.Collect2(sh.customers.Query(shopCustomer{ID: "ann"}), sh.lines),
		"twice":             tablemap.Collect2(sh.lines.Query(shopLine{Order: "o1"}), sh.lines),
		"another table":     tablemap.Collect2(sh.orders.Query(shopOrder{ID: "o1"}), other),
	} {
		if _, err := c.Params(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestWriteTxParams checks a transaction's items are the single
// operations' requests, in order, and Token becomes its
// ClientRequestToken.
func TestWriteTxParams(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	put := sh.orders.Put(shopOrder{ID: "o1", Customer: "ann", Placed: placed}).IfNotExists()
	incr := sh.customers.Update(shopCustomer{ID: "ann"}).Incr("points", 10)
	del := sh.lines.Delete(shopLine{Order: "o0", N: 1})
	check := sh.sessions.Check(shopSession{Token: "t1"}).Exists()
	in, err := sh.tbl.WriteTx().Put(put).Update(incr).Delete(del).Check(check).Token("order-o1").Params()
	if err != nil {
		t.Fatal(err)
	}
	if len(in.TransactItems) != 4 {
		t.Fatalf("%d items, want 4", len(in.TransactItems))
	}
	p, u, d, c := in.TransactItems[0].Put, in.TransactItems[1].Update, in.TransactItems[2].Delete, in.TransactItems[3].ConditionCheck
	if p == nil || u == nil || d == nil || c == nil {
		t.Fatalf("items %+v, want Put, Update, Delete, ConditionCheck", in.TransactItems)
	}
	single, _ := put.Params()
	diff(t, "Put", single.Item, p.Item, rawOpts)
	sameCond(t, "Put condition", "attribute_not_exists (PK)", readable(p.ConditionExpression, p.ExpressionAttributeNames, p.ExpressionAttributeValues))
	diff(t, "Update", "ADD points 10, v 1\nSET updated = "+stamp+"\n", readable(u.UpdateExpression, u.ExpressionAttributeNames, u.ExpressionAttributeValues))
	diff(t, "Delete key", s("ORDER#o0"), d.Key["PK"], rawOpts)
	diff(t, "Check key", s("SESSION#t1"), c.Key["PK"], rawOpts)
	if in.ClientRequestToken == nil || *in.ClientRequestToken != "order-o1" {
		t.Errorf("token %v, want order-o1", in.ClientRequestToken)
	}
}

// TestWriteTxParamsNoToken checks a transaction without a token leaves it
// to Run, which makes one per Run.
func TestWriteTxParamsNoToken(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in, err := sh.tbl.WriteTx().Put(sh.lines.Put(shopLine{Order: "o1", N: 1})).Params()
	if err != nil {
		t.Fatal(err)
	}
	if in.ClientRequestToken != nil {
		t.Errorf("token %q, want none", *in.ClientRequestToken)
	}
}

// TestWriteTxRefuses checks each transaction DynamoDB would reject is
// ErrInvalidTx before sending, with a message saying why.
func TestWriteTxRefuses(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	line := func(n int) *tablemap.Put[shopLine] { return sh.lines.Put(shopLine{Order: "o1", N: n}) }
	tooMany := sh.tbl.WriteTx()
	for i := range tablemap.MaxTxActions + 1 {
		tooMany.Put(line(i))
	}
	otherLines := define[shopLine](t, tablemap.NewTable(nil, "other"))
	for _, c := range []struct {
		name, want string
		tx         *tablemap.WriteTx
	}{
		{"no actions", "no actions", sh.tbl.WriteTx()},
		{"too many", strconv.Itoa(tablemap.MaxTxActions + 1), tooMany},
		{"one item twice", "one item", sh.tbl.WriteTx().Put(line(1)).Check(sh.lines.Check(shopLine{Order: "o1", N: 1}).Exists())},
		{"empty token", "token", sh.tbl.WriteTx().Put(line(1)).Token("")},
		{"long token", "token", sh.tbl.WriteTx().Put(line(1)).Token(strings.Repeat("t", 37))},
		{"other table", "other", sh.tbl.WriteTx().Put(otherLines.Put(shopLine{Order: "o1", N: 1}))},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.tx.Params()
			errorNames(t, err, tablemap.ErrInvalidTx, c.want)
			errorNames(t, c.tx.Run(context.Background()), tablemap.ErrInvalidTx)
		})
	}
	// 36 characters and 100 actions are within the limits.
	ok := sh.tbl.WriteTx().Token(strings.Repeat("t", 36))
	for i := range tablemap.MaxTxActions {
		ok.Put(line(i))
	}
	if _, err := ok.Params(); err != nil {
		t.Errorf("a transaction at the limits: %v", err)
	}
}

// TestWriteTxActionError checks an action's own error is the
// transaction's, naming the action.
func TestWriteTxActionError(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	_, err := sh.tbl.WriteTx().
		Put(sh.lines.Put(shopLine{Order: "o1", N: 1})).
		Update(sh.customers.Update(shopCustomer{}).Incr("points", 1)).
		Params()
	errorNames(t, err, tablemap.ErrInvalidKey, "action 1", "Customer")
}

// TestReadTxParams checks a read transaction's gets are the Gets' keys and
// projections, in order.
func TestReadTxParams(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	rt := sh.tbl.ReadTx()
	cust := tablemap.TxGet(rt, sh.customers.Get(shopCustomer{ID: "ann"}).Consistent())
	tablemap.TxGet(rt, sh.orders.Get(shopOrder{ID: "o1"}).Project("total"))
	in, err := rt.Params()
	if err != nil {
		t.Fatal(err)
	}
	if len(in.TransactItems) != 2 {
		t.Fatalf("%d gets, want 2", len(in.TransactItems))
	}
	g0, g1 := in.TransactItems[0].Get, in.TransactItems[1].Get
	diff(t, "first key", s("CUSTOMER#ann"), g0.Key["PK"], rawOpts)
	diff(t, "second key", s("ORDER#o1"), g1.Key["PK"], rawOpts)
	if g0.ProjectionExpression != nil {
		t.Errorf("first get projects %q", *g0.ProjectionExpression)
	}
	diff(t, "second projection", "_type, total", readable(g1.ProjectionExpression, g1.ExpressionAttributeNames, nil))
	if _, err := cust.Value(); err == nil {
		t.Error("Value before Run: no error")
	}
}

// TestReadTxRefuses checks a read transaction without gets, or with one
// item twice, is ErrInvalidTx before sending.
func TestReadTxRefuses(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	_, err := sh.tbl.ReadTx().Params()
	errorNames(t, err, tablemap.ErrInvalidTx, "no actions")
	rt := sh.tbl.ReadTx()
	tablemap.TxGet(rt, sh.orders.Get(shopOrder{ID: "o1"}))
	tablemap.TxGet(rt, sh.orders.Get(shopOrder{ID: "o1"}).Project("total"))
	_, err = rt.Params()
	errorNames(t, err, tablemap.ErrInvalidTx, "ORDER#o1")
}

// TestBatchWriteRefusesConditional checks a batch refuses the writes it
// cannot make conditional, before any request: the table has no client,
// and the error is not ErrNoClient.
func TestBatchWriteRefusesConditional(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	for name, b := range map[string]*tablemap.BatchWrite{
		"IfNotExists":         sh.tbl.BatchWrite().Put(sh.lines.Put(shopLine{Order: "o1", N: 1}).IfNotExists()),
		"versioned entity":    sh.tbl.BatchWrite().Put(sh.customers.Put(shopCustomer{ID: "ann"})),
		"conditional Delete":  sh.tbl.BatchWrite().Delete(sh.lines.Delete(shopLine{Order: "o1", N: 1}).If(expression.Name("qty").Equal(expression.Value(0)))),
		"versioned Delete":    sh.tbl.BatchWrite().Delete(sh.customers.Delete(shopCustomer{ID: "ann", Version: 2})),
		"a key written twice": sh.tbl.BatchWrite().Put(sh.lines.Put(shopLine{Order: "o1", N: 1})).Delete(sh.lines.Delete(shopLine{Order: "o1", N: 1})),
	} {
		err := b.Run(context.Background())
		if err == nil || errors.Is(err, tablemap.ErrNoClient) {
			t.Errorf("%s: error %v, want a refusal before any request", name, err)
		}
	}
}

// TestBatchWriteLen checks Len counts the puts and deletes added.
func TestBatchWriteLen(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	b := sh.tbl.BatchWrite().
		Put(sh.lines.Put(shopLine{Order: "o1", N: 1}), sh.lines.Put(shopLine{Order: "o1", N: 2})).
		Delete(sh.reviews.Delete(shopReview{Product: "tea", Customer: "ann"}))
	if b.Len() != 3 {
		t.Errorf("Len %d, want 3", b.Len())
	}
}
