package tablemap_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
)

// Two entities whose table key templates can build one key: C#a / S#b.
type (
	customer struct {
		_ struct{} `tablemap:"Customer" pk:"C#{a}" sk:"S#{b}"`
		A string   `dynamo:"a"`
		B string   `dynamo:"b"`
	}
	supplier struct {
		_ struct{} `tablemap:"Supplier" pk:"C#{x}" sk:"S#{y}"`
		X string   `dynamo:"x"`
		Y string   `dynamo:"y"`
	}
	// A number in the same place as customer's string: "C#…" / "S#0000…".
	ledger struct {
		_ struct{} `tablemap:"Ledger" pk:"C#{x}" sk:"S#{n}"`
		X string   `dynamo:"x"`
		N int      `dynamo:"n"`
	}
	// Disjoint from customer: another literal in the sort key.
	invoice struct {
		_ struct{} `tablemap:"Invoice" pk:"C#{a}" sk:"INVOICE#{n}"`
		A string   `dynamo:"a"`
		N int      `dynamo:"n"`
	}
	// Index keys may be shared with customer's table keys.
	sharedIndex struct {
		_ struct{} `tablemap:"Shared" pk:"SH#{a}" gsi1pk:"C#{a}" gsi1sk:"S#{b}"`
		A string   `dynamo:"a"`
		B string   `dynamo:"b"`
	}
)

func TestDefineRefusesOverlappingTableKeys(t *testing.T) {
	t.Parallel()
	for _, second := range []func(*tablemap.Table) error{defineErr[supplier], defineErr[ledger]} {
		tbl := tablemap.NewTable(nil, "app")
		if err := defineErr[customer](tbl); err != nil {
			t.Fatal(err)
		}
		err := second(tbl)
		var de *tablemap.DefinitionError
		if !errors.As(err, &de) {
			t.Fatalf("got %v, want a *DefinitionError", err)
		}
		for _, part := range []string{"Customer", `pk:"C#{a}"`, `sk:"S#{b}"`, `pk:"C#{x}"`, "same key"} {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("error %q does not name %q", err, part)
			}
		}
	}
	tbl := tablemap.NewTable(nil, "app")
	for _, define := range []func(*tablemap.Table) error{defineErr[customer], defineErr[invoice], defineErr[sharedIndex], defineErr[Photo], defineErr[User]} {
		if err := define(tbl); err != nil {
			t.Errorf("disjoint entity refused: %v", err)
		}
	}
}

// Key templates reading a field every Update changes would go stale.
type (
	byUpdated struct {
		_       struct{}  `tablemap:"ByUpdated" pk:"D#{id}" gsi1pk:"DOCS" gsi1sk:"{updated}"`
		ID      string    `dynamo:"id"`
		Updated time.Time `dynamo:"updated,updated"`
	}
	byVersion struct {
		_  struct{} `tablemap:"ByVersion" pk:"D#{id}" sk:"V#{v}"`
		ID string   `dynamo:"id"`
		V  int      `dynamo:"v,version"`
	}
	byCreated struct {
		_       struct{}  `tablemap:"ByCreated" pk:"D#{id}" gsi1pk:"DOCS" gsi1sk:"{created}"`
		ID      string    `dynamo:"id"`
		Created time.Time `dynamo:"created,created"`
	}
)

func TestDefineRefusesChangingFieldsInKeys(t *testing.T) {
	t.Parallel()
	const pkg = "tablemap_test."
	tests := []struct {
		define func(*tablemap.Table) error
		want   tablemap.DefinitionError
		reason string
	}{
		{defineErr[byUpdated], tablemap.DefinitionError{Struct: pkg + "byUpdated", Field: "Updated", Tag: `gsi1sk:"{updated}"`}, "updated field"},
		{defineErr[byVersion], tablemap.DefinitionError{Struct: pkg + "byVersion", Field: "V", Tag: `sk:"V#{v}"`}, "version field"},
	}
	for _, tt := range tests {
		err := tt.define(tablemap.NewTable(nil, "app"))
		var de *tablemap.DefinitionError
		if !errors.As(err, &de) {
			t.Fatalf("got %v, want a *DefinitionError", err)
		}
		diff(t, "DefinitionError", tt.want, *de, cmpopts.IgnoreFields(tablemap.DefinitionError{}, "Err"))
		if !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("error %q does not give the reason %q", err, tt.reason)
		}
	}
	if err := defineErr[byCreated](tablemap.NewTable(nil, "app")); err != nil {
		t.Errorf("a created field in an index template: %v", err)
	}
}

// guardSetup returns a table of Photos holding, at the key of photo
// ann/taken, a draft written by another program.
func guardSetup(t *testing.T) (*tablemap.Table, *tablemap.Meter, *tablemap.Entity[Photo]) {
	t.Helper()
	tbl, m := setup(t)
	photos := define[Photo](t, tbl)
	drafts := define[draft](t, otherProgram(tbl))
	create(t, tbl, m)
	if err := drafts.Put(draft{Username: "ann", Taken: taken}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	m.Reset()
	return tbl, m, photos
}

// draftUntouched checks the draft is still stored as it was.
func draftUntouched(t *testing.T, tbl *tablemap.Table) {
	t.Helper()
	want := map[string]types.AttributeValue{
		"PK": s("USER#ann"), "SK": s("PHOTO#" + takenKey), "_type": s("Draft"), "username": s("ann"), "taken": s("2024-05-01T12:30:00Z"),
	}
	diff(t, "stored draft", want, raw(t, tbl, "USER#ann", "PHOTO#"+takenKey), rawOpts)
}

func TestPutNeverReplacesOtherEntity(t *testing.T) {
	t.Parallel()
	tbl, m, photos := guardSetup(t)

	err := photos.Put(Photo{Username: "ann", Taken: taken, URL: "u"}).Run(ctx)
	wantErr(t, err, tablemap.ErrWrongEntity)
	if errors.Is(err, tablemap.ErrConditionFailed) {
		t.Errorf("error %q is ErrConditionFailed; the caller set no condition", err)
	}
	var ie *tablemap.ItemError
	if !errors.As(err, &ie) || ie.Op != "Put" || ie.Entity != "Photo" {
		t.Errorf("error %q is not an *ItemError of Put Photo", err)
	}
	if n := m.Requests(); n != 1 {
		t.Errorf("%d requests, want 1 (%v)", n, m)
	}
	// With a condition of the caller's: the entity is still the cause.
	err = photos.Put(Photo{Username: "ann", Taken: taken}).If(expression.Name("likes").AttributeNotExists()).Run(ctx)
	wantErr(t, err, tablemap.ErrWrongEntity)
	draftUntouched(t, tbl)

	// A Photo's own item is replaced, and a failed condition of the
	// caller's is ErrConditionFailed, not ErrWrongEntity.
	other := Photo{Username: "bob", Taken: taken, URL: "u"}
	if err := photos.Put(other).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if err := photos.Put(other).Run(ctx); err != nil {
		t.Fatalf("replacing a photo: %v", err)
	}
	err = photos.Put(other).If(expression.Name("likes").GreaterThan(expression.Value(5))).Run(ctx)
	wantErr(t, err, tablemap.ErrConditionFailed)
	if errors.Is(err, tablemap.ErrWrongEntity) {
		t.Errorf("error %q is ErrWrongEntity for a photo's own item", err)
	}
}

func TestWritesNeverTouchOtherEntity(t *testing.T) {
	t.Parallel()
	tbl, m, photos := guardSetup(t)
	key := Photo{Username: "ann", Taken: taken}

	_, err := photos.Update(key).Set("url", "u").Run(ctx)
	wantErr(t, err, tablemap.ErrWrongEntity)
	_, err = photos.Delete(key).Run(ctx)
	wantErr(t, err, tablemap.ErrWrongEntity)
	err = tbl.WriteTx().Put(photos.Put(Photo{Username: "ann", Taken: taken, URL: "u"})).Run(ctx)
	wantErr(t, err, tablemap.ErrWrongEntity)
	if n := m.Requests(); n != 3 {
		t.Errorf("%d requests, want 3 (%v)", n, m)
	}
	draftUntouched(t, tbl)

	// Missing items keep their errors.
	missing := Photo{Username: "cat", Taken: taken}
	_, err = photos.Update(missing).Set("url", "u").Run(ctx)
	wantErr(t, err, tablemap.ErrNotFound)
	_, err = photos.Delete(missing).Run(ctx)
	wantErr(t, err, tablemap.ErrNotFound)
}

func TestCheckExistsIsTypeAware(t *testing.T) {
	t.Parallel()
	tbl, m, photos := guardSetup(t)
	users := define[User](t, tbl)
	if err := users.Put(User{Username: "bob", Email: "b@x"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	m.Reset()

	// The draft is not a photo: Get refuses it, and so must Exists.
	err := tbl.WriteTx().
		Check(photos.Check(Photo{Username: "ann", Taken: taken}).Exists()).
		Update(users.Update(User{Username: "bob"}).Add("followers", 1)).
		Run(ctx)
	wantErr(t, err, tablemap.ErrWrongEntity)
	var ae *tablemap.TxActionError
	if !errors.As(err, &ae) || ae.Index != 0 || ae.Op != "Check" {
		t.Errorf("error %q does not name the Check", err)
	}
	// A condition of the caller's that the draft meets is no help either.
	err = tbl.WriteTx().
		Check(photos.Check(Photo{Username: "ann", Taken: taken}).If(expression.Name("username").Equal(expression.Value("ann")))).
		Update(users.Update(User{Username: "bob"}).Add("followers", 1)).
		Run(ctx)
	wantErr(t, err, tablemap.ErrWrongEntity)
	if n := m.Requests(); n != 2 {
		t.Errorf("%d requests, want 2 (%v)", n, m)
	}
	got, err := users.Get(User{Username: "bob"}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Followers != 0 {
		t.Errorf("followers %d: a cancelled transaction applied", got.Followers)
	}
}
