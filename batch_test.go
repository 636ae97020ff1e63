package tablemap_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
)

// load writes items with one BatchWrite.
func load[T any](t *testing.T, tbl *tablemap.Table, e *tablemap.Entity[T], items []T) {
	t.Helper()
	w := tbl.BatchWrite()
	for _, v := range items {
		w.Put(e.Put(v))
	}
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// qCounter is a versioned entity: its writes are conditional.
type qCounter struct {
	_       struct{} `tablemap:"Counter" pk:"COUNTER#{name}"`
	Name    string   `dynamo:"name"`
	N       int      `dynamo:"n"`
	Version int      `dynamo:"v,version"`
}

func manyPosts(user string, n int) []qPost {
	out := make([]qPost, n)
	for i := range out {
		out[i] = qPost{User: user, Posted: minute(i), ID: i, Body: "post"}
	}
	return out
}

func TestBatchWriteGetAcrossEntities(t *testing.T) {
	t.Parallel()
	tbl, m, posts, comments, _ := postTable(t)
	ps := manyPosts("ann", 1000)
	cs := make([]qComment, 500)
	for i := range cs {
		cs[i] = qComment{User: "ann", Posted: minute(2 * i), ID: 2 * i, By: "bob", Text: "hi"}
	}
	w := tbl.BatchWrite()
	for i := range ps {
		w.Put(posts.Put(ps[i]))
		if i%2 == 0 {
			w.Put(comments.Put(cs[i/2]))
		}
	}
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if n := m.Requests("BatchWriteItem"); n != 60 {
		t.Errorf("%d BatchWriteItem requests for 1500 items, want 60", n)
	}

	m.Reset()
	pg := posts.BatchGet(ps...)
	// Ask for a comment twice and for a post's key as a comment: read once,
	// and the post is not a comment.
	ckeys := append(append([]qComment(nil), cs...), cs[0], qComment{User: "ann", Posted: minute(1), ID: 1, By: "x"})
	cg := comments.BatchGet(ckeys...).Consistent()
	if err := tbl.BatchGet(pg, cg).Run(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "posts read", ps, pg.Items())
	diff(t, "comments read", append(cs, cs[0]), cg.Items())
	if n := m.Requests("BatchGetItem"); n != 16 {
		t.Errorf("%d BatchGetItem requests for 1501 keys, want 16", n)
	}

	// Delete every odd post; a batch get of all posts finds the even ones.
	w = tbl.BatchWrite()
	for i := 1; i < len(ps); i += 2 {
		w.Delete(posts.Delete(ps[i]))
	}
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := posts.BatchGet(ps...).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var even []qPost
	for i := 0; i < len(ps); i += 2 {
		even = append(even, ps[i])
	}
	diff(t, "posts left", even, got)
}

func TestBatchWriteRejects(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	posts := define[qPost](t, tbl)
	counters := define[qCounter](t, tbl)
	create(t, tbl, m)
	p := qPost{User: "ann", Posted: minute(1), ID: 1}
	for name, w := range map[string]*tablemap.BatchWrite{
		"if not exists": tbl.BatchWrite().Put(posts.Put(p).IfNotExists()),
		"put if":        tbl.BatchWrite().Put(posts.Put(p).If(expression.Name("body").AttributeNotExists())),
		"delete if":     tbl.BatchWrite().Delete(posts.Delete(p).If(expression.Name("body").AttributeExists())),
		"versioned":     tbl.BatchWrite().Put(counters.Put(qCounter{Name: "visits"})),
		"twice":         tbl.BatchWrite().Put(posts.Put(p)).Delete(posts.Delete(p)),
		"invalid key":   tbl.BatchWrite().Put(posts.Put(qPost{User: "ann"})),
	} {
		if err := w.Run(ctx); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := posts.BatchGet(qPost{User: "ann"}).Run(ctx); !errors.Is(err, tablemap.ErrInvalidKey) {
		t.Errorf("batch get of an invalid key: error %v, want ErrInvalidKey", err)
	}
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

// throttler is a client that passes requests to DynamoDB but leaves some
// keys and writes unprocessed, as DynamoDB does under throttling: the
// first `times` times it sees each key, and forever for keys in stuck.
type throttler struct {
	tablemap.Client
	times int
	stuck map[string]bool // by PK "#" SK

	mu    sync.Mutex
	seen  map[string]int
	calls int
}

func keyString(item map[string]types.AttributeValue) string {
	return item["PK"].(*types.AttributeValueMemberS).Value + "#" + item["SK"].(*types.AttributeValueMemberS).Value
}

func (c *throttler) hold(key map[string]types.AttributeValue) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := keyString(key)
	c.seen[k]++
	return c.stuck[k] || c.seen[k] <= c.times
}

func (c *throttler) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	out := &dynamodb.BatchWriteItemOutput{UnprocessedItems: map[string][]types.WriteRequest{}}
	for table, reqs := range in.RequestItems {
		var send []types.WriteRequest
		for _, r := range reqs {
			var key map[string]types.AttributeValue
			if r.PutRequest != nil {
				key = r.PutRequest.Item
			} else {
				key = r.DeleteRequest.Key
			}
			if c.hold(key) {
				out.UnprocessedItems[table] = append(out.UnprocessedItems[table], r)
			} else {
				send = append(send, r)
			}
		}
		if len(send) > 0 {
			if _, err := c.Client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: send}}, opts...); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (c *throttler) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}, UnprocessedKeys: map[string]types.KeysAndAttributes{}}
	for table, ka := range in.RequestItems {
		send := ka
		send.Keys = nil
		held := ka
		held.Keys = nil
		for _, k := range ka.Keys {
			if c.hold(k) {
				held.Keys = append(held.Keys, k)
			} else {
				send.Keys = append(send.Keys, k)
			}
		}
		if len(held.Keys) > 0 {
			out.UnprocessedKeys[table] = held
		}
		if len(send.Keys) > 0 {
			got, err := c.Client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{table: send}}, opts...)
			if err != nil {
				return nil, err
			}
			out.Responses[table] = got.Responses[table]
		}
	}
	return out, nil
}

func TestBatchRetriesUnprocessed(t *testing.T) {
	t.Parallel()
	m := tablemap.NewMeter()
	th := &throttler{Client: dynamotest.Client(t, m.Attach), times: 2, seen: map[string]int{}}
	tbl := tablemap.NewTable(th, dynamotest.TableName(t))
	posts := define[qPost](t, tbl)
	create(t, tbl, m)
	direct := define[qPost](t, tablemap.NewTable(th.Client, tbl.Name())) // reads around the throttler

	// Every write is left unprocessed twice, then done.
	ps := manyPosts("ann", 60)
	w := tbl.BatchWrite().Backoff(time.Millisecond, 4*time.Millisecond)
	for _, p := range ps {
		w.Put(posts.Put(p))
	}
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := direct.BatchGet(ps...).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "posts written through retries", ps, got)
	if th.calls < 5 {
		t.Errorf("%d BatchWriteItem calls, want retries", th.calls)
	}

	// Reads too: each key is unprocessed twice, then read.
	th.seen = map[string]int{}
	pg := posts.BatchGet(ps...)
	if err := tbl.BatchGet(pg).Backoff(time.Millisecond, 4*time.Millisecond).Run(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "posts read through retries", ps, pg.Items())
}

func TestBatchRetriesRunOut(t *testing.T) {
	t.Parallel()
	m := tablemap.NewMeter()
	th := &throttler{Client: dynamotest.Client(t, m.Attach), seen: map[string]int{}, stuck: map[string]bool{}}
	tbl := tablemap.NewTable(th, dynamotest.TableName(t))
	posts := define[qPost](t, tbl)
	comments := define[qComment](t, tbl)
	create(t, tbl, m)
	direct := define[qPost](t, tablemap.NewTable(th.Client, tbl.Name()))

	ps := manyPosts("ann", 70)
	load(t, tbl, posts, ps[:10]) // posts 0..9 exist; 1 and 2 will be deleted
	th.seen = map[string]int{}
	c := qComment{User: "ann", Posted: minute(5), ID: 5, By: "bob"}
	stuck := []tablemap.BatchItem{
		{Entity: "Post", Key: key(t, posts, ps[2]), Delete: true},
		{Entity: "Comment", Key: key(t, comments, c)},
		{Entity: "Post", Key: key(t, posts, ps[40])},
		{Entity: "Post", Key: key(t, posts, ps[69])},
	}
	for _, s := range stuck {
		th.stuck[s.Key.PK+"#"+s.Key.SK] = true
	}
	w := tbl.BatchWrite().Retries(3).Backoff(time.Millisecond, 2*time.Millisecond)
	w.Delete(posts.Delete(ps[1]), posts.Delete(ps[2]))
	w.Put(comments.Put(c))
	for _, p := range ps[10:] {
		w.Put(posts.Put(p))
	}
	err := w.Run(ctx)
	var be *tablemap.BatchError
	if !errors.As(err, &be) || !errors.Is(err, tablemap.ErrUnprocessed) {
		t.Fatalf("error %v, want a *BatchError wrapping ErrUnprocessed", err)
	}
	stuck[1].Item = be.Unprocessed[1].Item // checked below
	stuck[2].Item = be.Unprocessed[2].Item
	stuck[3].Item = be.Unprocessed[3].Item
	diff(t, "writes not done", stuck, be.Unprocessed, cmpopts.IgnoreFields(tablemap.BatchItem{}, "Item"))
	if cv, _ := comments.Decode(be.Unprocessed[1].Item); cv != c {
		t.Errorf("unprocessed comment item decodes to %+v, want %+v", cv, c)
	}
	// Every other write was done, each stuck one was tried 1+3 times.
	want := append([]qPost{ps[0]}, ps[2:40]...)
	want = append(want, ps[41:69]...)
	got, err := direct.BatchGet(ps...).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "posts stored", want, got)
	if n := th.seen[stuck[0].Key.PK+"#"+stuck[0].Key.SK]; n != 4 {
		t.Errorf("a stuck write was sent %d times, want 4", n)
	}

	// Reads: the keys not read are exactly the stuck ones.
	pg := posts.BatchGet(ps...)
	err = tbl.BatchGet(pg).Retries(2).Backoff(time.Millisecond, 2*time.Millisecond).Run(ctx)
	if !errors.As(err, &be) || !errors.Is(err, tablemap.ErrUnprocessed) {
		t.Fatalf("error %v, want a *BatchError wrapping ErrUnprocessed", err)
	}
	diff(t, "keys not read", []tablemap.BatchItem{
		{Entity: "Post", Key: stuck[0].Key},
		{Entity: "Post", Key: stuck[2].Key},
		{Entity: "Post", Key: stuck[3].Key},
	}, be.Unprocessed)
	diff(t, "posts read", len(want)-1, len(pg.Items())) // all stored but the stuck ps[2]
}

func key[T any](t *testing.T, e *tablemap.Entity[T], v T) tablemap.Key {
	t.Helper()
	k, err := e.Key(v)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// bStamped has timestamps: a batch Put of it is compiled as Run would, so
// its Value tells what was written.
type bStamped struct {
	_       struct{}  `tablemap:"Stamped" pk:"ST#{id}"`
	ID      string    `dynamo:"id"`
	Body    string    `dynamo:"body"`
	Created time.Time `dynamo:"created,created"`
	Updated time.Time `dynamo:"updated,updated"`
}

// The item a batch Put writes is the item of the Put run alone, whether
// the batch builds it (a plain Put) or the Put was compiled before (by
// Params) or has timestamps to set.
func TestBatchPutWritesThePutsItem(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	posts := define[qPost](t, tbl)
	stamped := define[bStamped](t, tbl)
	create(t, tbl, m)
	plain := qPost{User: "ann", Posted: minute(1), ID: 1, Topic: "go", Tag: "x", Body: "plain"}
	early := posts.Put(qPost{User: "ann", Posted: minute(2), ID: 2, Body: "compiled first"})
	earlyIn, err := early.Params()
	if err != nil {
		t.Fatal(err)
	}
	st := stamped.Put(bStamped{ID: "s", Body: "stamped"})
	if err := tbl.BatchWrite().Put(posts.Put(plain), early, st).Run(ctx); err != nil {
		t.Fatal(err)
	}
	plainIn, err := posts.Put(plain).Params()
	if err != nil {
		t.Fatal(err)
	}
	stVal, err := st.Value()
	if err != nil {
		t.Fatal(err)
	}
	if stVal.Created.IsZero() || !stVal.Updated.Equal(stVal.Created) {
		t.Fatalf("stamped value %+v: timestamps not set", stVal)
	}
	stGot, err := stamped.Get(bStamped{ID: "s"}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "stamped item", stVal, stGot)
	for _, want := range []map[string]types.AttributeValue{plainIn.Item, earlyIn.Item} {
		out, err := tbl.Client().GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(tbl.Name()), Key: map[string]types.AttributeValue{"PK": want["PK"], "SK": want["SK"]},
		})
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "stored item", want, out.Item, rawOpts)
	}
}

// A batch Put of an item over 400 KB is ErrItemTooLarge, naming the
// entity and key, before any request.
func TestBatchWriteItemTooLarge(t *testing.T) {
	t.Parallel()
	tbl, m, posts, _, _ := postTable(t)
	big := qPost{User: "ann", Posted: minute(3), ID: 3, Body: strings.Repeat("x", tablemap.MaxItemSize)}
	err := tbl.BatchWrite().Put(posts.Put(manyPosts("ann", 1)[0]), posts.Put(big)).Run(ctx)
	var ie *tablemap.ItemError
	if !errors.Is(err, tablemap.ErrItemTooLarge) || !errors.As(err, &ie) {
		t.Fatalf("error %v, want an *ItemError wrapping ErrItemTooLarge", err)
	}
	if ie.Entity != "Post" || ie.Key != key(t, posts, big) {
		t.Errorf("error names %s %v, want Post %v", ie.Entity, ie.Key, key(t, posts, big))
	}
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

// A BatchGet given twice to one Table.BatchGet, with a key asked twice,
// finds each of its keys once per asking, in order; a second Run makes a
// new result and leaves the first as it was.
func TestBatchGetGivenTwice(t *testing.T) {
	t.Parallel()
	tbl, _, posts, _, _ := postTable(t)
	ps := manyPosts("ann", 3)
	load(t, tbl, posts, ps)
	missing := qPost{User: "bob", Posted: minute(1), ID: 1}
	g := posts.BatchGet(ps[2], missing, ps[0], ps[2])
	if err := tbl.BatchGet(g, g).Run(ctx); err != nil {
		t.Fatal(err)
	}
	first := g.Items()
	diff(t, "items", []qPost{ps[2], ps[0], ps[2]}, first)
	diff(t, "items again", first, g.Items())
	if err := tbl.BatchWrite().Delete(posts.Delete(ps[0])).Run(ctx); err != nil {
		t.Fatal(err)
	}
	second, err := g.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "items after the delete", []qPost{ps[2], ps[2]}, second)
	diff(t, "first run's items", []qPost{ps[2], ps[0], ps[2]}, first)
}
