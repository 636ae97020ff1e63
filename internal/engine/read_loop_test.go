package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

var ctx = context.Background()

// TestLoopLimitAcrossPages: with a limit of 5 and responses of 2 items
// (DynamoDB's 1 MB pages), the loop asks for the items still wanted.
func TestLoopLimitAcrossPages(t *testing.T) {
	c := newScript(
		reply{items: []map[string]types.AttributeValue{postItem("1"), postItem("2")}, last: keyOfPost("2")},
		reply{items: []map[string]types.AttributeValue{postItem("3"), postItem("4")}, last: keyOfPost("4")},
		reply{items: []map[string]types.AttributeValue{postItem("5")}, last: keyOfPost("5")},
	)
	post, _ := readTable(t, c)
	var got []string
	if err := postQuery(t, post, ReadOptions{Limit: 5}, nil).All(ctx, ids(&got, 0)); err != nil {
		t.Fatal(err)
	}
	diff(t, "items", []string{"1", "2", "3", "4", "5"}, got)
	diff(t, "limits", []int32{5, 3, 1}, c.limits())
	diff(t, "second start", keyOfPost("2"), c.queries[1].ExclusiveStartKey)
}

// TestLoopFilteredAsksMore: when the filter thinned a response, the next
// request asks for four times the last ask.
func TestLoopFilteredAsksMore(t *testing.T) {
	c := newScript(
		reply{items: []map[string]types.AttributeValue{postItem("1")}, scanned: 3, last: keyOfPost("3")},
		reply{items: []map[string]types.AttributeValue{postItem("7"), postItem("8")}, scanned: 12, last: keyOfPost("15")},
	)
	post, _ := readTable(t, c)
	var got []string
	if err := postQuery(t, post, ReadOptions{Limit: 3}, nil).All(ctx, ids(&got, 0)); err != nil {
		t.Fatal(err)
	}
	diff(t, "items", []string{"1", "7", "8"}, got)
	diff(t, "limits", []int32{3, 12}, c.limits())
}

// TestLoopUnfilteredAsksRest: an unfiltered short response (1 MB) asks
// only for the rest.
func TestLoopUnfilteredAsksRest(t *testing.T) {
	c := newScript(
		reply{items: []map[string]types.AttributeValue{postItem("1")}, last: keyOfPost("1")},
		reply{items: []map[string]types.AttributeValue{postItem("2"), postItem("3"), postItem("4")}},
	)
	post, _ := readTable(t, c)
	var got []string
	if err := postQuery(t, post, ReadOptions{Limit: 4}, nil).All(ctx, ids(&got, 0)); err != nil {
		t.Fatal(err)
	}
	diff(t, "limits", []int32{4, 3}, c.limits())
	diff(t, "items", []string{"1", "2", "3", "4"}, got)
}

// TestLoopResumesInsideResponse: a page that ends inside a response (one
// asking for more after a filtered one) resumes after its last item, from
// that item's key attributes.
func TestLoopResumesInsideResponse(t *testing.T) {
	c := newScript(
		reply{items: []map[string]types.AttributeValue{postItem("1")}, scanned: 2, last: keyOfPost("2")},
		reply{items: []map[string]types.AttributeValue{postItem("3"), postItem("4"), postItem("5")}, scanned: 8, last: keyOfPost("10")},
		reply{items: []map[string]types.AttributeValue{postItem("4")}},
	)
	post, _ := readTable(t, c)
	r := postQuery(t, post, ReadOptions{Limit: 2}, nil)
	var got []string
	next, err := r.Page(ctx, "", true, ids(&got, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "first page", []string{"1", "3"}, got)
	diff(t, "limits", []int32{2, 8}, c.limits())
	start, err := r.DecodeCursor(next)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "resume key", keyOfPost("3"), start)
	if _, err := r.Page(ctx, next, true, ids(&got, 0), nil); err != nil {
		t.Fatal(err)
	}
	diff(t, "next page's start", keyOfPost("3"), c.queries[2].ExclusiveStartKey)
}

// TestLoopLimitAtResponseEnd: a limit reached on a response's last item
// resumes from its LastEvaluatedKey.
func TestLoopLimitAtResponseEnd(t *testing.T) {
	c := newScript(reply{items: []map[string]types.AttributeValue{postItem("1"), postItem("2")}, scanned: 2, last: keyOfPost("2")})
	post, _ := readTable(t, c)
	r := postQuery(t, post, ReadOptions{Limit: 2}, nil)
	next, err := r.Page(ctx, "", true, ids(new([]string), 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	start, err := r.DecodeCursor(next)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "resume key", keyOfPost("2"), start)
	diff(t, "requests", 1, len(c.queries))
}

// TestLoopOnePage: without a limit, a page is one response, reading on
// while the filter leaves responses empty.
func TestLoopOnePage(t *testing.T) {
	c := newScript(
		reply{scanned: 4, last: keyOfPost("4")},
		reply{items: []map[string]types.AttributeValue{postItem("5")}, last: keyOfPost("5")},
		reply{items: []map[string]types.AttributeValue{postItem("6")}},
	)
	post, _ := readTable(t, c)
	r := postQuery(t, post, ReadOptions{}, nil)
	var got []string
	next, err := r.Page(ctx, "", true, ids(&got, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "page", []string{"5"}, got)
	diff(t, "requests", 2, len(c.queries))
	if next == "" {
		t.Error("no cursor after a page with more to read")
	}
}

// TestLoopAllPages: All follows LastEvaluatedKey to the end.
func TestLoopAllPages(t *testing.T) {
	c := newScript(
		reply{items: []map[string]types.AttributeValue{postItem("1")}, last: keyOfPost("1")},
		reply{scanned: 2, last: keyOfPost("3")},
		reply{items: []map[string]types.AttributeValue{postItem("4")}},
	)
	post, _ := readTable(t, c)
	var got []string
	if err := postQuery(t, post, ReadOptions{}, nil).All(ctx, ids(&got, 0)); err != nil {
		t.Fatal(err)
	}
	diff(t, "items", []string{"1", "4"}, got)
	diff(t, "limits", []int32{0, 0, 0}, c.limits())
}

// TestLoopLastPageHasNoCursor: the page that reads to the end has no
// cursor.
func TestLoopLastPageHasNoCursor(t *testing.T) {
	c := newScript(reply{items: []map[string]types.AttributeValue{postItem("1")}})
	post, _ := readTable(t, c)
	next, err := postQuery(t, post, ReadOptions{Limit: 5}, nil).Page(ctx, "", true, ids(new([]string), 0), nil)
	if err != nil || next != "" {
		t.Errorf("cursor %q, %v; want none", next, err)
	}
}

// TestLoopSkipsOtherEntities: items of another entity (which the type
// filter keeps out) are never handed.
func TestLoopSkipsOtherEntities(t *testing.T) {
	c := newScript(reply{items: []map[string]types.AttributeValue{commentItem("1"), postItem("2"), commentItem("3"), postItem("4")}})
	post, _ := readTable(t, c)
	var got []string
	if err := postQuery(t, post, ReadOptions{}, nil).All(ctx, ids(&got, 0)); err != nil {
		t.Fatal(err)
	}
	diff(t, "items", []string{"2", "4"}, got)
}

// TestLoopCollectionTypes: a collection hands each item with the position
// of its entity.
func TestLoopCollectionTypes(t *testing.T) {
	c := newScript(reply{items: []map[string]types.AttributeValue{commentItem("1"), postItem("2")}})
	post, comment := readTable(t, c)
	v := rpost{User: "ann"}
	r, err := NewCollection([]*Schema{post, comment}, ReadOptions{}, ptr(&v), nil)
	if err != nil {
		t.Fatal(err)
	}
	var typs []int
	_, err = r.Page(ctx, "", false, func(_ map[string]types.AttributeValue, typ int) (bool, error) {
		typs = append(typs, typ)
		return true, nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "types", []int{1, 0}, typs)
}

// TestLoopStopsOnClientError: a failed request ends the read with a
// QueryError wrapping the client's error, sending nothing more.
func TestLoopStopsOnClientError(t *testing.T) {
	boom := errors.New("boom")
	c := newScript(reply{items: []map[string]types.AttributeValue{postItem("1")}, last: keyOfPost("1")}, reply{err: boom}, reply{})
	post, _ := readTable(t, c)
	var got []string
	err := postQuery(t, post, ReadOptions{}, nil).All(ctx, ids(&got, 0))
	var qe *QueryError
	if !errors.Is(err, boom) || !errors.As(err, &qe) || qe.Op != "Query" || qe.Entity != "Post" {
		t.Errorf("error %v, want a Query Post error wrapping boom", err)
	}
	diff(t, "requests", 2, len(c.queries))
	diff(t, "items", []string{"1"}, got)
}

// TestLoopStopsOnDecodeError: an error of the item callback ends the read.
func TestLoopStopsOnDecodeError(t *testing.T) {
	bad := errors.New("bad item")
	c := newScript(reply{items: []map[string]types.AttributeValue{postItem("1"), postItem("2")}, last: keyOfPost("2")}, reply{})
	post, _ := readTable(t, c)
	n := 0
	err := postQuery(t, post, ReadOptions{}, nil).All(ctx, func(map[string]types.AttributeValue, int) (bool, error) {
		n++
		return true, bad
	})
	if !errors.Is(err, bad) || n != 1 || len(c.queries) != 1 {
		t.Errorf("error %v after %d items and %d requests, want bad item after 1 and 1", err, n, len(c.queries))
	}
}

// TestLoopCallerStops: an item callback returning false ends the read
// with no resume key and no further request.
func TestLoopCallerStops(t *testing.T) {
	c := newScript(reply{items: []map[string]types.AttributeValue{postItem("1"), postItem("2")}, last: keyOfPost("2")}, reply{})
	post, _ := readTable(t, c)
	var got []string
	next, err := postQuery(t, post, ReadOptions{}, nil).run(ctx, walk{item: ids(&got, 1)}, nil)
	if err != nil || next != nil {
		t.Errorf("key %v, error %v; want none", next, err)
	}
	diff(t, "items", []string{"1"}, got)
	diff(t, "requests", 1, len(c.queries))
}

// TestLoopMissingKeyAttribute: resuming after an item that lacks a key
// attribute is an error, not a silently wrong cursor.
func TestLoopMissingKeyAttribute(t *testing.T) {
	item := postItem("1")
	delete(item, "SK")
	c := newScript(reply{items: []map[string]types.AttributeValue{item, postItem("2")}})
	post, _ := readTable(t, c)
	_, err := postQuery(t, post, ReadOptions{Limit: 1}, nil).Page(ctx, "", true, ids(new([]string), 0), nil)
	if err == nil {
		t.Error("no error resuming after an item without its sort key")
	}
}

// TestFirstNotFound: First of a read with no item is ErrNotFound.
func TestFirstNotFound(t *testing.T) {
	c := newScript(reply{scanned: 1})
	post, _ := readTable(t, c)
	err := postQuery(t, post, ReadOptions{}, nil).First(ctx, func(map[string]types.AttributeValue, int) error { return nil })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("error %v, want ErrNotFound", err)
	}
	diff(t, "limits", []int32{1}, c.limits())
}

// TestCountSumsPages: Count sends Select COUNT and sums every page.
func TestCountSumsPages(t *testing.T) {
	c := newScript(reply{count: 3, last: keyOfPost("3")}, reply{count: 4})
	post, _ := readTable(t, c)
	n, err := postQuery(t, post, ReadOptions{Limit: 2, Project: []string{"body"}}, nil).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "count", 7, n)
	diff(t, "limits", []int32{0, 0}, c.limits())
	diff(t, "select", types.SelectCount, c.queries[0].Select)
	diff(t, "second start", keyOfPost("3"), c.queries[1].ExclusiveStartKey)
	if c.queries[0].ProjectionExpression != nil {
		t.Error("a count with a projection")
	}
	for ph, name := range c.queries[0].ExpressionAttributeNames {
		if name == "body" {
			t.Errorf("count request names the projected attribute as %s, which DynamoDB refuses unused", ph)
		}
	}
}

// TestCountSumsSegments: a parallel scan's Count reads every segment.
func TestCountSumsSegments(t *testing.T) {
	c := &script{replies: map[int32][]reply{0: {{count: 1}}, 1: {{count: 2, last: keyOfPost("x")}, {count: 3}}}}
	post, _ := readTable(t, c)
	r, err := NewScan(post, ReadOptions{Segments: 2})
	if err != nil {
		t.Fatal(err)
	}
	n, err := r.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "count", 6, n)
	diff(t, "requests", 3, len(c.scans))
}
