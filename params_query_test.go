package tablemap_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tablemap/tablemap"
)

// queryOf builds q's first request or fails the test.
func queryOf[T any](t *testing.T, q *tablemap.Query[T]) *dynamodb.QueryInput {
	t.Helper()
	in, err := q.Params()
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// keyText returns a Query request's key condition, placeholders resolved.
func keyText(in *dynamodb.QueryInput) string {
	return readable(in.KeyConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
}

// filterText returns a Query request's filter, placeholders resolved.
func filterText(in *dynamodb.QueryInput) string {
	return readable(in.FilterExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
}

// TestQueryParamsPartition checks a query of a partition without sort key
// fields reads the entity's sort keys by their literal prefix, and filters
// on the entity's type.
func TestQueryParamsPartition(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in := queryOf(t, sh.lines.Query(shopLine{Order: "o1"}))
	sameCond(t, "key condition", `(PK = "ORDER#o1") AND (begins_with (SK, "LINE#"))`, keyText(in))
	sameCond(t, "filter", `_type = "Line"`, filterText(in))
	if in.IndexName != nil || in.ScanIndexForward != nil || in.Limit != nil || in.ConsistentRead != nil {
		t.Errorf("index %v, forward %v, limit %v, consistent %v: want defaults", in.IndexName, in.ScanIndexForward, in.Limit, in.ConsistentRead)
	}
}

// TestQueryParamsSKEqual checks SKEqual counts a zero number as a value:
// line 0 is matched exactly, not read as "every line".
func TestQueryParamsSKEqual(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in := queryOf(t, sh.lines.Query(shopLine{Order: "o1"}).SKEqual(shopLine{N: 0}))
	sameCond(t, "key condition", `(PK = "ORDER#o1") AND (SK = "LINE#`+intKey(0)+`")`, keyText(in))
}

// TestQueryParamsSKBeginsWith checks SKBeginsWith matches its last string
// field as a prefix: reviews by "an" and "anne" alike.
func TestQueryParamsSKBeginsWith(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in := queryOf(t, sh.reviews.Query(shopReview{Product: "tea"}).SKBeginsWith(shopReview{Customer: "an"}))
	sameCond(t, "key condition", `(PK = "PRODUCT#tea") AND (begins_with (SK, "REVIEW#an"))`, keyText(in))
	// The partial value instead ends on the field boundary.
	in = queryOf(t, sh.reviews.Query(shopReview{Product: "tea", Customer: "an"}))
	diff(t, "partial value", `(PK = "PRODUCT#tea") AND (SK = "REVIEW#an")`, keyText(in))
}

// TestQueryParamsSKBetween checks SKBetween bounds the sort key by both
// values, included.
func TestQueryParamsSKBetween(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in := queryOf(t, sh.lines.Query(shopLine{Order: "o1"}).SKBetween(shopLine{N: 10}, shopLine{N: 19}))
	sameCond(t, "key condition", `(PK = "ORDER#o1") AND (SK BETWEEN "LINE#`+intKey(10)+`" AND "LINE#`+intKey(19)+`")`, keyText(in))
}

// TestQueryParamsSKComparisons checks each comparison of the sort key with
// a typed value's key.
func TestQueryParamsSKComparisons(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	at := shopPayment{At: placed}
	sk := `"PAYMENT#` + timeKey(placed) + `"`
	for _, c := range []struct {
		name string
		q    *tablemap.Query[shopPayment]
		op   string
	}{
		{"SKGreater", sh.payments.Query(shopPayment{Order: "o1"}).SKGreater(at), ">"},
		{"SKGreaterOrEqual", sh.payments.Query(shopPayment{Order: "o1"}).SKGreaterOrEqual(at), ">="},
		{"SKLess", sh.payments.Query(shopPayment{Order: "o1"}).SKLess(at), "<"},
		{"SKLessOrEqual", sh.payments.Query(shopPayment{Order: "o1"}).SKLessOrEqual(at), "<="},
	} {
		t.Run(c.name, func(t *testing.T) {
			sameCond(t, "key condition", `(PK = "ORDER#o1") AND (SK `+c.op+` `+sk+`)`, keyText(queryOf(t, c.q)))
		})
	}
}

// TestQueryParamsNewestOldest checks Newest reads descending, and a later
// Oldest ascending again.
func TestQueryParamsNewestOldest(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	q := sh.payments.Query(shopPayment{Order: "o1"}).Newest()
	in := queryOf(t, q)
	if in.ScanIndexForward == nil || *in.ScanIndexForward {
		t.Errorf("Newest: ScanIndexForward %v, want false", in.ScanIndexForward)
	}
	in = queryOf(t, q.Oldest())
	if in.ScanIndexForward != nil && !*in.ScanIndexForward {
		t.Error("Oldest after Newest still reads descending")
	}
}

// TestQueryParamsLimit checks Limit asks DynamoDB for that many items, and
// zero for no limit.
func TestQueryParamsLimit(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	q := sh.lines.Query(shopLine{Order: "o1"}).Limit(25)
	in := queryOf(t, q)
	if in.Limit == nil || *in.Limit != 25 {
		t.Errorf("Limit %v, want 25", in.Limit)
	}
	if in := queryOf(t, q.Limit(0)); in.Limit != nil {
		t.Errorf("Limit(0): Limit %d, want none", *in.Limit)
	}
}

// TestQueryParamsFilter checks Filter calls are ANDed after the type
// filter, with the caller's names and values.
func TestQueryParamsFilter(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in := queryOf(t, sh.lines.Query(shopLine{Order: "o1"}).
		Filter(expression.Name("qty").GreaterThan(expression.Value(1))).
		Filter(expression.Name("sku").BeginsWith("tea-")))
	sameCond(t, "filter", `(_type = "Line") AND ((qty > 1) AND (begins_with (sku, "tea-")))`, filterText(in))
}

// TestQueryParamsProject checks a projection reads the type and key
// attributes besides the named ones: decoding needs them.
func TestQueryParamsProject(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in := queryOf(t, sh.lines.Query(shopLine{Order: "o1"}).Project("sku"))
	diff(t, "projection", "_type, PK, SK, sku", readable(in.ProjectionExpression, in.ExpressionAttributeNames, nil))
	in = queryOf(t, sh.orders.Query(shopOrder{Customer: "ann"}).Index("GSI1").Project("total"))
	diff(t, "index projection", "_type, PK, SK, GSI1PK, GSI1SK, total", readable(in.ProjectionExpression, in.ExpressionAttributeNames, nil))
}

// TestQueryParamsIndex checks a query of a GSI reads its key attributes
// from the partial value's fields of that index's templates.
func TestQueryParamsIndex(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in := queryOf(t, sh.orders.Query(shopOrder{Status: "paid", Customer: "ann"}).Index("GSI2"))
	diff(t, "index", "GSI2", *in.IndexName)
	sameCond(t, "key condition", `(GSI2PK = "STATUS#paid") AND (begins_with (GSI2SK, "ann#"))`, keyText(in))
}

// TestQueryParamsInvertedIndex checks the inverted index swaps the table's
// key: the sort key's template gives the partition.
func TestQueryParamsInvertedIndex(t *testing.T) {
	t.Parallel()
	sh := newShop(t, tablemap.WithInvertedIndex())
	in := queryOf(t, sh.reviews.Query(shopReview{Customer: "ann"}).Index(tablemap.InvertedIndex))
	diff(t, "index", tablemap.InvertedIndex, *in.IndexName)
	sameCond(t, "key condition", `(SK = "REVIEW#ann") AND (begins_with (PK, "PRODUCT#"))`, keyText(in))
}

// TestQueryParamsConsistent checks Consistent on the table, and its
// refusal on a GSI, which DynamoDB reads eventually consistent only.
func TestQueryParamsConsistent(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	in := queryOf(t, sh.lines.Query(shopLine{Order: "o1"}).Consistent())
	if in.ConsistentRead == nil || !*in.ConsistentRead {
		t.Errorf("ConsistentRead %v, want true", in.ConsistentRead)
	}
	if _, err := sh.orders.Query(shopOrder{Customer: "ann"}).Index("GSI1").Consistent().Params(); err == nil {
		t.Error("a consistent query of a GSI: no error")
	}
}

// TestQueryRefusesMissingPartition checks a partial value without a
// partition key field is ErrInvalidKey, naming the field.
func TestQueryRefusesMissingPartition(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	_, err := sh.orders.Query(shopOrder{Status: "paid"}).Index("GSI1").Params()
	errorNames(t, err, tablemap.ErrInvalidKey, "customer")
}

// TestQueryRefusesGap checks a partial value that sets a sort key field
// after an empty one is ErrInvalidKey naming both: the prefix cannot skip
// a field, and dropping the later one would widen the query.
func TestQueryRefusesGap(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	_, err := sh.orders.Query(shopOrder{Status: "paid", Placed: placed}).Index("GSI2").Params()
	errorNames(t, err, tablemap.ErrInvalidKey, "customer", "placed")
}

// TestQueryRefusesUnknownIndex checks an index no entity declares is an
// error, and so is one this entity is not in.
func TestQueryRefusesUnknownIndex(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	for _, name := range []string{"GSI7", "GSI2", tablemap.InvertedIndex} {
		if _, err := sh.lines.Query(shopLine{Order: "o1"}).Index(name).Params(); err == nil {
			t.Errorf("Line queried on %s: no error", name)
		}
	}
}

// TestQueryRefusesFilters checks the filters that could never hold as
// meant are ErrInvalidCondition before sending: an attribute the entity
// lacks, an encrypted one, a ttl compared with a time.
func TestQueryRefusesFilters(t *testing.T) {
	t.Parallel()
	tbl := shopTable(tablemap.WithCipher(testCipher(t)))
	sessions, cards := define[shopSession](t, tbl), define[shopCard](t, tbl)
	_, err := sessions.Query(shopSession{Token: "t1"}).Filter(expression.Name("owner").Equal(expression.Value("ann"))).Params()
	errorNames(t, err, tablemap.ErrInvalidCondition, "owner")
	_, err = sessions.Query(shopSession{Token: "t1"}).Filter(expression.Name("expires").LessThan(expression.Value(shopNow))).Params()
	errorNames(t, err, tablemap.ErrInvalidCondition, "expires")
	_, err = cards.Query(shopCard{Customer: "ann"}).Filter(expression.Name("number").BeginsWith("4")).Params()
	errorNames(t, err, tablemap.ErrInvalidCondition, "number")

	// The ttl as the epoch seconds it is stored as is fine.
	if _, err := sessions.Query(shopSession{Token: "t1"}).Filter(expression.Name("expires").LessThan(expression.Value(shopNow.Unix()))).Params(); err != nil {
		t.Errorf("a ttl compared with epoch seconds: %v", err)
	}
}

// TestQueryRefusesGarbageCursor checks a cursor this table did not make is
// ErrInvalidCursor, before anything is sent: the table has no client, and
// the error is not ErrNoClient.
func TestQueryRefusesGarbageCursor(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	for _, cursor := range []string{"x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not base64 at all!", "eyJQSyI6eyJTIjoiT1JERVIjbzEifX0"} {
		_, err := sh.lines.Query(shopLine{Order: "o1"}).Page(context.Background(), cursor)
		if !errors.Is(err, tablemap.ErrInvalidCursor) || errors.Is(err, tablemap.ErrNoClient) {
			t.Errorf("cursor %q: error %v, want ErrInvalidCursor only", cursor, err)
		}
	}
}

// TestQueryRunWithoutClient checks a query on a table without a client
// fails with ErrNoClient from each terminal call, naming the table.
func TestQueryRunWithoutClient(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	q := sh.lines.Query(shopLine{Order: "o1"})
	_, err := q.Page(context.Background(), "")
	errorNames(t, err, tablemap.ErrNoClient, "shop")
	_, err = q.First(context.Background())
	errorNames(t, err, tablemap.ErrNoClient, "shop")
	_, err = q.Count(context.Background())
	errorNames(t, err, tablemap.ErrNoClient, "shop")
	var items int
	for _, err := range q.All(context.Background()) {
		if err == nil {
			items++
			continue
		}
		errorNames(t, err, tablemap.ErrNoClient, "shop")
	}
	if items != 0 {
		t.Errorf("All yielded %d items", items)
	}
}

// TestQueryParamsTimeKeyPrefix checks a time key field in a partial value
// is matched whole: the instant, in UTC, to the nanosecond.
func TestQueryParamsTimeKeyPrefix(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	local := placed.In(time.FixedZone("UTC+2", 2*3600))
	in := queryOf(t, sh.orders.Query(shopOrder{Status: "paid", Customer: "ann", Placed: local}).Index("GSI2"))
	sameCond(t, "key condition", `(GSI2PK = "STATUS#paid") AND (GSI2SK = "ann#`+timeKey(placed)+`")`, keyText(in))
}
