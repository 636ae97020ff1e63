package tablemap_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
)

// The tests of expiry run the table's clock in 2100, so that DynamoDB
// Local, whose own clock decides its deletions, never deletes the items
// they store as expired.
var ttlNow = time.Date(2100, 1, 1, 12, 0, 0, 0, time.UTC)

// invite has a ttl field; an org's invites and members share a partition.
type invite struct {
	_       struct{}  `tablemap:"Invite" pk:"ORG#{org}" sk:"INVITE#{email}" gsi1pk:"INVITES" gsi1sk:"{email}"`
	Org     string    `dynamo:"org"`
	Email   string    `dynamo:"email"`
	Role    string    `dynamo:"role,omitempty"`
	Expires time.Time `dynamo:"expires,omitempty,ttl"`
}

// member has no ttl field. Its expires attribute has the name of the
// table's ttl attribute, but is not a ttl: it never hides a member.
type member struct {
	_       struct{} `tablemap:"Member" pk:"ORG#{org}" sk:"MEMBER#{email}"`
	Org     string   `dynamo:"org"`
	Email   string   `dynamo:"email"`
	Expires int64    `dynamo:"expires,omitempty"`
}

type ttlFixture struct {
	tbl     *tablemap.Table
	m       *tablemap.Meter
	invites *tablemap.Entity[invite]
	members *tablemap.Entity[member]
	users   *tablemap.Entity[User]
}

// Invites of org "acme", by how they stand at ttlNow.
var (
	liveInvite    = invite{Org: "acme", Email: "a@x", Role: "admin", Expires: ttlNow.Add(time.Hour)}
	expiredInvite = invite{Org: "acme", Email: "b@x", Role: "dev", Expires: ttlNow.Add(-time.Hour)}
	dueInvite     = invite{Org: "acme", Email: "c@x", Expires: ttlNow} // expires at this very second
	lastingInvite = invite{Org: "acme", Email: "d@x"}                  // no expiry
	lateInvite    = invite{Org: "acme", Email: "e@x", Expires: ttlNow.Add(-48 * time.Hour)}
	oldMember     = member{Org: "acme", Email: "m@x", Expires: ttlNow.Add(-time.Hour).Unix()}
)

// newTTL returns a table with the clock at ttlNow holding the invites
// above and a member, with the meter reset.
func newTTL(t *testing.T) *ttlFixture {
	t.Helper()
	tbl, m := setup(t, tablemap.WithClock(func() time.Time { return ttlNow }))
	f := &ttlFixture{tbl: tbl, m: m, invites: define[invite](t, tbl), members: define[member](t, tbl), users: define[User](t, tbl)}
	create(t, tbl, m)
	for _, v := range []invite{liveInvite, expiredInvite, dueInvite, lastingInvite, lateInvite} {
		if err := f.invites.Put(v).Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.members.Put(oldMember).Run(ctx); err != nil {
		t.Fatal(err)
	}
	m.Reset()
	return f
}

// requests checks the meter counted n requests of op, then resets it.
func (f *ttlFixture) requests(t *testing.T, op string, n int) {
	t.Helper()
	if got := f.m.Requests(op); got != n {
		t.Errorf("%d %s requests, want %d", got, op, n)
	}
	f.m.Reset()
}

var (
	liveInvites = []invite{liveInvite, lastingInvite}
	allInvites  = []invite{liveInvite, expiredInvite, dueInvite, lastingInvite, lateInvite}
)

func TestTTLGet(t *testing.T) {
	t.Parallel()
	f := newTTL(t)
	for _, v := range liveInvites {
		got, err := f.invites.Get(v).Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "live invite", v, got)
	}
	f.requests(t, "GetItem", 2)

	for _, v := range []invite{expiredInvite, dueInvite} {
		got, err := f.invites.Get(v).Run(ctx)
		wantErr(t, err, tablemap.ErrNotFound)
		var ie *tablemap.ItemError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "expired") {
			t.Errorf("error %q: want an *ItemError saying the item expired", err)
		}
		diff(t, "expired invite", invite{}, got)
		got, err = f.invites.Get(v).IncludeExpired().Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "expired invite, included", v, got)
	}
	f.requests(t, "GetItem", 4)

	// A projection without the ttl attribute still hides expired items,
	// and does not fill the ttl field of live ones.
	_, err := f.invites.Get(expiredInvite).Project("role").Run(ctx)
	wantErr(t, err, tablemap.ErrNotFound)
	got, err := f.invites.Get(liveInvite).Project("role").Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "projected live invite", invite{Org: "acme", Email: "a@x", Role: "admin"}, got)
	f.requests(t, "GetItem", 2)

	// A read transaction's get is a Get: the same rule.
	rt := f.tbl.ReadTx()
	exp := tablemap.TxGet(rt, f.invites.Get(expiredInvite))
	inc := tablemap.TxGet(rt, f.invites.Get(dueInvite).IncludeExpired())
	if err := rt.Run(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = exp.Value()
	wantErr(t, err, tablemap.ErrNotFound)
	got, err = inc.Value()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ReadTx IncludeExpired", dueInvite, got)
}

func TestTTLQuery(t *testing.T) {
	t.Parallel()
	f := newTTL(t)
	acme := invite{Org: "acme"}

	diff(t, "query", liveInvites, collect(t, f.invites.Query(acme).All(ctx)))
	f.requests(t, "Query", 1)
	diff(t, "query of the index", liveInvites, collect(t, f.invites.Query(invite{}).Index("GSI1").All(ctx)))
	diff(t, "query, expired included", allInvites, collect(t, f.invites.Query(acme).IncludeExpired().All(ctx)))
	f.requests(t, "Query", 2)

	// A caller's filter is ANDed with the expiry rule.
	admins := f.invites.Query(acme).Filter(expression.Name("role").AttributeExists())
	diff(t, "filtered query", []invite{liveInvite}, collect(t, admins.All(ctx)))

	// Count agrees with the reads.
	for _, c := range []struct {
		q    *tablemap.Query[invite]
		want int
	}{
		{f.invites.Query(acme), 2},
		{f.invites.Query(acme).Project("role"), 2},
		{f.invites.Query(acme).IncludeExpired(), 5},
	} {
		if n, err := c.q.Count(ctx); err != nil || n != c.want {
			t.Errorf("Count: %d, %v; want %d", n, err, c.want)
		}
	}

	// Pages of Limit(1) hold one live item each; an expired item never
	// takes a place.
	q := f.invites.Query(acme).Limit(1)
	var pages []invite
	for cursor := ""; ; {
		p, err := q.Page(ctx, cursor)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 1 && p.Next != "" {
			t.Fatalf("page of %d items with a next page", len(p.Items))
		}
		pages = append(pages, p.Items...)
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	diff(t, "pages", liveInvites, pages)
	first, err := f.invites.Query(acme).SKGreater(liveInvite).First(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "first after a@x", lastingInvite, first)
}

func TestTTLQueryClock(t *testing.T) {
	t.Parallel()
	// The filter compares with the time of each request, not of the
	// query's building.
	now := ttlNow
	tbl, m := setup(t, tablemap.WithClock(func() time.Time { return now }))
	invites := define[invite](t, tbl)
	create(t, tbl, m)
	if err := invites.Put(liveInvite).Run(ctx); err != nil {
		t.Fatal(err)
	}
	q := invites.Query(invite{Org: "acme"})
	sc := invites.Scan()
	diff(t, "before expiry", []invite{liveInvite}, collect(t, q.All(ctx)))
	diff(t, "scan before expiry", []invite{liveInvite}, collect(t, sc.All(ctx)))
	now = liveInvite.Expires
	diff(t, "after expiry", []invite(nil), collect(t, q.All(ctx)))
	diff(t, "scan after expiry", []invite(nil), collect(t, sc.All(ctx)))
}

func TestTTLScan(t *testing.T) {
	t.Parallel()
	f := newTTL(t)
	byEmail := func(a, b invite) bool { return a.Email < b.Email }

	diff(t, "scan", liveInvites, collect(t, f.invites.Scan().All(ctx)), cmpopts.SortSlices(byEmail))
	f.requests(t, "Scan", 1)
	diff(t, "parallel scan", liveInvites, collect(t, f.invites.Scan().Segments(3).All(ctx)), cmpopts.SortSlices(byEmail))
	diff(t, "scan, expired included", allInvites, collect(t, f.invites.Scan().IncludeExpired().All(ctx)), cmpopts.SortSlices(byEmail))
	diff(t, "filtered scan", []invite{liveInvite}, collect(t, f.invites.Scan().Filter(expression.Name("role").AttributeExists()).All(ctx)))

	p, err := f.invites.Scan().Limit(2).Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "page of 2", liveInvites, p.Items, cmpopts.SortSlices(byEmail))

	for _, c := range []struct {
		sc   *tablemap.Scan[invite]
		want int
	}{
		{f.invites.Scan(), 2},
		{f.invites.Scan().Project("role"), 2},
		{f.invites.Scan().Segments(2), 2},
		{f.invites.Scan().IncludeExpired(), 5},
	} {
		if n, err := c.sc.Count(ctx); err != nil || n != c.want {
			t.Errorf("Count: %d, %v; want %d", n, err, c.want)
		}
	}
	// An entity without a ttl field is not filtered on expiry.
	in, err := f.members.Scan().Params()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(*in.FilterExpression, "attribute_not_exists") {
		t.Errorf("member scan filter %q has an expiry rule", *in.FilterExpression)
	}
}

func TestTTLCollection(t *testing.T) {
	t.Parallel()
	f := newTTL(t)
	acme := invite{Org: "acme"}

	got, err := tablemap.Collect2(f.invites.Query(acme), f.members).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "collection invites", liveInvites, got.A)
	diff(t, "collection members", []member{oldMember}, got.B)
	f.requests(t, "Query", 1)

	got, err = tablemap.Collect2(f.invites.Query(acme).IncludeExpired(), f.members).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "collection invites, expired included", allInvites, got.A)
	diff(t, "collection members, expired included", []member{oldMember}, got.B)

	// Pages of two hold two live items of either entity.
	c := tablemap.Collect2(f.invites.Query(acme).Limit(2), f.members)
	p, err := c.Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "first page", liveInvites, p.A)
	p, err = c.Page(ctx, p.Next)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "second page", []member{oldMember}, p.B)
	if len(p.A) != 0 || p.Next != "" {
		t.Errorf("second page: %d invites, next %q; want none, \"\"", len(p.A), p.Next)
	}
}

func TestTTLBatchGet(t *testing.T) {
	t.Parallel()
	f := newTTL(t)
	keys := []invite{liveInvite, expiredInvite, {Org: "acme", Email: "missing@x"}, dueInvite, lastingInvite}

	got, err := f.invites.BatchGet(keys...).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "batch", liveInvites, got)
	f.requests(t, "BatchGetItem", 1)

	got, err = f.invites.BatchGet(keys...).IncludeExpired().Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "batch, expired included", []invite{liveInvite, expiredInvite, dueInvite, lastingInvite}, got)
}

func TestTTLWriteConditions(t *testing.T) {
	t.Parallel()
	f := newTTL(t)

	// IfNotExists replaces an expired item, in one request.
	renewed := expiredInvite
	renewed.Expires = ttlNow.Add(24 * time.Hour)
	if err := f.invites.Put(renewed).IfNotExists().Run(ctx); err != nil {
		t.Fatal(err)
	}
	f.requests(t, "PutItem", 1)
	got, err := f.invites.Get(renewed).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "renewed invite", renewed, got)
	wantErr(t, f.invites.Put(liveInvite).IfNotExists().Run(ctx), tablemap.ErrExists)
	// A failed condition on an expired item is not ErrExists.
	err = f.invites.Put(dueInvite).IfNotExists().If(expression.Name("role").AttributeExists()).Run(ctx)
	wantErr(t, err, tablemap.ErrConditionFailed)
	if errors.Is(err, tablemap.ErrExists) {
		t.Errorf("error %q is ErrExists; the item at the key expired", err)
	}

	// A Put of version 0 expects no item: an expired one will do.
	old := User{Username: "ann", Email: "a@x", Expires: ttlNow.Add(-time.Minute)}
	if err := f.users.Put(old).Run(ctx); err != nil {
		t.Fatal(err)
	}
	f.m.Reset()
	if err := f.users.Put(User{Username: "ann", Email: "new@x"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	f.requests(t, "PutItem", 1)

	// Check: Exists fails on an expired item, NotExists holds.
	other := invite{Org: "other", Email: "z@x"}
	err = f.tbl.WriteTx().Put(f.invites.Put(other)).Check(f.invites.Check(dueInvite).Exists()).Run(ctx)
	wantErr(t, err, tablemap.ErrNotFound)
	f.requests(t, "TransactWriteItems", 1)
	err = f.tbl.WriteTx().Put(f.invites.Put(other)).Check(f.invites.Check(dueInvite).NotExists()).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.requests(t, "TransactWriteItems", 1)
	err = f.tbl.WriteTx().Put(f.invites.Put(other)).Check(f.invites.Check(lastingInvite).Exists()).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = f.tbl.WriteTx().Put(f.invites.Put(other)).Check(f.invites.Check(liveInvite).NotExists()).Run(ctx)
	wantErr(t, err, tablemap.ErrExists)

	// Update: an expired item is missing, as for Get; it stays expired.
	f.m.Reset()
	_, err = f.invites.Update(dueInvite).Set("role", "admin").Set("expires", ttlNow.Add(time.Hour)).Run(ctx)
	wantErr(t, err, tablemap.ErrNotFound)
	f.requests(t, "UpdateItem", 1)
	wantErr(t, getErr(f.invites.Get(dueInvite).Run(ctx)), tablemap.ErrNotFound)
	if _, err := f.invites.Update(lastingInvite).Set("role", "admin").Run(ctx); err != nil {
		t.Errorf("update of a live invite: %v", err)
	}
}

func getErr[T any](_ T, err error) error { return err }

// TestTTLParams shows the expiry rule in the requests: the filter of a
// query (with the type filter) and of a collection whose other entity has
// no ttl field, and the condition of IfNotExists; now is the table's clock.
func TestTTLParams(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "app", tablemap.WithClock(func() time.Time { return ttlNow }))
	invites, members := define[invite](t, tbl), define[member](t, tbl)
	now := n(strconv.FormatInt(ttlNow.Unix(), 10))

	q, err := invites.Query(invite{Org: "acme"}).Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "query filter", "(#0 = :0) AND ((attribute_not_exists (#1)) OR (#1 > :1))", aws.ToString(q.FilterExpression))
	diff(t, "query names", map[string]string{"#0": "_type", "#1": "expires", "#2": "PK", "#3": "SK"}, q.ExpressionAttributeNames)
	diff(t, "query now", now, q.ExpressionAttributeValues[":1"], rawOpts)

	c, err := tablemap.Collect2(invites.Query(invite{Org: "acme"}), members).Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "collection filter", "(#0 IN (:0, :1)) AND (((attribute_not_exists (#1)) OR (#1 > :2)) OR (#0 IN (:3)))", aws.ToString(c.FilterExpression))
	diff(t, "collection values", []typesAV{s("Invite"), s("Member"), now, s("Member")},
		[]typesAV{c.ExpressionAttributeValues[":0"], c.ExpressionAttributeValues[":1"], c.ExpressionAttributeValues[":2"], c.ExpressionAttributeValues[":3"]}, rawOpts)

	in, err := invites.Query(invite{Org: "acme"}).IncludeExpired().Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "query filter, expired included", "#0 = :0", aws.ToString(in.FilterExpression))

	// A caller's filter meets the expiry rule's now in the condition check,
	// as the epoch seconds it is sent as, not as the marker it is built with.
	for _, filtered := range []interface {
		Params() (*dynamodb.QueryInput, error)
	}{
		invites.Query(invite{Org: "acme"}).Filter(expression.Name("role").Equal(expression.Value("admin"))),
		tablemap.Collect2(invites.Query(invite{Org: "acme"}).Filter(expression.Name("role").Equal(expression.Value("admin"))), members),
	} {
		if _, err := filtered.Params(); err != nil {
			t.Errorf("a filtered query of an entity with a ttl field: %v", err)
		}
	}
	if _, err := invites.Scan().Filter(expression.Name("role").Equal(expression.Value("admin"))).Params(); err != nil {
		t.Errorf("a filtered scan of an entity with a ttl field: %v", err)
	}

	p, err := invites.Put(liveInvite).IfNotExists().Params()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "IfNotExists", "(attribute_not_exists (#0)) OR (#1 <= :0)", aws.ToString(p.ConditionExpression))
	diff(t, "IfNotExists now", now, p.ExpressionAttributeValues[":0"], rawOpts)
}

// TestTTLNumbers checks expiry compares ttl attributes another writer
// stored as decimals as DynamoDB does, by their numeric value.
func TestTTLNumbers(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t, tablemap.WithClock(func() time.Time { return ttlNow }))
	invites := define[invite](t, tbl)
	create(t, tbl, m)
	sec := ttlNow.Unix()
	for i, c := range []struct {
		ttl     string
		expired bool
	}{
		{strconv.FormatInt(sec, 10) + ".5", false},
		{strconv.FormatInt(sec-1, 10) + ".999", true},
		{"4.1e9", true},
		{"4.2E9", false},
		{"99999999999999999999999999999999999999", false},
		{"-5", true},
	} {
		key := "k" + strconv.Itoa(i)
		_, err := tbl.Client().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tbl.Name()), Item: map[string]typesAV{
			"PK": s("ORG#acme"), "SK": s("INVITE#" + key), "_type": s("Invite"), "org": s("acme"), "email": s(key), "expires": n(c.ttl),
		}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = invites.Get(invite{Org: "acme", Email: key}).IncludeExpired().Project("email").Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = invites.Get(invite{Org: "acme", Email: key}).Project("email").Run(ctx)
		if got := errors.Is(err, tablemap.ErrNotFound); got != c.expired {
			t.Errorf("ttl %s: Get error %v, want expired %v", c.ttl, err, c.expired)
		}
		n, err := invites.Query(invite{Org: "acme", Email: key}).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := n == 0; got != c.expired {
			t.Errorf("ttl %s: Query counts %d, want expired %v", c.ttl, n, c.expired)
		}
	}
}
