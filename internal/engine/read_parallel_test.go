package engine

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// idBatch is a Batch of item ids, yielding to a shared list.
type idBatch struct {
	ids  []string
	mu   *sync.Mutex
	out  *[]string
	stop int // Yield returns false once out holds stop ids (0: never)
}

func (b *idBatch) Add(_ context.Context, item map[string]types.AttributeValue, _ int) error {
	b.ids = append(b.ids, item["id"].(*types.AttributeValueMemberS).Value)
	return nil
}

func (b *idBatch) Len() int { return len(b.ids) }

func (b *idBatch) Yield(i int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	*b.out = append(*b.out, b.ids[i])
	return b.stop == 0 || len(*b.out) < b.stop
}

func segmentScript() *script {
	return &script{replies: map[int32][]reply{
		0: {{items: []map[string]types.AttributeValue{postItem("a1"), postItem("a2")}, last: keyOfPost("a2")}, {items: []map[string]types.AttributeValue{postItem("a3")}}},
		1: {{items: []map[string]types.AttributeValue{postItem("b1")}}},
		2: {{scanned: 3}},
	}}
}

func parallelScan(t *testing.T, c Client, o ReadOptions, stop int) ([]string, error) {
	t.Helper()
	post, _ := readTable(t, c)
	o.Segments = 3
	r, err := NewScan(post, o)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string
	err = r.Parallel(ctx, func() Batch { return &idBatch{mu: &mu, out: &got, stop: stop} })
	return got, err
}

// TestParallelReadsEverySegment: every segment is read to its end, each
// request naming its segment.
func TestParallelReadsEverySegment(t *testing.T) {
	c := segmentScript()
	got, err := parallelScan(t, c, ReadOptions{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "item count", 4, len(got))
	diff(t, "requests", 4, len(c.scans))
	for _, in := range c.scans {
		diff(t, "total segments", aws.Int32(3), in.TotalSegments)
	}
}

// TestParallelLimit: a parallel scan yields at most Limit items.
func TestParallelLimit(t *testing.T) {
	got, err := parallelScan(t, segmentScript(), ReadOptions{Limit: 2}, 0)
	if err != nil || len(got) != 2 {
		t.Errorf("%d items, %v; want 2", len(got), err)
	}
}

// TestParallelCallerStops: a Yield returning false ends the scan without
// an error.
func TestParallelCallerStops(t *testing.T) {
	got, err := parallelScan(t, segmentScript(), ReadOptions{}, 1)
	if err != nil || len(got) != 1 {
		t.Errorf("%d items, %v; want 1", len(got), err)
	}
}

// TestParallelSegmentError: a segment's failed request ends the scan with
// its error.
func TestParallelSegmentError(t *testing.T) {
	boom := errors.New("boom")
	c := segmentScript()
	c.replies[2] = []reply{{err: boom}}
	_, err := parallelScan(t, c, ReadOptions{}, 0)
	var qe *QueryError
	if !errors.Is(err, boom) || !errors.As(err, &qe) || qe.Op != "Scan" {
		t.Errorf("error %v, want a Scan error wrapping boom", err)
	}
}

// TestPageParallelRefused: Page reads one segment; a parallel scan's is
// refused before any request.
func TestPageParallelRefused(t *testing.T) {
	c := segmentScript()
	post, _ := readTable(t, c)
	r, err := NewScan(post, ReadOptions{Segments: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Page(ctx, "", true, ids(new([]string), 0), nil); err == nil {
		t.Error("Page of a parallel scan: no error")
	}
	diff(t, "requests", 0, len(c.scans))
}

// TestCursorOfOtherPartitionRefused: a cursor resumes only the partition
// it was made in.
func TestCursorOfOtherPartitionRefused(t *testing.T) {
	c := newScript()
	post, _ := readTable(t, c)
	ann := postQuery(t, post, ReadOptions{}, nil)
	cursor, err := ann.EncodeCursor(keyOfPost("1"))
	if err != nil {
		t.Fatal(err)
	}
	bob := rpost{User: "bob"}
	r, err := NewQuery(post, ReadOptions{}, ptr(&bob), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Page(ctx, cursor, true, ids(new([]string), 0), nil); !errors.Is(err, ErrInvalidCursor) {
		t.Errorf("error %v, want ErrInvalidCursor", err)
	}
	diff(t, "requests", 0, len(c.queries))
}

// TestCursorOfQueryRefusedByScan: a query's cursor does not resume a scan
// of the same entity, nor a query in the other order.
func TestCursorOfQueryRefusedByScan(t *testing.T) {
	post, _ := readTable(t, nil)
	q := postQuery(t, post, ReadOptions{}, nil)
	cursor, err := q.EncodeCursor(keyOfPost("1"))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := NewScan(post, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.DecodeCursor(cursor); !errors.Is(err, ErrInvalidCursor) {
		t.Errorf("scan: error %v, want ErrInvalidCursor", err)
	}
	if _, err := postQuery(t, post, ReadOptions{Desc: true}, nil).DecodeCursor(cursor); !errors.Is(err, ErrInvalidCursor) {
		t.Errorf("newest first: error %v, want ErrInvalidCursor", err)
	}
	if key, err := q.DecodeCursor(cursor); err != nil {
		t.Errorf("own cursor: %v", err)
	} else {
		diff(t, "key", keyOfPost("1"), key)
	}
}

// TestGetProjectionReadsTTL: a projected Get reads the ttl attribute to
// check expiry, and hides it from the decoded value.
func TestGetProjectionReadsTTL(t *testing.T) {
	post, _ := readTable(t, nil)
	key := rpost{User: "ann", ID: "1"}
	g, err := NewGet(post, ptr(&key), ReadOptions{Project: []string{"body"}})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "projection", "#0, #1, #2", aws.ToString(g.In.ProjectionExpression))
	diff(t, "names", map[string]string{"#0": "_type", "#1": "body", "#2": "expires"}, g.In.ExpressionAttributeNames)
	item := map[string]types.AttributeValue{"_type": str("Post"), "body": str("hi"), "expires": num("5000")}
	var v rpost
	if err := g.Decode(ctx, item, ptr(&v), ptr(&key)); err != nil {
		t.Fatal(err)
	}
	diff(t, "value", rpost{User: "ann", ID: "1", Body: "hi"}, v)
}

// TestGetExpiredNotFound: an expired item is ErrNotFound unless
// ExpiredOK; an item of another entity is ErrNotFound too.
func TestGetExpiredNotFound(t *testing.T) {
	post, _ := readTable(t, nil)
	key := rpost{User: "ann", ID: "1"}
	item := func() map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"_type": str("Post"), "user": str("ann"), "id": str("1"), "expires": num("999")}
	}
	for _, o := range []ReadOptions{{}, {ExpiredOK: true}} {
		g, err := NewGet(post, ptr(&key), o)
		if err != nil {
			t.Fatal(err)
		}
		var v rpost
		err = g.Decode(ctx, item(), ptr(&v), ptr(&key))
		if expired := errors.Is(err, ErrNotFound); expired == o.ExpiredOK {
			t.Errorf("ExpiredOK %v: error %v", o.ExpiredOK, err)
		}
		other := item()
		other["_type"] = str("Comment")
		if err := g.Decode(ctx, other, ptr(&v), ptr(&key)); !errors.Is(err, ErrNotFound) {
			t.Errorf("item of another entity: error %v, want ErrNotFound", err)
		}
	}
}

// TestGetUnknownProjectionRefused: projecting an attribute the entity
// does not have is refused, naming the key.
func TestGetUnknownProjectionRefused(t *testing.T) {
	post, _ := readTable(t, nil)
	key := rpost{User: "ann", ID: "1"}
	g, err := NewGet(post, ptr(&key), ReadOptions{Project: []string{"nope"}})
	var ie *ItemError
	if !errors.As(err, &ie) || ie.Key != (Key{PK: "USER#ann", SK: "POST#1"}) || g.In != nil {
		t.Errorf("error %v, want an ItemError naming the key and no request", err)
	}
}
