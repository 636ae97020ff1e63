package tablemap_test

import (
	"errors"
	"fmt"
	"strconv"
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

// TestUpdateActions runs every kind of action and checks the returned item
// is the stored one.
func TestUpdateActions(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)

	key := Photo{Username: "ann", Taken: taken}
	p := Photo{Username: "ann", Taken: taken, URL: "u", Title: "Sea", Tags: []string{"a", "b"}, Comments: []string{"c1"}, Likes: 1}
	if err := photos.Put(p).Run(ctx); err != nil {
		t.Fatal(err)
	}
	m.Reset()
	got, err := photos.Update(key).
		Set("url", "v").
		SetIfNotExists("title", "ignored").
		Add("likes", int8(2)).
		Append("comments", "c2").
		DeleteFromSet("tags", "a").
		Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Photo{Username: "ann", Taken: taken, URL: "v", Title: "Sea", Tags: []string{"b"}, Comments: []string{"c1", "c2"}, Likes: 3}
	diff(t, "returned photo", want, got)

	got, err = photos.Update(key).
		Remove("title").
		Add("tags", []string{"x", "y"}).
		Append("comments", []string{"c3", "c4"}).
		Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want.Title, want.Tags, want.Comments = "", []string{"b", "x", "y"}, []string{"c1", "c2", "c3", "c4"}
	diff(t, "returned photo", want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b }))

	// Setting an omitempty attribute to its zero value removes it, as a Put
	// would not store it.
	in, err := photos.Update(key).Set("title", "").Params()
	if err != nil {
		t.Fatal(err)
	}
	if want := "REMOVE #1\n"; aws.ToString(in.UpdateExpression) != want {
		t.Errorf("UpdateExpression %q, want %q", aws.ToString(in.UpdateExpression), want)
	}

	// SetIfNotExists sets a missing attribute; Append starts a missing list.
	got, err = photos.Update(key).SetIfNotExists("title", "Sky").Remove("comments").Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Sky" || got.Comments != nil {
		t.Errorf("title %q comments %v, want Sky and none", got.Title, got.Comments)
	}
	if got, err = photos.Update(key).Append("comments", "first").Run(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "comments", []string{"first"}, got.Comments)

	stored, err := photos.Get(key).Consistent().Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "stored photo", got, stored, cmpopts.SortSlices(func(a, b string) bool { return a < b }))
	if n := m.Requests("UpdateItem"); n != 4 {
		t.Errorf("%d UpdateItem requests, want 4", n)
	}
}

func TestUpdateNotFound(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)

	_, err := photos.Update(Photo{Username: "ann", Taken: taken}).Set("url", "u").Run(ctx)
	wantErr(t, err, tablemap.ErrNotFound)
	if errors.Is(err, tablemap.ErrConditionFailed) {
		t.Errorf("error %v of a missing item is also ErrConditionFailed", err)
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Errorf("error %v does not wrap the SDK's exception", err)
	}
	// No item was created.
	if item := raw(t, tbl, "USER#ann", "PHOTO#"+takenKey); item != nil {
		t.Errorf("Update created an item: %v", item)
	}
}

func TestUpdateCondition(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)

	key := Photo{Username: "ann", Taken: taken}
	if err := photos.Put(Photo{Username: "ann", Taken: taken, URL: "u", Likes: 1}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := photos.Update(key).Add("likes", 1).If(expression.Name("likes").GreaterThan(expression.Value(5))).Run(ctx)
	wantErr(t, err, tablemap.ErrConditionFailed)
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Errorf("error %v does not wrap the SDK's exception", err)
	}
	if errors.Is(err, tablemap.ErrNotFound) || errors.Is(err, tablemap.ErrVersionConflict) {
		t.Errorf("error %v is also not found or a version conflict", err)
	}
	got, err := photos.Update(key).Add("likes", 1).If(expression.Name("likes").Equal(expression.Value(1))).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Likes != 2 {
		t.Errorf("likes %d, want 2", got.Likes)
	}
}

// TestUpdateVersion checks every Update increments the version, and a key
// value with a version applies only to that version.
func TestUpdateVersion(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tbl, m := setup(t, tablemap.WithClock(func() time.Time { return now }))
	users := define[User](t, tbl)
	create(t, tbl, m)

	if err := users.Put(User{Username: "bob", Email: "b@x"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	u, err := users.Update(User{Username: "bob"}).Add("followers", 1).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u.Version != 2 || u.Followers != 1 || !u.Updated.Equal(now) || !u.Created.Equal(now.Add(-time.Minute)) {
		t.Errorf("got version %d followers %d updated %v created %v; want 2, 1, %v, a minute earlier", u.Version, u.Followers, u.Updated, u.Created, now)
	}
	u, err = users.Update(User{Username: "bob", Version: 2}).Set("name", "Bob").Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u.Version != 3 || u.Name != "Bob" {
		t.Errorf("got version %d name %q, want 3 Bob", u.Version, u.Name)
	}
	_, err = users.Update(User{Username: "bob", Version: 2}).Set("name", "Robert").Run(ctx)
	wantErr(t, err, tablemap.ErrVersionConflict, tablemap.ErrConditionFailed)
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Errorf("error %v does not wrap the SDK's exception", err)
	}
	// A failed user condition with the right version is not a conflict.
	_, err = users.Update(User{Username: "bob", Version: 3}).Set("name", "Robert").If(expression.Name("followers").Equal(expression.Value(9))).Run(ctx)
	wantErr(t, err, tablemap.ErrConditionFailed)
	if errors.Is(err, tablemap.ErrVersionConflict) {
		t.Errorf("error %v is a version conflict", err)
	}
	_, err = users.Update(User{Username: "nobody", Version: 3}).Set("name", "X").Run(ctx)
	wantErr(t, err, tablemap.ErrNotFound)
}

// TestUpdateIndexKeys checks Set recomputes the keys of the GSIs that read
// the field, and Remove takes the item out of them.
func TestUpdateIndexKeys(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	users := define[User](t, tbl)
	create(t, tbl, m)

	if err := users.Put(User{Username: "bob", Email: "b@x", Org: "acme", Role: "dev"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	indexKeys := func() map[string]types.AttributeValue {
		item := raw(t, tbl, "USER#bob", "PROFILE")
		keys := map[string]types.AttributeValue{}
		for _, a := range []string{"GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"} {
			if av, ok := item[a]; ok {
				keys[a] = av
			}
		}
		return keys
	}
	diff(t, "index keys", map[string]types.AttributeValue{
		"GSI2PK": s("EMAIL#b@x"), "GSI2SK": s("USER"), "GSI3PK": s("ORG#acme"), "GSI3SK": s("ROLE#dev#bob"),
	}, indexKeys(), rawOpts)

	// Email is GSI2's only field.
	if _, err := users.Update(User{Username: "bob"}).Set("email", "bob@y").Run(ctx); err != nil {
		t.Fatal(err)
	}
	// GSI3 needs org and role: role is set, org comes from the key value.
	if _, err := users.Update(User{Username: "bob", Org: "acme"}).Set("role", "lead").Run(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "index keys", map[string]types.AttributeValue{
		"GSI2PK": s("EMAIL#bob@y"), "GSI2SK": s("USER"), "GSI3PK": s("ORG#acme"), "GSI3SK": s("ROLE#lead#bob"),
	}, indexKeys(), rawOpts)

	// GSI3SK reads role and username (always in the key value): a new role
	// needs no org, and GSI3PK stays.
	m.Reset()
	in, err := users.Update(User{Username: "bob"}).Set("role", "cto").Params()
	if err != nil {
		t.Fatal(err)
	}
	for ph, attr := range in.ExpressionAttributeNames {
		if attr == "GSI3PK" && strings.Contains(aws.ToString(in.UpdateExpression), ph+" ") {
			t.Errorf("a new role rewrites GSI3PK: %s %v", aws.ToString(in.UpdateExpression), in.ExpressionAttributeNames)
		}
		if attr == "GSI3PK" && !strings.Contains(aws.ToString(in.ConditionExpression), "attribute_exists ("+ph+")") {
			t.Errorf("a new role does not require GSI3PK stored: %s %v", aws.ToString(in.ConditionExpression), in.ExpressionAttributeNames)
		}
	}
	if _, err := users.Update(User{Username: "bob"}).Set("role", "cto").Run(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "index keys", map[string]types.AttributeValue{
		"GSI2PK": s("EMAIL#bob@y"), "GSI2SK": s("USER"), "GSI3PK": s("ORG#acme"), "GSI3SK": s("ROLE#cto#bob"),
	}, indexKeys(), rawOpts)

	// Removing org takes the user out of GSI3; setting it back puts it in.
	u, err := users.Update(User{Username: "bob"}).Remove("org").Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u.Org != "" {
		t.Errorf("org %q after Remove", u.Org)
	}
	diff(t, "index keys", map[string]types.AttributeValue{"GSI2PK": s("EMAIL#bob@y"), "GSI2SK": s("USER")}, indexKeys(), rawOpts)
	if _, err := users.Update(User{Username: "bob"}).Set("org", "initech").Set("role", "dev").Run(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "index keys", map[string]types.AttributeValue{
		"GSI2PK": s("EMAIL#bob@y"), "GSI2SK": s("USER"), "GSI3PK": s("ORG#initech"), "GSI3SK": s("ROLE#dev#bob"),
	}, indexKeys(), rawOpts)
	// Setting a field empty also leaves the sparse index.
	if _, err := users.Update(User{Username: "bob", Org: "initech"}).Set("role", "").Run(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "index keys", map[string]types.AttributeValue{"GSI2PK": s("EMAIL#bob@y"), "GSI2SK": s("USER")}, indexKeys(), rawOpts)
}

func TestUpdateTTL(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	users := define[User](t, tbl)
	create(t, tbl, m)

	if err := users.Put(User{Username: "bob", Email: "b@x"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	u, err := users.Update(User{Username: "bob"}).Set("expires", exp).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !u.Expires.Equal(exp) {
		t.Errorf("expires %v, want %v", u.Expires, exp)
	}
	diff(t, "stored expires", n("1893456000"), raw(t, tbl, "USER#bob", "PROFILE")["expires"], rawOpts)
}

// TestUpdateErrors checks actions are validated before any request.
func TestUpdateErrors(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	users := define[User](t, tbl)
	create(t, tbl, m)

	key := Photo{Username: "ann", Taken: taken}
	tests := []struct {
		name string
		err  error
		want []string // in the message
	}{
		{"unknown attribute", run(photos.Update(key).Set("nope", 1)), []string{"Photo", `"nope"`}},
		{"table key field", run(photos.Update(key).Set("username", "bob")), []string{"Photo", `"username"`, "table's key"}},
		{"wrong type", run(photos.Update(key).Set("likes", "many")), []string{`"likes"`, "string", "int"}},
		{"lossy number", run(photos.Update(key).Set("likes", 1.5)), []string{`"likes"`, "float64"}},
		{"number into a string", run(photos.Update(key).Add("likes", -1).Set("url", uint8(1))), []string{`"url"`, "uint8"}},
		{"nil value", run(photos.Update(key).Set("url", nil)), []string{`"url"`, "Remove"}},
		{"add to a string", run(photos.Update(key).Add("url", "x")), []string{"Add", `"url"`}},
		{"append to a set", run(photos.Update(key).Append("tags", "x")), []string{"Append", `"tags"`}},
		{"delete from a list", run(photos.Update(key).DeleteFromSet("comments", "x")), []string{"DeleteFromSet", `"comments"`}},
		{"two actions on one attribute", run(photos.Update(key).Set("url", "a").Remove("url")), []string{`"url"`, "already"}},
		{"nothing to update", run(photos.Update(key)), []string{"nothing to update"}},
		{"version field", run(users.Update(User{Username: "bob"}).Set("v", 3)), []string{`"v"`, "managed"}},
		{"updated field", run(users.Update(User{Username: "bob"}).Set("updated", time.Now())), []string{`"updated"`, "managed"}},
		{"index field by SetIfNotExists", run(users.Update(User{Username: "bob"}).SetIfNotExists("email", "x")), []string{`"email"`, "GSI2"}},
		{"empty key", run(photos.Update(Photo{Username: "ann"}).Set("url", "x")), []string{"invalid key", "taken"}},
	}
	for _, tt := range tests {
		if tt.err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(tt.err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", tt.name, tt.err, w)
			}
		}
	}
	wantErr(t, tests[len(tests)-1].err, tablemap.ErrInvalidKey)
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

// run returns the error Params reports for an Update.
func run[T any](u *tablemap.Update[T]) error {
	_, err := u.Params()
	return err
}

func TestUpdateParams(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tbl := tablemap.NewTable(nil, "app", tablemap.WithClock(func() time.Time { return now }))
	users := define[User](t, tbl)
	in, err := users.Update(User{Username: "bob", Version: 7}).Add("followers", 1).Params()
	if err != nil {
		t.Fatal(err)
	}
	want := &dynamodb.UpdateItemInput{
		TableName:                aws.String("app"),
		Key:                      map[string]types.AttributeValue{"PK": s("USER#bob"), "SK": s("PROFILE")},
		UpdateExpression:         aws.String("ADD #3 :3, #2 :4\nSET #4 = :5\n"),
		ConditionExpression:      aws.String("((#0 = :0) AND ((attribute_not_exists (#1)) OR (#1 > :1))) AND (#2 = :2)"),
		ExpressionAttributeNames: map[string]string{"#0": "_type", "#1": "expires", "#2": "v", "#3": "followers", "#4": "updated"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":0": s("User"), ":1": n(strconv.FormatInt(now.Unix(), 10)), ":2": n("7"), ":3": n("1"), ":4": n("1"), ":5": in.ExpressionAttributeValues[":5"],
		},
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	diff(t, "UpdateItemInput", want, in, rawOpts, ignoreUnexportedInputs)
	if in.ExpressionAttributeValues[":5"] == nil {
		t.Error("no updated timestamp value")
	}
}

// Listing sits in six GSIs, up to GSI20, and has a unixtime field.
type Listing struct {
	_      struct{}  `tablemap:"Listing" pk:"LISTING#{id}" sk:"LISTING" gsi1pk:"CITY#{city}" gsi1sk:"{price}" gsi2pk:"OWNER#{owner}" gsi2sk:"{id}" gsi3pk:"ALL" gsi4pk:"KIND#{kind}" gsi4sk:"{city}#{price}" gsi5pk:"OWNER#{owner}#CITY#{city}" gsi5sk:"{id}" gsi20pk:"PRICE#{price}"`
	ID     string    `dynamo:"id"`
	City   string    `dynamo:"city"`
	Owner  string    `dynamo:"owner"`
	Kind   string    `dynamo:"kind"`
	Price  int       `dynamo:"price"`
	Seen   time.Time `dynamo:"seen,unixtime,omitempty"`
	Status string    `dynamo:"status,omitempty"`
}

// TestManyIndexes writes and recomputes the keys of six GSIs, and encodes
// an update of a unixtime field like the field.
func TestManyIndexes(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	listings := define[Listing](t, tbl)
	create(t, tbl, m)

	l := Listing{ID: "l1", City: "oslo", Owner: "ann", Kind: "flat", Price: 100}
	if err := listings.Put(l).Run(ctx); err != nil {
		t.Fatal(err)
	}
	price := func(p int) string { return fmt.Sprintf("%020d", p) }
	want := map[string]types.AttributeValue{
		"GSI1PK": s("CITY#oslo"), "GSI1SK": s(price(100)),
		"GSI2PK": s("OWNER#ann"), "GSI2SK": s("l1"),
		"GSI3PK": s("ALL"),
		"GSI4PK": s("KIND#flat"), "GSI4SK": s("oslo#" + price(100)),
		"GSI5PK": s("OWNER#ann#CITY#oslo"), "GSI5SK": s("l1"),
		"GSI20PK": s("PRICE#" + price(100)),
	}
	indexKeys := func() map[string]types.AttributeValue {
		item := raw(t, tbl, "LISTING#l1", "LISTING")
		for k := range item {
			if !strings.HasPrefix(k, "GSI") {
				delete(item, k)
			}
		}
		return item
	}
	diff(t, "index keys", want, indexKeys(), rawOpts)

	// A new price moves the listing in GSI1, GSI4 and GSI20; GSI4 needs the
	// city, given in the key value.
	seen := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	got, err := listings.Update(Listing{ID: "l1", City: "oslo"}).Set("price", 90).Set("seen", seen).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Price != 90 || !got.Seen.Equal(seen) {
		t.Errorf("price %d seen %v, want 90 and %v", got.Price, got.Seen, seen)
	}
	want["GSI1SK"], want["GSI4SK"], want["GSI20PK"] = s(price(90)), s("oslo#"+price(90)), s("PRICE#"+price(90))
	diff(t, "index keys", want, indexKeys(), rawOpts)
	diff(t, "stored seen", n("1740787200"), raw(t, tbl, "LISTING#l1", "LISTING")["seen"], rawOpts)

	// Without the city, GSI4's new sort key is unknown: an error, and no
	// request. GSI5's partition key needs the city too.
	m.Reset()
	_, err = listings.Update(Listing{ID: "l1"}).Set("price", 80).Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "GSI4") || !strings.Contains(err.Error(), `"city"`) {
		t.Errorf("Set of price without city: %v, want an error naming GSI4 and city", err)
	}
	_, err = listings.Update(Listing{ID: "l1"}).Set("owner", "bob").Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "GSI5") || !strings.Contains(err.Error(), `"city"`) {
		t.Errorf("Set of owner without city: %v, want an error naming GSI5 and city", err)
	}
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
	// A field in no index changes no index key.
	in, err := listings.Update(Listing{ID: "l1"}).Set("status", "sold").Params()
	if err != nil {
		t.Fatal(err)
	}
	for name, attr := range in.ExpressionAttributeNames {
		if strings.HasPrefix(attr, "GSI") {
			t.Errorf("update of status names %s = %s", name, attr)
		}
	}
}
