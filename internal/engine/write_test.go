package engine

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

// The write compiler's tests need no DynamoDB: they compare the SDK inputs
// it builds with the inputs the expression package builds for the same
// conditions and clauses, as the operations built them before the
// compiler, and check how its failures classify the items DynamoDB
// returns.

type wUser struct {
	_        struct{} `tablemap:"User" pk:"USER#{username}" sk:"PROFILE"`
	Username string   `dynamo:"username"`
	Name     string   `dynamo:"name"`
	Photos   int      `dynamo:"photos"`
	Tags     []string `dynamo:"tags"`
	Labels   []string `dynamo:"labels,set"`
	City     string   `dynamo:"city"`
	Blob     string   `dynamo:"blob"`
}

type wDoc struct {
	_       struct{}  `tablemap:"Doc" pk:"DOC#{id}" sk:"DOC"`
	ID      string    `dynamo:"id"`
	Body    string    `dynamo:"body"`
	V       int64     `dynamo:"v,version"`
	Created time.Time `dynamo:"created,created"`
	Updated time.Time `dynamo:"updated,updated"`
	Expires int64     `dynamo:"expires,ttl"`
}

type wPost struct {
	_     struct{} `tablemap:"Post" pk:"USER#{user}" sk:"POST#{id}" gsi1pk:"TOPIC#{topic}" gsi1sk:"{rank}#{cat}"`
	User  string   `dynamo:"user"`
	ID    string   `dynamo:"id"`
	Topic string   `dynamo:"topic"`
	Rank  int      `dynamo:"rank"`
	Cat   string   `dynamo:"cat"`
}

var (
	clock = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	now   = clock.Unix()
)

// writeTable returns a table with a fixed clock and the test entities.
func writeTable(t *testing.T) (tbl *Table, user, doc, post *Schema) {
	t.Helper()
	tbl = NewTable(nil, "app")
	tbl.Now = func() time.Time { return clock }
	var out [3]*Schema
	for i, typ := range []reflect.Type{reflect.TypeFor[wUser](), reflect.TypeFor[wDoc](), reflect.TypeFor[wPost]()} {
		s, err := NewSchema(tbl, typ)
		if err != nil {
			t.Fatal(err)
		}
		if err := tbl.Register(s); err != nil {
			t.Fatal(err)
		}
		out[i] = s
	}
	return tbl, out[0], out[1], out[2]
}

// sdkOpts compares SDK values, whose only unexported fields are empty
// markers.
var sdkOpts = cmp.Exporter(func(reflect.Type) bool { return true })

// build builds cond and ub with expression, as the operations did.
func build(t *testing.T, cond expression.ConditionBuilder, ub *expression.UpdateBuilder) expression.Expression {
	t.Helper()
	b := expression.NewBuilder().WithCondition(cond)
	if ub != nil {
		b = b.WithUpdate(*ub)
	}
	e, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func compile(t *testing.T, w WriteSpec) WriteRequest {
	t.Helper()
	var r WriteRequest
	err := w.Compile(context.Background(), &r)
	if err != nil {
		t.Fatalf("%s: %v", w.Kind, err)
	}
	return r
}

func diffSDK(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, sdkOpts); d != "" {
		t.Errorf("%s differs (-expression +compiled):\n%s", what, d)
	}
}

// The conditions of the operations, built with expression.
func isOwn(tbl *Table, s *Schema) expression.ConditionBuilder {
	return expression.Name(tbl.TypeAttr).Equal(expression.Value(s.TypeValue))
}

func absentOrOwn(tbl *Table, s *Schema) expression.ConditionBuilder {
	return expression.Name(tbl.PK).AttributeNotExists().Or(isOwn(tbl, s))
}

func versionIs(n int64) expression.ConditionBuilder {
	return expression.Name("v").Equal(expression.Value(NumberValue(n)))
}

func noItemTTL(tbl *Table) expression.ConditionBuilder {
	return expression.Or(expression.Name(tbl.PK).AttributeNotExists(), expression.Name("expires").LessThanEqual(expression.Value(NumberValue(now))))
}

func unexpired() expression.ConditionBuilder {
	ttl := expression.Name("expires")
	return expression.Or(ttl.AttributeNotExists(), ttl.GreaterThan(expression.Value(NumberValue(now))))
}

func item(t *testing.T, s *Schema, v any) map[string]types.AttributeValue {
	t.Helper()
	p := reflect.ValueOf(v).UnsafePointer()
	it, _, err := s.Encode(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func putInput(tbl *Table, it map[string]types.AttributeValue, e expression.Expression) *dynamodb.PutItemInput {
	return &dynamodb.PutItemInput{
		TableName: aws.String(tbl.Name), Item: it,
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
}

func TestCompilePutGuard(t *testing.T) {
	tbl, user, _, _ := writeTable(t)
	v := wUser{Username: "ann", Name: "Ann"}
	r := compile(t, WriteSpec{Kind: WritePut, S: user, P: unsafe.Pointer(&v)})
	diffSDK(t, "PutItemInput", putInput(tbl, item(t, user, &v), build(t, absentOrOwn(tbl, user), nil)), r.Put)
	if r.Conditional {
		t.Error("a Put with only the entity guard is conditional: a batch would refuse it")
	}
}

func TestCompilePutIfNotExists(t *testing.T) {
	tbl, user, _, _ := writeTable(t)
	v := wUser{Username: "ann"}
	r := compile(t, WriteSpec{Kind: WritePut, S: user, P: unsafe.Pointer(&v), Absent: true})
	want := build(t, expression.Name(tbl.PK).AttributeNotExists(), nil)
	diffSDK(t, "PutItemInput", putInput(tbl, item(t, user, &v), want), r.Put)
	if !r.Conditional || !r.Fail.Absent {
		t.Errorf("Conditional %v, Fail.Absent %v; want both", r.Conditional, r.Fail.Absent)
	}
}

func TestCompilePutVersionZeroWithTTL(t *testing.T) {
	tbl, _, doc, _ := writeTable(t)
	v := wDoc{ID: "d1", Expires: now + 60}
	r := compile(t, WriteSpec{Kind: WritePut, S: doc, P: unsafe.Pointer(&v)})
	if v.V != 1 {
		t.Errorf("version %d after the Put, want 1", v.V)
	}
	diffSDK(t, "PutItemInput", putInput(tbl, item(t, doc, &v), build(t, noItemTTL(tbl), nil)), r.Put)
	if r.Fail.TtlNow != now || !r.Fail.Versioned || r.Fail.Expected != 0 {
		t.Errorf("failure %+v, want TtlNow %d, Versioned, Expected 0", r.Fail, now)
	}
}

func TestCompilePutVersioned(t *testing.T) {
	tbl, _, doc, _ := writeTable(t)
	v := wDoc{ID: "d1", V: 3}
	r := compile(t, WriteSpec{Kind: WritePut, S: doc, P: unsafe.Pointer(&v)})
	want := build(t, expression.And(versionIs(3), absentOrOwn(tbl, doc)), nil)
	diffSDK(t, "PutItemInput", putInput(tbl, item(t, doc, &v), want), r.Put)
	if v.V != 4 || r.Fail.Expected != 3 {
		t.Errorf("version %d, expected %d; want 4 and 3", v.V, r.Fail.Expected)
	}
}

func TestCompilePutIfNotExistsVersioned(t *testing.T) {
	tbl, _, doc, _ := writeTable(t)
	v := wDoc{ID: "d1", V: 2}
	r := compile(t, WriteSpec{Kind: WritePut, S: doc, P: unsafe.Pointer(&v), Absent: true})
	want := build(t, expression.And(noItemTTL(tbl), versionIs(2)), nil)
	diffSDK(t, "PutItemInput", putInput(tbl, item(t, doc, &v), want), r.Put)
}

func TestCompilePutTimestamps(t *testing.T) {
	_, _, doc, _ := writeTable(t)
	early := clock.Add(-time.Hour)
	for _, created := range []time.Time{{}, early} {
		v := wDoc{ID: "d1", Created: created}
		compile(t, WriteSpec{Kind: WritePut, S: doc, P: unsafe.Pointer(&v)})
		want := created
		if want.IsZero() {
			want = clock
		}
		if !v.Created.Equal(want) || !v.Updated.Equal(clock) {
			t.Errorf("created %v, updated %v; want %v, %v", v.Created, v.Updated, want, clock)
		}
	}
}

func TestCompilePutWithCondition(t *testing.T) {
	tbl, user, _, _ := writeTable(t)
	v := wUser{Username: "ann"}
	cond := expression.Name("photos").LessThan(expression.Value(10)).And(expression.Name("name").AttributeExists())
	r := compile(t, WriteSpec{Kind: WritePut, S: user, P: unsafe.Pointer(&v), Absent: true, Cond: &cond})
	want := build(t, expression.And(expression.Name(tbl.PK).AttributeNotExists(), cond), nil)
	diffSDK(t, "PutItemInput", putInput(tbl, item(t, user, &v), want), r.Put)
	if !r.Conditional {
		t.Error("a Put with a condition is not conditional")
	}
}

// A caller's condition naming the attributes of tablemap's own conditions
// shares their placeholders, as expression numbers them.
func TestCompilePutConditionSharesNames(t *testing.T) {
	tbl, user, _, _ := writeTable(t)
	v := wUser{Username: "ann"}
	cond := expression.Name("tags[1]").Equal(expression.Value("x")).Or(expression.Name(tbl.PK).AttributeExists())
	r := compile(t, WriteSpec{Kind: WritePut, S: user, P: unsafe.Pointer(&v), Cond: &cond})
	want := build(t, expression.And(absentOrOwn(tbl, user), cond), nil)
	diffSDK(t, "PutItemInput", putInput(tbl, item(t, user, &v), want), r.Put)
}

func TestCompileConditionRefused(t *testing.T) {
	_, user, _, _ := writeTable(t)
	v := wUser{Username: "ann"}
	cond := expression.Name("nope").Equal(expression.Value(1))
	for _, kind := range []WriteKind{WritePut, WriteDelete, WriteCheck} {
		err := (&WriteSpec{Kind: kind, S: user, P: unsafe.Pointer(&v), Cond: &cond}).Compile(context.Background(), new(WriteRequest))
		var ie *ItemError
		if !errors.Is(err, ErrInvalidCondition) || !errors.As(err, &ie) || ie.Op != kind.String() || ie.Key.PK != "USER#ann" {
			t.Errorf("%s: %v, want an ItemError of the key wrapping ErrInvalidCondition", kind, err)
		}
	}
}

func TestCompilePutRefusals(t *testing.T) {
	_, user, _, _ := writeTable(t)
	big := wUser{Username: "ann", Blob: strings.Repeat("x", MaxItemSize)}
	for _, tt := range []struct {
		v    wUser
		kind error
	}{
		{big, ErrItemTooLarge},
		{wUser{}, ErrInvalidKey},
	} {
		err := (&WriteSpec{Kind: WritePut, S: user, P: unsafe.Pointer(&tt.v)}).Compile(context.Background(), new(WriteRequest))
		if !errors.Is(err, tt.kind) {
			t.Errorf("%v, want %v", err, tt.kind)
		}
	}
}

// action makes an UpdateAction as the façade does.
func action(t *testing.T, s *Schema, kind UpdateKind, attr string, v any) UpdateAction {
	t.Helper()
	f := s.Codec.Field(attr)
	a := UpdateAction{Kind: kind, F: f}
	if kind == UpdateRemove {
		return a
	}
	rv := reflect.ValueOf(v)
	a.X = &ActionExtra{V: rv}
	av, err := s.EncodeValue(f, rv)
	if err != nil {
		t.Fatal(err)
	}
	a.Av = av
	return a
}

func updateInput(tbl *Table, k Key, e expression.Expression) *dynamodb.UpdateItemInput {
	return &dynamodb.UpdateItemInput{
		TableName: aws.String(tbl.Name), Key: tbl.KeyItem(k),
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
}

func TestCompileUpdateActions(t *testing.T) {
	tbl, user, _, _ := writeTable(t)
	key := wUser{Username: "ann"}
	acts := []UpdateAction{
		action(t, user, UpdateSet, "name", "Ann"),
		action(t, user, UpdateSetIfNotExists, "city", "Oslo"),
		action(t, user, UpdateAdd, "photos", 2),
		action(t, user, UpdateRemove, "blob", nil),
		action(t, user, UpdateAppend, "tags", []string{"a"}),
		action(t, user, UpdateDeleteFromSet, "labels", []string{"b"}),
	}
	r := compile(t, WriteSpec{Kind: WriteUpdate, S: user, P: unsafe.Pointer(&key), Actions: acts})
	n := expression.Name
	ub := expression.Set(n("name"), expression.Value(acts[0].Av)).
		Set(n("city"), expression.IfNotExists(n("city"), expression.Value(acts[1].Av))).
		Add(n("photos"), expression.Value(acts[2].Av)).
		Remove(n("blob")).
		Set(n("tags"), expression.ListAppend(expression.IfNotExists(n("tags"), expression.Value(&types.AttributeValueMemberL{Value: []types.AttributeValue{}})), expression.Value(acts[4].Av))).
		Delete(n("labels"), expression.Value(acts[5].Av))
	diffSDK(t, "UpdateItemInput", updateInput(tbl, r.Fail.Key, build(t, isOwn(tbl, user), &ub)), r.Update)
	if !r.Fail.NeedsItem {
		t.Error("an Update's failure does not need the item")
	}
}

func TestCompileUpdateManagedFields(t *testing.T) {
	tbl, _, doc, _ := writeTable(t)
	key := wDoc{ID: "d1", V: 5}
	acts := []UpdateAction{action(t, doc, UpdateSet, "body", "hello")}
	r := compile(t, WriteSpec{Kind: WriteUpdate, S: doc, P: unsafe.Pointer(&key), Actions: acts})
	updated, err := doc.Updated.Marshal(reflect.ValueOf(clock))
	if err != nil {
		t.Fatal(err)
	}
	ub := expression.Set(expression.Name("body"), expression.Value(acts[0].Av)).
		Add(expression.Name("v"), expression.Value(NumberValue(1))).
		Set(expression.Name("updated"), expression.Value(updated))
	cond := isOwn(tbl, doc).And(unexpired()).And(versionIs(5))
	diffSDK(t, "UpdateItemInput", updateInput(tbl, r.Fail.Key, build(t, cond, &ub)), r.Update)
	if !r.Fail.Versioned || r.Fail.Expected != 5 || r.Fail.TtlNow != now {
		t.Errorf("failure %+v, want Versioned, Expected 5, TtlNow %d", r.Fail, now)
	}
}

func TestCompileUpdateWithCondition(t *testing.T) {
	tbl, _, doc, _ := writeTable(t)
	key := wDoc{ID: "d1", V: 5}
	acts := []UpdateAction{action(t, doc, UpdateSet, "body", "hello")}
	cond := expression.Name("body").BeginsWith("he").And(expression.Name("v").LessThan(expression.Value(9)))
	r := compile(t, WriteSpec{Kind: WriteUpdate, S: doc, P: unsafe.Pointer(&key), Actions: acts, Cond: &cond})
	updated, _ := doc.Updated.Marshal(reflect.ValueOf(clock))
	ub := expression.Set(expression.Name("body"), expression.Value(acts[0].Av)).
		Add(expression.Name("v"), expression.Value(NumberValue(1))).
		Set(expression.Name("updated"), expression.Value(updated))
	want := isOwn(tbl, doc).And(unexpired()).And(versionIs(5)).And(cond)
	diffSDK(t, "UpdateItemInput", updateInput(tbl, r.Fail.Key, build(t, want, &ub)), r.Update)
}

// The benchmark's Update: the caller's condition reads the attribute the
// update adds to.
func TestCompileUpdateConditionOnUpdatedAttribute(t *testing.T) {
	tbl, user, _, _ := writeTable(t)
	key := wUser{Username: "ann"}
	acts := []UpdateAction{action(t, user, UpdateSet, "name", "Ann"), action(t, user, UpdateAdd, "photos", 1)}
	cond := expression.Name("photos").LessThan(expression.Value(1000))
	r := compile(t, WriteSpec{Kind: WriteUpdate, S: user, P: unsafe.Pointer(&key), Actions: acts, Cond: &cond})
	ub := expression.Set(expression.Name("name"), expression.Value(acts[0].Av)).Add(expression.Name("photos"), expression.Value(acts[1].Av))
	diffSDK(t, "UpdateItemInput", updateInput(tbl, r.Fail.Key, build(t, isOwn(tbl, user).And(cond), &ub)), r.Update)
}

// Conditions the compiler does not splice (no names, more names than a
// cached shape holds) and updates of more clauses than it holds are built
// with expression, alike.
func TestCompileUpdateBeyondCachedShapes(t *testing.T) {
	tbl, user, _, _ := writeTable(t)
	key := wUser{Username: "ann"}
	n := expression.Name
	many := n("name").Equal(expression.Value("a")).And(n("city").Equal(expression.Value("b")), n("photos").Equal(expression.Value(1)),
		n("tags").AttributeExists(), n("labels").AttributeExists())
	noNames := expression.Value(1).Equal(expression.Value(1))
	var acts []UpdateAction
	for range maxClauses + 2 {
		acts = append(acts, action(t, user, UpdateRemove, "blob", nil))
	}
	for _, tt := range []struct {
		name string
		cond *expression.ConditionBuilder
		acts []UpdateAction
	}{
		{"five names", &many, acts[:1]},
		{"no names", &noNames, acts[:1]},
		{"many clauses", nil, acts},
		{"many clauses and a condition", &many, acts},
	} {
		r := compile(t, WriteSpec{Kind: WriteUpdate, S: user, P: unsafe.Pointer(&key), Actions: tt.acts, Cond: tt.cond})
		var ub expression.UpdateBuilder
		for range tt.acts {
			ub = ub.Remove(n("blob"))
		}
		cond := isOwn(tbl, user)
		if tt.cond != nil {
			cond = cond.And(*tt.cond)
		}
		diffSDK(t, tt.name, updateInput(tbl, r.Fail.Key, build(t, cond, &ub)), r.Update)
	}

	// Nested conditions of an entity with a ttl and a version.
	_, _, doc, _ := writeTable(t)
	dk := wDoc{ID: "d1", V: 2}
	docMany := n("body").Equal(expression.Value("a")).And(n("id").Equal(expression.Value("b")), n("created").AttributeExists(),
		n("updated").AttributeExists(), n("expires").AttributeExists())
	r := compile(t, WriteSpec{Kind: WriteUpdate, S: doc, P: unsafe.Pointer(&dk), Actions: []UpdateAction{action(t, doc, UpdateRemove, "body", nil)}, Cond: &docMany})
	updated, _ := doc.Updated.Marshal(reflect.ValueOf(clock))
	ub := expression.Remove(n("body")).Add(n("v"), expression.Value(NumberValue(1))).Set(n("updated"), expression.Value(updated))
	cond := isOwn(tbl, doc).And(unexpired()).And(versionIs(2)).And(docMany)
	diffSDK(t, "nested, five names", updateInput(tbl, r.Fail.Key, build(t, cond, &ub)), r.Update)
}

func TestCompileUpdateIndexKeys(t *testing.T) {
	tbl, _, _, post := writeTable(t)
	n := expression.Name
	for _, tt := range []struct {
		name string
		key  wPost
		acts []UpdateAction
		want expression.UpdateBuilder
		need string // the other key of the index, required stored (see indexKey)
	}{
		{"set the partition key's field", wPost{User: "ann", ID: "p1"},
			[]UpdateAction{action(t, post, UpdateSet, "topic", "go")},
			expression.Set(n("topic"), expression.Value("go")).Set(n("GSI1PK"), expression.Value("TOPIC#go")), "GSI1SK"},
		{"set a sort key field, the other in the key value", wPost{User: "ann", ID: "p1", Cat: "news"},
			[]UpdateAction{action(t, post, UpdateSet, "rank", 7)},
			expression.Set(n("rank"), expression.Value(7)).Set(n("GSI1SK"), expression.Value(sortKey(t, post, wPost{Rank: 7, Cat: "news"}))), "GSI1PK"},
		{"set a partition key field, the sort key's fields in the key value: both rewritten", wPost{User: "ann", ID: "p1", Cat: "news", Rank: 3},
			[]UpdateAction{action(t, post, UpdateSet, "topic", "go")},
			expression.Set(n("topic"), expression.Value("go")).Set(n("GSI1PK"), expression.Value("TOPIC#go")).
				Set(n("GSI1SK"), expression.Value(sortKey(t, post, wPost{Rank: 3, Cat: "news"}))), ""},
		{"remove a field: the item leaves the index", wPost{User: "ann", ID: "p1"},
			[]UpdateAction{action(t, post, UpdateRemove, "cat", nil)},
			expression.Remove(n("cat")).Remove(n("GSI1PK")).Remove(n("GSI1SK")), ""},
		{"set a field empty: the item leaves the index", wPost{User: "ann", ID: "p1"},
			[]UpdateAction{action(t, post, UpdateSet, "topic", "")},
			expression.Set(n("topic"), expression.Value("")).Remove(n("GSI1PK")).Remove(n("GSI1SK")), ""},
	} {
		r := compile(t, WriteSpec{Kind: WriteUpdate, S: post, P: unsafe.Pointer(&tt.key), Actions: tt.acts})
		cond := isOwn(tbl, post)
		if tt.need != "" {
			cond = cond.And(n(tt.need).AttributeExists())
		}
		diffSDK(t, tt.name, updateInput(tbl, r.Fail.Key, build(t, cond, &tt.want)), r.Update)
	}
}

func sortKey(t *testing.T, s *Schema, v wPost) string {
	t.Helper()
	k, err := s.GSIs[0].SK.Build(unsafe.Pointer(&v))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestCompileUpdateRefusals(t *testing.T) {
	_, _, _, post := writeTable(t)
	key := wPost{User: "ann", ID: "p1"}
	for _, tt := range []struct {
		acts []UpdateAction
		want string
	}{
		{nil, "nothing to update"},
		{[]UpdateAction{action(t, post, UpdateSet, "rank", 7)}, `needs its field "cat"`},
	} {
		err := (&WriteSpec{Kind: WriteUpdate, S: post, P: unsafe.Pointer(&key), Actions: tt.acts}).Compile(context.Background(), new(WriteRequest))
		var ie *ItemError
		if !errors.As(err, &ie) || ie.Key.PK != "USER#ann" || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v, want an ItemError of the key saying %q", err, tt.want)
		}
	}
}

func deleteInput(tbl *Table, k Key, e expression.Expression) *dynamodb.DeleteItemInput {
	return &dynamodb.DeleteItemInput{
		TableName: aws.String(tbl.Name), Key: tbl.KeyItem(k), ReturnValues: types.ReturnValueAllOld,
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
}

func TestCompileDelete(t *testing.T) {
	tbl, _, doc, _ := writeTable(t)
	cond := expression.Name("body").AttributeExists()
	for _, tt := range []struct {
		name string
		key  wDoc
		cond *expression.ConditionBuilder
		want expression.ConditionBuilder
	}{
		{"guard", wDoc{ID: "d1"}, nil, absentOrOwn(tbl, doc)},
		{"version", wDoc{ID: "d1", V: 2}, nil, expression.And(absentOrOwn(tbl, doc), versionIs(2))},
		{"version and condition", wDoc{ID: "d1", V: 2}, &cond, expression.And(absentOrOwn(tbl, doc), versionIs(2), cond)},
	} {
		r := compile(t, WriteSpec{Kind: WriteDelete, S: doc, P: unsafe.Pointer(&tt.key), Cond: tt.cond})
		diffSDK(t, tt.name, deleteInput(tbl, r.Fail.Key, build(t, tt.want, nil)), r.Delete)
		if r.Conditional != (tt.key.V != 0 || tt.cond != nil) {
			t.Errorf("%s: Conditional %v", tt.name, r.Conditional)
		}
	}
}

func checkInput(tbl *Table, k Key, e expression.Expression) *types.ConditionCheck {
	return &types.ConditionCheck{
		TableName: aws.String(tbl.Name), Key: tbl.KeyItem(k),
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
}

func TestCompileCheck(t *testing.T) {
	tbl, user, doc, _ := writeTable(t)
	cond := expression.Name("body").AttributeExists()
	anItem := expression.And(expression.Name(tbl.PK).AttributeExists(), unexpired())
	for _, tt := range []struct {
		name           string
		s              *Schema
		key            wDoc
		exists, absent bool
		cond           *expression.ConditionBuilder
		want           expression.ConditionBuilder
	}{
		{"exists", doc, wDoc{ID: "d1"}, true, false, nil, expression.And(isOwn(tbl, doc), anItem)},
		{"exists at a version", doc, wDoc{ID: "d1", V: 4}, true, false, nil, expression.And(isOwn(tbl, doc), anItem, versionIs(4))},
		{"not exists", doc, wDoc{ID: "d1", V: 4}, false, true, nil, noItemTTL(tbl)},
		{"if only", doc, wDoc{ID: "d1"}, false, false, &cond, expression.And(cond, absentOrOwn(tbl, doc))},
		{"exists and if", doc, wDoc{ID: "d1"}, true, false, &cond, expression.And(isOwn(tbl, doc), anItem, cond)},
	} {
		r := compile(t, WriteSpec{Kind: WriteCheck, S: tt.s, P: unsafe.Pointer(&tt.key), Exists: tt.exists, Absent: tt.absent, Cond: tt.cond})
		diffSDK(t, tt.name, checkInput(tbl, r.Fail.Key, build(t, tt.want, nil)), r.Check)
		if r.Fail.NeedsItem != tt.exists || r.Fail.Absent != tt.absent {
			t.Errorf("%s: failure %+v", tt.name, r.Fail)
		}
	}
	u := wUser{Username: "ann"}
	r := compile(t, WriteSpec{Kind: WriteCheck, S: user, P: unsafe.Pointer(&u), Exists: true})
	diffSDK(t, "exists without ttl", checkInput(tbl, r.Fail.Key, build(t, isOwn(tbl, user), nil)), r.Check)
}

func TestCompileCheckRefusals(t *testing.T) {
	_, user, _, _ := writeTable(t)
	k := wUser{Username: "ann"}
	for _, tt := range []struct {
		w    WriteSpec
		want string
	}{
		{WriteSpec{Exists: true, Absent: true}, "both Exists and NotExists"},
		{WriteSpec{}, "no condition"},
	} {
		tt.w.Kind, tt.w.S, tt.w.P = WriteCheck, user, unsafe.Pointer(&k)
		err := tt.w.Compile(context.Background(), new(WriteRequest))
		var ie *ItemError
		if !errors.As(err, &ie) || ie.Op != "Check" || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v, want a Check's ItemError saying %q", err, tt.want)
		}
	}
}

// Requests of one shape share the rendered strings and names; their
// values are their own.
func TestCompileSharesShape(t *testing.T) {
	_, _, doc, _ := writeTable(t)
	a, b := wDoc{ID: "a", V: 1}, wDoc{ID: "b", V: 2}
	ra := compile(t, WriteSpec{Kind: WriteDelete, S: doc, P: unsafe.Pointer(&a)})
	rb := compile(t, WriteSpec{Kind: WriteDelete, S: doc, P: unsafe.Pointer(&b)})
	if ra.Delete.ConditionExpression != rb.Delete.ConditionExpression {
		t.Error("two Deletes of one shape rendered their condition twice")
	}
	if reflect.ValueOf(ra.Delete.ExpressionAttributeValues).Pointer() == reflect.ValueOf(rb.Delete.ExpressionAttributeValues).Pointer() {
		t.Error("two Deletes share one values map")
	}
	if d := cmp.Diff(NumberValue(1), ra.Delete.ExpressionAttributeValues[":1"], sdkOpts); d != "" {
		t.Errorf("first Delete's version:\n%s", d)
	}
}

func TestTxItemIsTheSingleInput(t *testing.T) {
	tbl, user, doc, _ := writeTable(t)
	v, k := wUser{Username: "ann"}, wDoc{ID: "d1", V: 3}
	put := compile(t, WriteSpec{Kind: WritePut, S: user, P: unsafe.Pointer(&v)})
	upd := compile(t, WriteSpec{Kind: WriteUpdate, S: doc, P: unsafe.Pointer(&k), Actions: []UpdateAction{action(t, doc, UpdateSet, "body", "x")}})
	del := compile(t, WriteSpec{Kind: WriteDelete, S: doc, P: unsafe.Pointer(&k)})
	chk := compile(t, WriteSpec{Kind: WriteCheck, S: doc, P: unsafe.Pointer(&k), Exists: true})
	all := types.ReturnValuesOnConditionCheckFailureAllOld
	want := []types.TransactWriteItem{
		{Put: &types.Put{TableName: put.Put.TableName, Item: put.Put.Item, ConditionExpression: put.Put.ConditionExpression,
			ExpressionAttributeNames: put.Put.ExpressionAttributeNames, ExpressionAttributeValues: put.Put.ExpressionAttributeValues, ReturnValuesOnConditionCheckFailure: all}},
		{Update: &types.Update{TableName: upd.Update.TableName, Key: upd.Update.Key, UpdateExpression: upd.Update.UpdateExpression, ConditionExpression: upd.Update.ConditionExpression,
			ExpressionAttributeNames: upd.Update.ExpressionAttributeNames, ExpressionAttributeValues: upd.Update.ExpressionAttributeValues, ReturnValuesOnConditionCheckFailure: all}},
		{Delete: &types.Delete{TableName: del.Delete.TableName, Key: del.Delete.Key, ConditionExpression: del.Delete.ConditionExpression,
			ExpressionAttributeNames: del.Delete.ExpressionAttributeNames, ExpressionAttributeValues: del.Delete.ExpressionAttributeValues, ReturnValuesOnConditionCheckFailure: all}},
		{ConditionCheck: chk.Check},
	}
	for i, r := range []*WriteRequest{&put, &upd, &del, &chk} {
		diffSDK(t, r.Fail.Op(), want[i], r.TxItem())
		a := r.TxAction()
		if a.Op() != r.Fail.Op() || a.Key != r.Fail.Key || a.Table() != tbl || a.Failed == nil {
			t.Errorf("%s: TxAction %+v", r.Fail.Op(), a)
		}
	}
}

func TestBatchItemRefusesConditions(t *testing.T) {
	_, user, doc, _ := writeTable(t)
	cond := expression.Name("name").AttributeExists()
	u, d := wUser{Username: "ann"}, wDoc{ID: "d1"}
	for _, tt := range []struct {
		name string
		w    WriteSpec
		ok   bool
	}{
		{"put", WriteSpec{Kind: WritePut, S: user, P: unsafe.Pointer(&u)}, true},
		{"delete", WriteSpec{Kind: WriteDelete, S: user, P: unsafe.Pointer(&u)}, true},
		{"put if not exists", WriteSpec{Kind: WritePut, S: user, P: unsafe.Pointer(&u), Absent: true}, false},
		{"put if", WriteSpec{Kind: WritePut, S: user, P: unsafe.Pointer(&u), Cond: &cond}, false},
		{"delete if", WriteSpec{Kind: WriteDelete, S: user, P: unsafe.Pointer(&u), Cond: &cond}, false},
		{"versioned put", WriteSpec{Kind: WritePut, S: doc, P: unsafe.Pointer(&d)}, false},
	} {
		r := compile(t, tt.w)
		w, _, err := r.BatchItem()
		switch {
		case tt.ok && (err != nil || w.Key != r.Fail.Key || w.Delete != (tt.w.Kind == WriteDelete)):
			t.Errorf("%s: %+v, %v", tt.name, w, err)
		case !tt.ok && !errors.Is(err, ErrConditionalBatch):
			t.Errorf("%s: %v, want ErrConditionalBatch", tt.name, err)
		}
	}
}

func TestRenumber(t *testing.T) {
	var b strings.Builder
	renumber(&b, "(#0.#1[12] < :0) OR (size (#2) BETWEEN :1 AND :10)", []int{4, 0, 7}, 3)
	if got, want := b.String(), "(#4.#0[12] < :3) OR (size (#7) BETWEEN :4 AND :13)"; got != want {
		t.Errorf("renumber: %q, want %q", got, want)
	}
}
