package tablemap_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
)

// A batch encodes its plain puts as it sends them, but a value the codec
// refuses in any put is still an error before the first request, naming
// the put's entity and key, and nothing is written.
func TestBatchWriteRefusesBadValueBeforeSending(t *testing.T) {
	t.Parallel()
	tbl, m, posts, _, _ := postTable(t)
	ps := manyPosts("ann", 60)
	ps[47].Body = "caf\xe9" // Latin-1, not UTF-8: in no key
	w := tbl.BatchWrite()
	for _, p := range ps {
		w.Put(posts.Put(p))
	}
	err := w.Run(ctx)
	var ie *tablemap.ItemError
	if !errors.Is(err, tablemap.ErrInvalidValue) || !errors.As(err, &ie) {
		t.Fatalf("error %v, want an *ItemError wrapping ErrInvalidValue", err)
	}
	if ie.Entity != "Post" || ie.Key != key(t, posts, ps[47]) {
		t.Errorf("error names %s %v, want Post %v", ie.Entity, ie.Key, key(t, posts, ps[47]))
	}
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

// A Client of the caller's may keep the requests it is given (this one
// records them): each request of a batch then has items of its own, not
// maps the batch fills again for its next request, as it does with a
// *dynamodb.Client. Run twice, the batch sends the same items again.
func TestBatchWriteRequestsStayTheClients(t *testing.T) {
	t.Parallel()
	rec := dynamotest.NewRecorder(dynamotest.Client(t))
	tbl := tablemap.NewTable(rec, dynamotest.TableName(t))
	posts := define[qPost](t, tbl)
	define[qComment](t, tbl)
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	rec.Take()
	ps := manyPosts("ann", 130)
	want := map[string]map[string]types.AttributeValue{}
	w := tbl.BatchWrite().Concurrency(2)
	for i := range ps {
		ps[i].Body = "body " + string(rune('a'+i%26))
		w.Put(posts.Put(ps[i]))
		in, err := posts.Put(ps[i]).Params()
		if err != nil {
			t.Fatal(err)
		}
		want[keyString(in.Item)] = in.Item
	}
	for run := range 2 {
		if err := w.Run(ctx); err != nil {
			t.Fatal(err)
		}
		got := map[string]map[string]types.AttributeValue{}
		for _, in := range rec.Take() {
			for _, r := range in.(*dynamodb.BatchWriteItemInput).RequestItems[tbl.Name()] {
				if r.PutRequest == nil {
					t.Fatalf("run %d: a write request the client kept was emptied", run+1)
				}
				got[keyString(r.PutRequest.Item)] = r.PutRequest.Item
			}
		}
		diff(t, "items the client was given, run "+string(rune('1'+run)), want, got, rawOpts)
	}
}
