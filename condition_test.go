package tablemap_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/tablemap/tablemap"
)

// wantRefused checks err is ErrInvalidCondition naming parts, and that
// nothing was sent.
func wantRefused(t *testing.T, m *tablemap.Meter, err error, parts ...string) {
	t.Helper()
	wantErr(t, err, tablemap.ErrInvalidCondition)
	for _, part := range parts {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not name %q", err, part)
		}
	}
	if n := m.Requests(); n != 0 {
		t.Errorf("%d requests sent, want 0 (%v)", n, m)
	}
}

func TestFilterRefusesUnknownAttribute(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	create(t, tbl, m)
	typo := expression.Name("titel").Equal(expression.Value("Sea"))

	_, err := photos.Query(Photo{Username: "ann"}).Filter(typo).Page(ctx, "")
	wantRefused(t, m, err, `"titel"`, "Photo")
	_, err = photos.Scan().Filter(typo).Page(ctx, "")
	wantRefused(t, m, err, `"titel"`)
	// Below a nested path, only the top-level attribute is known.
	_, err = photos.Scan().Filter(expression.Name("meta.owner").Equal(expression.Value("ann"))).Page(ctx, "")
	wantRefused(t, m, err, `"meta"`)
	err = photos.Put(Photo{Username: "ann", Taken: taken}).If(expression.Name("titel").AttributeNotExists()).Run(ctx)
	wantRefused(t, m, err, `"titel"`)

	// Known attributes, and the table's own, pass.
	if _, err := photos.Query(Photo{Username: "ann"}).Filter(expression.Name("title").Equal(expression.Value("Sea")).
		And(expression.Name("GSI1SK").BeginsWith("2024"))).Page(ctx, ""); err != nil {
		t.Fatal(err)
	}
}

func TestCollectionFilterKnowsEveryEntity(t *testing.T) {
	t.Parallel()
	f := photoPartition(t, 2)
	// "kind" is a Reaction attribute: a filter of the collection may read it.
	kind := expression.Name("kind").Equal(expression.Value("like")).Or(expression.Name("url").AttributeExists())
	if _, err := tablemap.Collect2(f.photos.Query(cPhoto{Owner: "ann", Taken: t0}).Filter(kind), f.reactions).Run(ctx); err != nil {
		t.Fatal(err)
	}
	f.m.Reset()
	_, err := tablemap.Collect2(f.photos.Query(cPhoto{Owner: "ann", Taken: t0}).Filter(expression.Name("knd").Equal(expression.Value("like"))), f.reactions).Run(ctx)
	wantRefused(t, f.m, err, `"knd"`, "Photo nor Reaction")
}

func TestFilterRefusesEncryptedAttribute(t *testing.T) {
	t.Parallel()
	_, vaults, m := vaultTable(t, localKey(t, 1))
	_, err := vaults.Query(Vault{Owner: "ann"}).Filter(expression.Name("secret").Equal(expression.Value(plainSecret))).Page(ctx, "")
	wantRefused(t, m, err, `"secret"`, "encrypt")
	_, err = vaults.Scan().Filter(expression.Name("recovery.pin").Equal(expression.Value(1))).Page(ctx, "")
	wantRefused(t, m, err, `"recovery"`, "encrypt")
	_, err = vaults.Delete(Vault{Owner: "ann", Name: "x"}).If(expression.Size(expression.Name("secret")).GreaterThan(expression.Value(3))).Run(ctx)
	wantRefused(t, m, err, `"secret"`)

	// Whether an encrypted attribute exists is a fair question.
	v := sampleVault()
	if err := vaults.Put(v).Run(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := vaults.Query(Vault{Owner: v.Owner}).Filter(expression.Name("secret").AttributeExists()).Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 1 {
		t.Errorf("%d vaults with a secret, want 1", len(got.Items))
	}
}

// A ttl field is stored as epoch seconds (N); a time.Time value encodes as
// a string (S): the comparison would never hold.
func TestConditionComparesLikeStored(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tbl, m := setup(t, tablemap.WithClock(func() time.Time { return now }))
	users := define[User](t, tbl)
	create(t, tbl, m)
	if err := users.Put(User{Username: "ann", Email: "a@x", Expires: now.Add(time.Hour)}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	m.Reset()

	live := expression.Name("expires").GreaterThan(expression.Value(now))
	_, err := users.Update(User{Username: "ann"}).Set("name", "Ann").If(live).Run(ctx)
	wantRefused(t, m, err, `"expires"`, "stored as N", "type S", "Unix")
	err = users.Put(User{Username: "ann", Email: "a@x", Version: 1}).If(live).Run(ctx)
	wantRefused(t, m, err, `"expires"`)
	_, err = users.Scan().Filter(expression.Name("expires").Between(expression.Value(now), expression.Value(now.Add(time.Hour)))).Page(ctx, "")
	wantRefused(t, m, err, `"expires"`)
	_, err = users.Scan().Filter(expression.Name("followers").In(expression.Value(1), expression.Value("2"))).Page(ctx, "")
	wantRefused(t, m, err, `"followers"`, "stored as N", "type S")
	_, err = users.Scan().Filter(expression.Name("followers").BeginsWith("1")).Page(ctx, "")
	wantRefused(t, m, err, `"followers"`, "begins_with")
	err = tbl.WriteTx().Check(users.Check(User{Username: "ann"}).If(expression.Value(now).LessThan(expression.Name("expires")))).
		Put(users.Put(User{Username: "bob", Email: "b@x"})).Run(ctx)
	wantRefused(t, m, err, `"expires"`)

	// Encoded like the field, the same comparison holds, and its negation
	// fails: the condition reaches DynamoDB and means what it says.
	got, err := users.Update(User{Username: "ann"}).Set("name", "Ann").
		If(expression.Name("expires").GreaterThan(expression.Value(now.Unix()))).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Ann" {
		t.Errorf("name %q, want Ann", got.Name)
	}
	_, err = users.Update(User{Username: "ann"}).Set("name", "Bob").
		If(expression.Name("expires").LessThan(expression.Value(now.Unix()))).Run(ctx)
	wantErr(t, err, tablemap.ErrConditionFailed)
	// The created field is stored as a string: a time.Time compares.
	all, err := users.Scan().Filter(expression.Name("created").LessThanEqual(expression.Value(now))).Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Items) != 1 {
		t.Errorf("%d users created by now, want 1", len(all.Items))
	}
}
