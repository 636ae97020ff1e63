package tablemap_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/tablemap/tablemap"
)

// TestOptionsAfterParams checks that every option set after a request was
// built applies to the next call, for queries, collections and scans.
func TestOptionsAfterParams(t *testing.T) {
	t.Parallel()
	_, m, posts, comments, _ := postTable(t)
	for i := 1; i <= 5; i++ {
		put(t, posts, qPost{User: "ann", Posted: minute(i), ID: i, Tag: map[bool]string{true: "keep"}[i%2 == 1]})
	}
	m.Reset()

	q := posts.Query(qPost{User: "ann"})
	if _, err := q.Params(); err != nil {
		t.Fatal(err)
	}
	q.Newest().Limit(2)
	in, err := q.Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ScanIndexForward after Newest", aws.Bool(false), in.ScanIndexForward)
	diff(t, "Limit after Limit", aws.Int32(2), in.Limit)
	p, err := q.Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "newest 2 after Params", []int{5, 4}, ids(p.Items))

	// A condition and a filter set between two calls apply to the second.
	q.SKLess(qPost{Posted: minute(5), ID: 5}).Filter(expression.Name("tag").Equal(expression.Value("keep")))
	diff(t, "kept posts before 5, newest first", []int{3, 1}, ids(collect(t, q.All(ctx))))
	if n, err := q.Count(ctx); err != nil || n != 2 {
		t.Errorf("count %d, %v; want 2", n, err)
	}

	// A collection sees the options its query gets after Collect2.
	cq := posts.Query(qPost{User: "ann"})
	c := tablemap.Collect2(cq, comments)
	if _, err := c.Params(); err != nil {
		t.Fatal(err)
	}
	cq.Newest().Limit(1)
	page, err := c.Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "collection: newest post after Params", []int{5}, ids(page.A))

	// A scan likewise.
	sc := posts.Scan()
	if _, err := sc.Params(); err != nil {
		t.Fatal(err)
	}
	sc.Filter(expression.Name("tag").Equal(expression.Value("keep")))
	sin, err := sc.Params()
	if err != nil {
		t.Fatal(err)
	}
	if sin.FilterExpression == nil || len(sin.ExpressionAttributeValues) != 2 {
		t.Errorf("scan params after Filter: filter %v, values %v; want the type and the tag", aws.ToString(sin.FilterExpression), sin.ExpressionAttributeValues)
	}
	diff(t, "scan: kept posts", 3, len(collect(t, sc.All(ctx))))

	// An option's error sticks, whatever follows.
	bad := posts.Query(qPost{User: "ann"}).Limit(-1)
	bad.Limit(1)
	if _, err := bad.Params(); err == nil {
		t.Error("negative limit then a valid one: no error")
	}
}
