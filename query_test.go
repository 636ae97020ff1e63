package tablemap_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
)

// qPost is a user's post: in the user's partition by time and id, and in
// GSI1 by topic (sparse: posts without a topic are not in it).
type qPost struct {
	_      struct{}  `tablemap:"Post" pk:"USER#{user}" sk:"POST#{posted}#{id}" gsi1pk:"TOPIC#{topic}" gsi1sk:"{posted}#{user}#{id}"`
	User   string    `dynamo:"user"`
	Posted time.Time `dynamo:"posted"`
	ID     int       `dynamo:"id"`
	Topic  string    `dynamo:"topic,omitempty"`
	Tag    string    `dynamo:"tag,omitempty"`
	Body   string    `dynamo:"body,omitempty"`
}

// qComment is a comment on a post, stored in the post's user partition
// right after the post: its sort key starts with the post's.
type qComment struct {
	_      struct{}  `tablemap:"Comment" pk:"USER#{user}" sk:"POST#{posted}#{id}#C#{by}"`
	User   string    `dynamo:"user"`
	Posted time.Time `dynamo:"posted"`
	ID     int       `dynamo:"id"`
	By     string    `dynamo:"by"`
	Text   string    `dynamo:"text"`
}

// qFollow says that user follows other since a time.
type qFollow struct {
	_     struct{}  `tablemap:"Follow" pk:"USER#{user}" sk:"FOLLOWS#{other}#{since}"`
	User  string    `dynamo:"user"`
	Other string    `dynamo:"other"`
	Since time.Time `dynamo:"since"`
}

// qMember is a user's membership of a group, read from both sides through
// the inverted index.
type qMember struct {
	_     struct{} `tablemap:"Member" pk:"GROUP#{group}" sk:"USER#{user}" gsi2pk:"ROLE#{role}"`
	Group string   `dynamo:"group"`
	User  string   `dynamo:"user"`
	Role  string   `dynamo:"role"`
}

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func attrS(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func minute(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }

func put[T any](t *testing.T, e *tablemap.Entity[T], items ...T) {
	t.Helper()
	for _, v := range items {
		if err := e.Put(v).Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// collect runs an iterator to its end, failing the test on an error.
func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// pages reads every page of q with Page, returning the items and the
// number of pages.
func pages[T any](t *testing.T, q *tablemap.Query[T]) ([]T, int) {
	t.Helper()
	var all []T
	cursor, n := "", 0
	for {
		p, err := q.Page(ctx, cursor)
		if err != nil {
			t.Fatal(err)
		}
		n++
		all = append(all, p.Items...)
		if p.Next == "" {
			return all, n
		}
		if n > 10_000 {
			t.Fatal("no end of pages")
		}
		cursor = p.Next
	}
}

func ids(posts []qPost) []int {
	out := make([]int, len(posts))
	for i, p := range posts {
		out[i] = p.ID
	}
	return out
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func reversed(s []int) []int {
	out := make([]int, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// postTable defines posts, comments and follows on a table of their own.
func postTable(t *testing.T, opts ...tablemap.TableOption) (*tablemap.Table, *tablemap.Meter, *tablemap.Entity[qPost], *tablemap.Entity[qComment], *tablemap.Entity[qFollow]) {
	t.Helper()
	tbl, m := setup(t, opts...)
	posts := define[qPost](t, tbl)
	comments := define[qComment](t, tbl)
	follows := define[qFollow](t, tbl)
	create(t, tbl, m)
	return tbl, m, posts, comments, follows
}

func TestQueryPartialValue(t *testing.T) {
	t.Parallel()
	_, m, posts, comments, follows := postTable(t)
	// ann's posts 1..5, each with a comment sorting right after it; anne's
	// post 9; follows in ann's partition.
	for i := 1; i <= 5; i++ {
		put(t, posts, qPost{User: "ann", Posted: minute(i), ID: i, Body: fmt.Sprint("post ", i)})
		put(t, comments, qComment{User: "ann", Posted: minute(i), ID: i, By: "bob", Text: "nice"})
	}
	put(t, posts, qPost{User: "anne", Posted: minute(3), ID: 9})
	put(t, follows,
		qFollow{User: "bob", Other: "ann", Since: minute(1)},
		qFollow{User: "bob", Other: "ann", Since: minute(2)},
		qFollow{User: "bob", Other: "anne", Since: minute(3)},
		qFollow{User: "bob", Other: "an", Since: minute(4)},
	)
	m.Reset()

	got := collect(t, posts.Query(qPost{User: "ann"}).All(ctx))
	diff(t, "ann's posts, oldest first", seq(1, 5), ids(got))
	diff(t, "post 1", qPost{User: "ann", Posted: minute(1), ID: 1, Body: "post 1"}, got[0])
	if n := m.Requests("Query"); n != 1 {
		t.Errorf("%d Query requests, want 1", n)
	}

	got = collect(t, posts.Query(qPost{User: "ann"}).Newest().All(ctx))
	diff(t, "ann's posts, newest first", reversed(seq(1, 5)), ids(got))

	// A complete sort key is one item.
	got = collect(t, posts.Query(qPost{User: "ann", Posted: minute(2), ID: 2}).All(ctx))
	diff(t, "post 2 by its full key", []int{2}, ids(got))

	// A prefix ends on a field boundary: ann never matches anne or an.
	fs := collect(t, follows.Query(qFollow{User: "bob", Other: "ann"}).All(ctx))
	diff(t, "bob follows ann", []qFollow{
		{User: "bob", Other: "ann", Since: minute(1)},
		{User: "bob", Other: "ann", Since: minute(2)},
	}, fs)
	// SKBeginsWith matches the last field as a string prefix.
	fs = collect(t, follows.Query(qFollow{User: "bob"}).SKBeginsWith(qFollow{Other: "ann"}).All(ctx))
	diff(t, "bob follows ann*", 3, len(fs))
	fs = collect(t, follows.Query(qFollow{User: "bob"}).SKBeginsWith(qFollow{Other: "an"}).All(ctx))
	diff(t, "bob follows an*", 4, len(fs))

	// Comments share the partition and the sort key prefix; the query
	// returns posts only, and a comment query comments only.
	cs := collect(t, comments.Query(qComment{User: "ann"}).All(ctx))
	diff(t, "ann's comments", 5, len(cs))
}

func TestQuerySortKeyConditions(t *testing.T) {
	t.Parallel()
	_, m, posts, comments, _ := postTable(t)
	// Posts 1..6 at minutes 1..6, and post 7 at minute 6 too; a comment on
	// each, which every condition must skip.
	for i := 1; i <= 7; i++ {
		at := minute(min(i, 6))
		put(t, posts, qPost{User: "ann", Posted: at, ID: i})
		put(t, comments, qComment{User: "ann", Posted: at, ID: i, By: "bob"})
	}
	m.Reset()
	// A condition's value is a full sort key: id 0 is a value, so at(i)
	// compares with post 0 at minute i, which sorts before the minute's
	// other posts.
	at := func(i int) qPost { return qPost{Posted: minute(i)} }
	full := func(i int) qPost { return qPost{Posted: minute(min(i, 6)), ID: i} }
	for _, tc := range []struct {
		name string
		q    func(*tablemap.Query[qPost]) *tablemap.Query[qPost]
		want []int
	}{
		{"equal id 0", func(q *tablemap.Query[qPost]) *tablemap.Query[qPost] { return q.SKEqual(at(6)) }, []int{}},
		{"equal full", func(q *tablemap.Query[qPost]) *tablemap.Query[qPost] { return q.SKEqual(full(3)) }, []int{3}},
		{"less id 0", func(q *tablemap.Query[qPost]) *tablemap.Query[qPost] { return q.SKLess(at(3)) }, []int{1, 2}},
		{"less full", func(q *tablemap.Query[qPost]) *tablemap.Query[qPost] { return q.SKLess(full(7)) }, seq(1, 6)},
		{"less or equal id 0", func(q *tablemap.Query[qPost]) *tablemap.Query[qPost] { return q.SKLessOrEqual(at(3)) }, []int{1, 2}},
		{"less or equal full", func(q *tablemap.Query[qPost]) *tablemap.Query[qPost] { return q.SKLessOrEqual(full(6)) }, seq(1, 6)},
		{"greater id 0", func(q *tablemap.Query[qPost]) *tablemap.Query[qPost] { return q.SKGreater(at(5)) }, []int{5, 6, 7}},
		{"greater full", func(q *tablemap.Query[qPost]) *tablemap.Query[qPost] { return q.SKGreater(full(6)) }, []int{7}},
		{"greater or equal id 0", func(q *tablemap.Query[qPost]) *tablemap.Query[qPost] { return q.SKGreaterOrEqual(at(5)) }, []int{5, 6, 7}},
		{"between id 0", func(q *tablemap.Query[qPost]) *tablemap.Query[qPost] { return q.SKBetween(at(2), at(4)) }, []int{2, 3}},
		{"between id 0 upper", func(q *tablemap.Query[qPost]) *tablemap.Query[qPost] { return q.SKBetween(full(5), at(6)) }, []int{5}},
		{"between full", func(q *tablemap.Query[qPost]) *tablemap.Query[qPost] { return q.SKBetween(full(2), full(6)) }, seq(2, 6)},
		{"between newest", func(q *tablemap.Query[qPost]) *tablemap.Query[qPost] { return q.SKBetween(at(2), at(4)).Newest() }, []int{3, 2}},
	} {
		q := tc.q(posts.Query(qPost{User: "ann"}))
		got := collect(t, q.All(ctx))
		diff(t, tc.name, tc.want, ids(got))
	}
	if n := m.Requests(); n != 13 {
		t.Errorf("%d requests, want 13 (one per query)", n)
	}

	// Errors before any request.
	m.Reset()
	for name, q := range map[string]*tablemap.Query[qPost]{
		"no sort key field": posts.Query(qPost{User: "ann"}).SKLess(qPost{ID: 3}),
		"two conditions":    posts.Query(qPost{User: "ann"}).SKLess(at(3)).SKGreater(at(1)),
		"empty range":       posts.Query(qPost{User: "ann"}).SKBetween(at(4), at(2)),
		"no partition":      posts.Query(qPost{Posted: minute(1)}),
		"consistent GSI":    posts.Query(qPost{Topic: "go"}).Index("GSI1").Consistent(),
		"unknown index":     posts.Query(qPost{User: "ann"}).Index("GSI7"),
		"unknown attribute": posts.Query(qPost{User: "ann"}).Project("nope"),
		"negative limit":    posts.Query(qPost{User: "ann"}).Limit(-1),
	} {
		if _, err := q.First(ctx); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := posts.Query(qPost{Posted: minute(1)}).Params(); !errors.Is(err, tablemap.ErrInvalidKey) {
		t.Errorf("query without partition key: error %v, want ErrInvalidKey", err)
	}
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests for invalid queries, want 0", n)
	}
}

func TestQueryIndexes(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t, tablemap.WithInvertedIndex())
	posts := define[qPost](t, tbl)
	members := define[qMember](t, tbl)
	create(t, tbl, m)
	put(t, posts,
		qPost{User: "ann", Posted: minute(1), ID: 1, Topic: "go"},
		qPost{User: "bob", Posted: minute(2), ID: 2, Topic: "go"},
		qPost{User: "ann", Posted: minute(3), ID: 3, Topic: "dynamo"},
		qPost{User: "cat", Posted: minute(4), ID: 4, Topic: "go"},
		qPost{User: "cat", Posted: minute(5), ID: 5}, // no topic: not in GSI1
	)
	put(t, members,
		qMember{Group: "g1", User: "ann", Role: "admin"},
		qMember{Group: "g2", User: "ann", Role: "reader"},
		qMember{Group: "g2", User: "bob", Role: "reader"},
		qMember{Group: "g3", User: "anne", Role: "reader"},
	)
	m.Reset()

	got := collect(t, posts.Query(qPost{Topic: "go"}).Index("GSI1").Newest().All(ctx))
	diff(t, "posts on go, newest first", []int{4, 2, 1}, ids(got))
	got = collect(t, posts.Query(qPost{Topic: "go"}).Index("GSI1").SKGreater(qPost{Posted: minute(1)}).All(ctx))
	diff(t, "posts on go after minute 1", []int{2, 4}, ids(got))
	got = collect(t, posts.Query(qPost{Topic: "go", Posted: minute(2)}).Index("GSI1").All(ctx))
	diff(t, "posts on go at minute 2", []int{2}, ids(got))

	// The inverted index: a group's members from the table, a user's
	// groups from the index.
	ms := collect(t, members.Query(qMember{Group: "g2"}).All(ctx))
	diff(t, "members of g2", []qMember{{Group: "g2", User: "ann", Role: "reader"}, {Group: "g2", User: "bob", Role: "reader"}}, ms)
	ms = collect(t, members.Query(qMember{User: "ann"}).Index(tablemap.InvertedIndex).All(ctx))
	diff(t, "groups of ann", []qMember{{Group: "g1", User: "ann", Role: "admin"}, {Group: "g2", User: "ann", Role: "reader"}}, ms)
	ms = collect(t, members.Query(qMember{User: "ann"}).Index(tablemap.InvertedIndex).SKLess(qMember{Group: "g2"}).All(ctx))
	diff(t, "groups of ann before g2", []qMember{{Group: "g1", User: "ann", Role: "admin"}}, ms)
	if n := m.Requests(); n != 6 {
		t.Errorf("%d requests, want 6", n)
	}

	// An index without a sort key: its pages resume too.
	rs, nr := pages(t, members.Query(qMember{Role: "reader"}).Index("GSI2").Limit(1))
	slices.SortFunc(rs, func(a, b qMember) int { return strings.Compare(a.Group+a.User, b.Group+b.User) })
	diff(t, "readers", []qMember{
		{Group: "g2", User: "ann", Role: "reader"}, {Group: "g2", User: "bob", Role: "reader"}, {Group: "g3", User: "anne", Role: "reader"},
	}, rs)
	if nr < 3 {
		t.Errorf("%d pages of one reader, want at least 3", nr)
	}

	// Pages of an index query resume through its cursor.
	q := posts.Query(qPost{Topic: "go"}).Index("GSI1").Limit(2)
	all, n := pages(t, q)
	diff(t, "pages of posts on go", []int{1, 2, 4}, ids(all))
	diff(t, "pages", 2, n)
}

func TestQueryFilterProjectFirstCount(t *testing.T) {
	t.Parallel()
	_, m, posts, comments, _ := postTable(t)
	for i := 1; i <= 9; i++ {
		tag := ""
		if i%3 == 0 {
			tag = "keep"
		}
		put(t, posts, qPost{User: "ann", Posted: minute(i), ID: i, Tag: tag, Body: fmt.Sprint("body ", i), Topic: "go"})
		put(t, comments, qComment{User: "ann", Posted: minute(i), ID: i, By: "bob"})
	}
	m.Reset()
	keep := expression.Name("tag").Equal(expression.Value("keep"))

	got := collect(t, posts.Query(qPost{User: "ann"}).Filter(keep).All(ctx))
	diff(t, "filtered", []int{3, 6, 9}, ids(got))

	got = collect(t, posts.Query(qPost{User: "ann"}).Filter(keep).Project("body").Consistent().All(ctx))
	diff(t, "projected", []qPost{
		{User: "ann", Posted: minute(3), ID: 3, Body: "body 3"},
		{User: "ann", Posted: minute(6), ID: 6, Body: "body 6"},
		{User: "ann", Posted: minute(9), ID: 9, Body: "body 9"},
	}, got)

	first, err := posts.Query(qPost{User: "ann"}).Newest().Filter(keep).First(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "first", 9, first.ID)
	_, err = posts.Query(qPost{User: "bob"}).First(ctx)
	wantErr(t, err, tablemap.ErrNotFound)

	n, err := posts.Query(qPost{User: "ann"}).Filter(keep).Project("body").Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "count filtered", 3, n)
	n, err = comments.Query(qComment{User: "ann"}).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "count of comments", 9, n)

	// Limit with a filter: exactly n items, resuming without loss.
	all, pagesRead := pages(t, posts.Query(qPost{User: "ann"}).Filter(keep).Limit(2))
	diff(t, "filtered pages", []int{3, 6, 9}, ids(all))
	diff(t, "filtered pages read", 2, pagesRead)
	got = collect(t, posts.Query(qPost{User: "ann"}).Limit(4).All(ctx))
	diff(t, "All with Limit", seq(1, 4), ids(got))
}

func TestQueryParams(t *testing.T) {
	t.Parallel()
	tbl, _ := setup(t)
	posts := define[qPost](t, tbl)
	in, err := posts.Query(qPost{User: "ann", Posted: minute(1)}).Newest().Limit(10).Consistent().Params()
	if err != nil {
		t.Fatal(err)
	}
	want := &dynamodb.QueryInput{
		TableName:              aws.String(tbl.Name()),
		KeyConditionExpression: aws.String("(#1 = :1) AND (begins_with (#2, :2))"),
		FilterExpression:       aws.String("#0 = :0"),
		ExpressionAttributeNames: map[string]string{
			"#0": "_type", "#1": "PK", "#2": "SK",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":0": attrS("Post"), ":1": attrS("USER#ann"), ":2": attrS("POST#2025-01-02T03:05:05.000000000Z#"),
		},
		ScanIndexForward: aws.Bool(false),
		ConsistentRead:   aws.Bool(true),
		Limit:            aws.Int32(10),
	}
	diff(t, "params", want, in, rawOpts, cmpopts.IgnoreUnexported(dynamodb.QueryInput{}))
}

func TestQueryCursorChecks(t *testing.T) {
	t.Parallel()
	tbl, m, posts, comments, _ := postTable(t)
	for i := 1; i <= 4; i++ {
		put(t, posts, qPost{User: "ann", Posted: minute(i), ID: i, Topic: "go"})
		put(t, posts, qPost{User: "bob", Posted: minute(i), ID: 10 + i, Topic: "go"})
		put(t, comments, qComment{User: "ann", Posted: minute(i), ID: i, By: "cat"})
	}
	q := posts.Query(qPost{User: "ann"}).Limit(2)
	p1, err := q.Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if p1.Next == "" {
		t.Fatal("first page has no next cursor")
	}
	p2, err := q.Page(ctx, p1.Next)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "page 2", []int{3, 4}, ids(p2.Items))

	// Flip each character of the cursor in turn: every altered cursor fails
	// before a request is sent.
	m.Reset()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range p1.Next {
		c := p1.Next[i]
		swapped := alphabet[(strings.IndexByte(alphabet, c)+1)%len(alphabet)]
		bad := p1.Next[:i] + string(swapped) + p1.Next[i+1:]
		if _, err := q.Page(ctx, bad); !errors.Is(err, tablemap.ErrInvalidCursor) {
			t.Fatalf("cursor altered at %d: error %v, want ErrInvalidCursor", i, err)
		}
	}
	gcursor, err := posts.Query(qPost{Topic: "go"}).Index("GSI1").Limit(1).Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	ccursor, err := comments.Query(qComment{User: "ann"}).Limit(1).Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	bcursor, err := posts.Query(qPost{User: "bob"}).Limit(1).Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	m.Reset()
	other := tablemap.NewTable(tbl.Client(), tbl.Name(), tablemap.WithCursorSecret([]byte("s3cret")))
	otherPosts := define[qPost](t, other)
	for name, c := range map[string]struct {
		q      *tablemap.Query[qPost]
		cursor string
	}{
		"truncated":       {q, p1.Next[:len(p1.Next)-2]},
		"garbage":         {q, "not a cursor!"},
		"empty payload":   {q, "AAAA"},
		"another index":   {q, gcursor.Next},
		"another entity":  {q, ccursor.Next},
		"another user":    {q, bcursor.Next},
		"another secret":  {otherPosts.Query(qPost{User: "ann"}), p1.Next},
		"table for index": {posts.Query(qPost{Topic: "go"}).Index("GSI1"), p1.Next},
	} {
		_, err := c.q.Page(ctx, c.cursor)
		if !errors.Is(err, tablemap.ErrInvalidCursor) {
			t.Errorf("%s: error %v, want ErrInvalidCursor", name, err)
		}
	}
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests sent with invalid cursors, want 0", n)
	}
}

// filterIDs returns the ids of posts whose tag is "keep".
func keptIDs(ps []qPost) []int {
	var out []int
	for _, p := range ps {
		if p.Tag == "keep" {
			out = append(out, p.ID)
		}
	}
	return out
}

func checkPages[T any](t *testing.T, what string, q *tablemap.Query[T], limit int, want []int, id func([]T) []int) {
	t.Helper()
	cursor := ""
	var got []int
	for n := 1; ; n++ {
		p, err := q.Page(ctx, cursor)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, id(p.Items)...)
		if p.Next == "" {
			if len(p.Items) > limit {
				t.Errorf("%s: last page has %d items, over the limit %d", what, len(p.Items), limit)
			}
			break
		}
		if len(p.Items) != limit {
			t.Fatalf("%s: page %d has %d items, want exactly %d", what, n, len(p.Items), limit)
		}
		cursor = p.Next
	}
	diff(t, what, want, got)
}

func TestQueryPagesOverThousandItems(t *testing.T) {
	t.Parallel()
	tbl, m, posts, comments, _ := postTable(t)
	// 1000 posts of ann (about 1 KB each, so DynamoDB splits them into
	// 1 MB pages), two in three tagged "keep"; a comment after every other
	// post; posts of anne in the next partition.
	body := strings.Repeat("x", 1000)
	ps := make([]qPost, 1000)
	w := tbl.BatchWrite()
	for i := range ps {
		ps[i] = qPost{User: "ann", Posted: minute(i), ID: i, Body: body}
		if i%3 != 0 {
			ps[i].Tag = "keep"
		}
		w.Put(posts.Put(ps[i]))
		if i%2 == 0 {
			w.Put(comments.Put(qComment{User: "ann", Posted: minute(i), ID: i, By: "bob", Text: body}))
		}
		if i < 100 {
			w.Put(posts.Put(qPost{User: "anne", Posted: minute(i), ID: 5000 + i, Tag: "keep"}))
		}
	}
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	keep := expression.Name("tag").Equal(expression.Value("keep"))
	kept := keptIDs(ps)

	// Every page of a filtered, limited query has exactly the limit; the
	// pages together hold each matching item once, in order.
	checkPages(t, "filtered pages of 7", posts.Query(qPost{User: "ann"}).Filter(keep).Limit(7), 7, kept, ids)
	checkPages(t, "pages of 50, newest first", posts.Query(qPost{User: "ann"}).Newest().Limit(50), 50, reversed(seq(0, 999)), ids)
	checkPages(t, "pages of 300", posts.Query(qPost{User: "ann"}).Limit(300), 300, seq(0, 999), ids)

	// All streams every DynamoDB page: each post once.
	m.Reset()
	all := collect(t, posts.Query(qPost{User: "ann"}).All(ctx))
	diff(t, "all posts", seq(0, 999), ids(all))
	if n := m.Requests("Query"); n < 2 {
		t.Errorf("All read %d pages, want the 1 MB limit to split them", n)
	}
	// All with a limit and a filter stops after exactly n.
	all = collect(t, posts.Query(qPost{User: "ann"}).Filter(keep).Limit(500).All(ctx))
	diff(t, "500 kept posts", kept[:500], ids(all))
	n, err := posts.Query(qPost{User: "ann"}).Filter(keep).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "count of kept posts", len(kept), n)
}

func TestQueryPagesOverLargeItems(t *testing.T) {
	t.Parallel()
	tbl, m, posts, comments, _ := postTable(t)
	// 30 posts of 100 KB: about 10 fit a 1 MB page. Comments of 50 KB in
	// between, which the entity type filter drops.
	body := strings.Repeat("y", 100_000)
	ps := make([]qPost, 30)
	w := tbl.BatchWrite()
	for i := range ps {
		ps[i] = qPost{User: "ann", Posted: minute(i), ID: i, Body: body}
		if i%3 != 1 {
			ps[i].Tag = "keep"
		}
		w.Put(posts.Put(ps[i]))
		w.Put(comments.Put(qComment{User: "ann", Posted: minute(i), ID: i, By: "bob", Text: body[:50_000]}))
	}
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	keep := expression.Name("tag").Equal(expression.Value("keep"))

	m.Reset()
	checkPages(t, "filtered pages of 4", posts.Query(qPost{User: "ann"}).Filter(keep).Limit(4), 4, keptIDs(ps), ids)
	checkPages(t, "pages of 12", posts.Query(qPost{User: "ann"}).Limit(12), 12, seq(0, 29), ids)
	checkPages(t, "pages of 7, newest first", posts.Query(qPost{User: "ann"}).Newest().Limit(7), 7, reversed(seq(0, 29)), ids)

	m.Reset()
	all := collect(t, posts.Query(qPost{User: "ann"}).All(ctx))
	diff(t, "all posts", seq(0, 29), ids(all))
	// 3 MB of posts (4.5 MB with the comments): DynamoDB counts 1 MB before
	// the filter, DynamoDB Local after it.
	if n := m.Requests("Query"); n < 3 {
		t.Errorf("All read 3 MB of posts in %d requests, want at least 3", n)
	}
	for _, p := range all {
		if p.Body != body {
			t.Fatalf("post %d has a body of %d bytes, want %d", p.ID, len(p.Body), len(body))
		}
	}
	// Page without a limit: one DynamoDB response, then the rest.
	p, err := posts.Query(qPost{User: "ann"}).Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) == 0 || len(p.Items) >= 30 || p.Next == "" {
		t.Errorf("first unlimited page has %d items (next %q), want a 1 MB page", len(p.Items), p.Next)
	}
}
