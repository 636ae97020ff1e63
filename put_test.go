package tablemap_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

const takenKey = "2024-05-01T12:30:00.000000000Z"

func TestPutGetRoundTrip(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)

	p := Photo{Username: "ann", Taken: taken, URL: "https://x/1.jpg", Tags: []string{"sea", "sun"}, Comments: []string{"nice"}, Likes: 3}
	if err := photos.Put(p).Run(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := photos.Get(Photo{Username: "ann", Taken: taken}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "photo", p, got)
	if n := m.Requests(); n != 2 {
		t.Errorf("%d requests, want 2 (%v)", n, m)
	}
}

// TestPutStoresKeysAndType checks the stored item holds the table keys, the
// GSI keys, the entity type and the data attributes.
func TestPutStoresKeysAndType(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	users := define[User](t, tbl)
	create(t, tbl, m)

	if err := photos.Put(Photo{Username: "ann#PHOTO", Taken: taken, URL: "u"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	item := raw(t, tbl, "USER#ann%23PHOTO", "PHOTO#"+takenKey)
	want := map[string]types.AttributeValue{
		"PK": s("USER#ann%23PHOTO"), "SK": s("PHOTO#" + takenKey),
		"GSI1PK": s("PHOTOS"), "GSI1SK": s(takenKey + "#ann%23PHOTO"),
		"_type": s("Photo"), "username": s("ann#PHOTO"), "url": s("u"), "likes": n("0"),
	}
	diff(t, "stored photo", want, item, rawOpts, ignoreAttrs("taken"))

	// A user without an organisation stays out of the sparse GSI3.
	if err := users.Put(User{Username: "bob", Email: "bob@x"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	item = raw(t, tbl, "USER#bob", "PROFILE")
	for attr, want := range map[string]types.AttributeValue{"GSI2PK": s("EMAIL#bob@x"), "GSI2SK": s("USER"), "_type": s("User"), "v": n("1")} {
		diff(t, attr, want, item[attr], rawOpts)
	}
	for _, attr := range []string{"GSI3PK", "GSI3SK", "GSI1PK", "expires"} {
		if av, ok := item[attr]; ok {
			t.Errorf("stored user has %s = %v, want none", attr, av)
		}
	}
}

func ignoreAttrs(names ...string) cmpOption {
	return ignoreMapKeys(names...)
}

func TestPutIfNotExists(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)

	p := Photo{Username: "ann", Taken: taken, URL: "first"}
	if err := photos.Put(p).IfNotExists().Run(ctx); err != nil {
		t.Fatal(err)
	}
	p.URL = "second"
	err := photos.Put(p).IfNotExists().Run(ctx)
	wantErr(t, err, tablemap.ErrConditionFailed)
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Errorf("error %v is not a *ConditionalCheckFailedException", err)
	}
	if errors.Is(err, tablemap.ErrVersionConflict) || errors.Is(err, tablemap.ErrNotFound) {
		t.Errorf("error %v is also a version conflict or not found", err)
	}
	for _, part := range []string{"Put", "Photo", "USER#ann", "PHOTO#" + takenKey} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not name %q", err, part)
		}
	}
	got, err := photos.Get(p).Consistent().Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.URL != "first" {
		t.Errorf("stored url %q, want the first put's", got.URL)
	}
}

func TestPutIf(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)

	p := Photo{Username: "ann", Taken: taken, URL: "u", Likes: 5}
	if err := photos.Put(p).Run(ctx); err != nil {
		t.Fatal(err)
	}
	p.Likes = 1
	err := photos.Put(p).If(expression.Name("likes").LessThan(expression.Value(5))).Run(ctx)
	wantErr(t, err, tablemap.ErrConditionFailed)
	if err := photos.Put(p).If(expression.Name("likes").Equal(expression.Value(5))).If(expression.Name("url").Equal(expression.Value("u"))).Run(ctx); err != nil {
		t.Fatalf("put with a true condition: %v", err)
	}
	got, err := photos.Get(p).Consistent().Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Likes != 1 {
		t.Errorf("likes %d, want 1", got.Likes)
	}
}

// TestPutVersion checks optimistic locking: the struct's version is the
// one expected stored, the item is written with the next one.
func TestPutVersion(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	users := define[User](t, tbl)
	create(t, tbl, m)
	load := func() User {
		t.Helper()
		u, err := users.Get(User{Username: "ann"}).Consistent().Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}

	u := User{Username: "ann", Email: "ann@x"}
	put := users.Put(u)
	written, err := put.Value()
	if err != nil {
		t.Fatal(err)
	}
	if written.Version != 1 {
		t.Errorf("Value().Version = %d, want 1", written.Version)
	}
	if err := put.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := load().Version; got != 1 {
		t.Fatalf("stored version %d, want 1", got)
	}

	// A second new value (version 0) conflicts with the stored item.
	err = users.Put(u).Run(ctx)
	wantErr(t, err, tablemap.ErrVersionConflict, tablemap.ErrConditionFailed)
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Errorf("error %v is not a *ConditionalCheckFailedException", err)
	}

	// The read value writes version 2; writing it again is a conflict.
	cur := load()
	cur.Name = "Ann"
	if err := users.Put(cur).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := load(); got.Version != 2 || got.Name != "Ann" {
		t.Errorf("stored version %d name %q, want 2 Ann", got.Version, got.Name)
	}
	wantErr(t, users.Put(cur).Run(ctx), tablemap.ErrVersionConflict)

	// A version for an item that does not exist conflicts too.
	wantErr(t, users.Put(User{Username: "zed", Email: "z@x", Version: 4}).Run(ctx), tablemap.ErrVersionConflict)

	// IfNotExists with a version: an existing item is a conflict.
	wantErr(t, users.Put(u).IfNotExists().Run(ctx), tablemap.ErrConditionFailed)
	if n := m.Requests("PutItem"); n != 6 {
		t.Errorf("%d PutItem requests, want 6", n)
	}
}

// TestPutTimestamps checks created is set when zero and kept otherwise,
// and updated is always the time of the Put.
func TestPutTimestamps(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tbl, m := setup(t, tablemap.WithClock(func() time.Time { return now }))
	users := define[User](t, tbl)
	create(t, tbl, m)

	if err := users.Put(User{Username: "ann", Email: "a@x"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	u, err := users.Get(User{Username: "ann"}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !u.Created.Equal(now) || !u.Updated.Equal(now) {
		t.Errorf("created %v updated %v, want both %v", u.Created, u.Updated, now)
	}

	later := now.Add(time.Hour)
	now = later
	if err := users.Put(u).Run(ctx); err != nil {
		t.Fatal(err)
	}
	u, err = users.Get(User{Username: "ann"}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !u.Created.Equal(later.Add(-time.Hour)) || !u.Updated.Equal(later) {
		t.Errorf("created %v updated %v, want %v and %v", u.Created, u.Updated, later.Add(-time.Hour), later)
	}
}

// expiring has an integer ttl field.
type expiring struct {
	_       struct{} `tablemap:"Session" pk:"SESSION#{id}" sk:"SESSION"`
	ID      string   `dynamo:"id"`
	Expires int64    `dynamo:"expires,ttl"`
}

// TestPutTTL checks ttl fields are stored as epoch seconds, time.Time and
// integer alike, and read back.
func TestPutTTL(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	users := define[User](t, tbl)
	sessions := define[expiring](t, tbl)
	create(t, tbl, m)

	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := users.Put(User{Username: "ann", Email: "a@x", Expires: exp}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "stored expires", n("1893456000"), raw(t, tbl, "USER#ann", "PROFILE")["expires"], rawOpts)
	u, err := users.Get(User{Username: "ann"}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !u.Expires.Equal(exp) {
		t.Errorf("expires %v, want %v", u.Expires, exp)
	}

	if err := sessions.Put(expiring{ID: "s1", Expires: 1893456000}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "stored expires", n("1893456000"), raw(t, tbl, "SESSION#s1", "SESSION")["expires"], rawOpts)
	if err := sessions.Put(expiring{ID: "s2"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if av, ok := raw(t, tbl, "SESSION#s2", "SESSION")["expires"]; ok {
		t.Errorf("zero ttl stored as %v, want no attribute", av)
	}
}

// TestPutItemTooLarge checks the 400 KB limit is enforced before sending,
// at exactly the size DynamoDB enforces.
func TestPutItemTooLarge(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)

	// The size of the item without its url: names plus string values, and
	// likes = 0 (a number of no significant digit is 1 byte).
	in, err := photos.Put(Photo{Username: "ann", Taken: taken}).Params()
	if err != nil {
		t.Fatal(err)
	}
	base := 0
	for name, av := range in.Item {
		base += len(name)
		switch v := av.(type) {
		case *types.AttributeValueMemberS:
			base += len(v.Value)
		case *types.AttributeValueMemberN:
			if v.Value != "0" {
				t.Fatalf("unexpected number %s=%s", name, v.Value)
			}
			base++
		default:
			t.Fatalf("unexpected attribute %s=%T", name, av)
		}
	}
	limit := tablemap.MaxItemSize
	fits := Photo{Username: "ann", Taken: taken, URL: strings.Repeat("x", limit-base)}
	tooLarge := fits
	tooLarge.URL += "x"

	err = photos.Put(tooLarge).Run(ctx)
	wantErr(t, err, tablemap.ErrItemTooLarge)
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests sent for a too large item, want 0", n)
	}
	if !strings.Contains(err.Error(), "Photo") || !strings.Contains(err.Error(), "409601") {
		t.Errorf("error %q does not name the entity and the size", err)
	}
	if _, err := photos.Put(tooLarge).Params(); !errors.Is(err, tablemap.ErrItemTooLarge) {
		t.Errorf("Params: %v, want ErrItemTooLarge", err)
	}

	// DynamoDB agrees: the item at the limit is stored, one byte more is not.
	if err := photos.Put(fits).Run(ctx); err != nil {
		t.Fatalf("item of exactly %d bytes: %v", limit, err)
	}
	in, err = photos.Put(fits).Params()
	if err != nil {
		t.Fatal(err)
	}
	in.Item["url"] = s(tooLarge.URL)
	if _, err := tbl.Client().PutItem(ctx, in); err == nil {
		t.Errorf("DynamoDB stored an item of %d bytes", limit+1)
	}
}

func TestPutInvalidKey(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)

	for name, p := range map[string]Photo{
		"empty username": {Taken: taken, URL: "u"},
		"zero time":      {Username: "ann", URL: "u"},
		"invalid utf-8":  {Username: "\xff", Taken: taken},
	} {
		err := photos.Put(p).Run(ctx)
		wantErr(t, err, tablemap.ErrInvalidKey)
		t.Logf("%s: %v", name, err)
	}
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests sent for invalid keys, want 0", n)
	}
}

func TestPutParams(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "app")
	photos := define[Photo](t, tbl)
	in, err := photos.Put(Photo{Username: "ann", Taken: taken, URL: "u"}).IfNotExists().Params()
	if err != nil {
		t.Fatal(err)
	}
	want := &dynamodb.PutItemInput{
		TableName:                           aws.String("app"),
		Item:                                in.Item,
		ConditionExpression:                 aws.String("attribute_not_exists (#0)"),
		ExpressionAttributeNames:            map[string]string{"#0": "PK"},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	diff(t, "PutItemInput", want, in, rawOpts, ignoreUnexportedInputs)
	diff(t, "PK", s("USER#ann"), in.Item["PK"], rawOpts)
}
