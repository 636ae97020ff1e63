package engine

import (
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

type thought struct {
	_         struct{} `tablemap:"Thought" pk:"{username}" sk:"{createdAt}" all.pk:"{kind}" all.sk:"{createdAt}" byText.sk:"{thought}"`
	Username  string   `dynamo:"username"`
	CreatedAt int64    `dynamo:"createdAt"`
	Kind      string   `dynamo:"kind"`
	Thought   string   `dynamo:"thought"`
}

func thoughtsTable() *Table {
	t := NewTable(nil, "Thoughts")
	t.PK, t.SK, t.TypeAttr = "username", "createdAt", ""
	t.Layout = Layout{
		AttrTypes: map[string]types.ScalarAttributeType{"createdAt": types.ScalarAttributeTypeN},
		Indexes: []*IndexDecl{
			{Name: "all", PK: "kind", SK: "createdAt"},
			{Name: "byText", SK: "thought", Local: true},
		},
	}
	return t
}

// A declared layout is created as declared: key types, global and local
// indexes by name, each attribute defined once with its type.
func TestCreateTableInputDeclared(t *testing.T) {
	tbl := thoughtsTable()
	schemaOf[thought](t, tbl)
	all := &types.Projection{ProjectionType: types.ProjectionTypeAll}
	want := &dynamodb.CreateTableInput{
		TableName:              aws.String("Thoughts"),
		BillingMode:            types.BillingModePayPerRequest,
		KeySchema:              keySchema("username", "createdAt"),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{gsiInput("all", "kind", "createdAt", nil)},
		LocalSecondaryIndexes:  []types.LocalSecondaryIndex{{IndexName: aws.String("byText"), KeySchema: keySchema("username", "thought"), Projection: all}},
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("username"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("createdAt"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("kind"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("thought"), AttributeType: types.ScalarAttributeTypeS},
		},
	}
	opts := cmp.Options{tableInputCmp, cmpopts.IgnoreUnexported(types.LocalSecondaryIndex{})}
	if d := cmp.Diff(want, tbl.CreateTableInput(), opts); d != "" {
		t.Errorf("CreateTableInput (-want +got):\n%s", d)
	}
}

// A numeric sort key is stored as N, the identity fields as themselves,
// and no type attribute is written.
func TestEncodeDeclaredKeyTypes(t *testing.T) {
	tbl := thoughtsTable()
	s := schemaOf[thought](t, tbl)
	v := thought{Username: "a#b%c", CreatedAt: 1700000000123, Kind: "thought", Thought: "hi"}
	item, key, err := s.Encode(ctx, unsafe.Pointer(&v))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]types.AttributeValue{
		"username":  &types.AttributeValueMemberS{Value: "a#b%c"},
		"createdAt": &types.AttributeValueMemberN{Value: "1700000000123"},
		"kind":      &types.AttributeValueMemberS{Value: "thought"},
		"thought":   &types.AttributeValueMemberS{Value: "hi"},
	}
	opts := cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{})
	if d := cmp.Diff(want, item, opts); d != "" {
		t.Errorf("item (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want, mergeKey(tbl.KeyItem(key), want), opts); d != "" {
		t.Errorf("KeyItem differs from the item's keys:\n%s", d)
	}
	var back thought
	if err := s.DecodeInto(ctx, item, unsafe.Pointer(&back)); err != nil {
		t.Fatal(err)
	}
	if back != v {
		t.Errorf("decoded %+v, want %+v", back, v)
	}
}

// mergeKey returns want with the attributes of key replaced: equal to
// want when key agrees with it.
func mergeKey(key, want map[string]types.AttributeValue) map[string]types.AttributeValue {
	m := map[string]types.AttributeValue{}
	for k, v := range want {
		m[k] = v
	}
	for k, v := range key {
		m[k] = v
	}
	return m
}

// Templates that cannot be stored as the declared type are refused at
// Define, naming the struct, field and tag.
func TestDefineRefusesTemplateOfOtherType(t *testing.T) {
	type composite struct {
		_         struct{} `pk:"{username}" sk:"T#{createdAt}"`
		Username  string   `dynamo:"username"`
		CreatedAt int64    `dynamo:"createdAt"`
	}
	defRefused(t, thoughtsTable(), reflect.TypeFor[composite](), "_", `sk:"T#{createdAt}"`, "declared N")
	type stringSK struct {
		_         struct{} `pk:"{username}" sk:"{createdAt}"`
		Username  string   `dynamo:"username"`
		CreatedAt string   `dynamo:"createdAt"`
	}
	defRefused(t, thoughtsTable(), reflect.TypeFor[stringSK](), "CreatedAt", `sk:"{createdAt}"`, "has type string, not integer")
	type unknownIndex struct {
		_        struct{} `pk:"{username}" sk:"{n}" nope.pk:"{username}"`
		Username string   `dynamo:"username"`
		N        int      `dynamo:"n"`
	}
	defRefused(t, thoughtsTable(), reflect.TypeFor[unknownIndex](), "_", "nope.pk", "does not declare")
}

// Without type attribute, entities are told apart by key shape or by
// their match attribute, and OwnCondition gives the write guard's rule.
func TestRecognisesAndOwnCondition(t *testing.T) {
	type user struct {
		_    struct{} `tablemap:"User" pk:"USER#{name}" sk:"#METADATA#{name}"`
		Name string   `dynamo:"name"`
	}
	type photo struct {
		_    struct{} `tablemap:"Photo" pk:"USER#{name}" sk:"PHOTO#{name}#{ts}"`
		Name string   `dynamo:"name"`
		TS   int      `dynamo:"ts"`
	}
	tbl := NewTable(nil, "photos")
	tbl.TypeAttr = ""
	u := schemaOf[user](t, tbl)
	schemaOf[photo](t, tbl)
	item := func(pk, sk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}}
	}
	for _, c := range []struct {
		item map[string]types.AttributeValue
		want string
	}{
		{item("USER#ann", "#METADATA#ann"), "User"},
		{item("USER#ann", "PHOTO#ann#00000000000000000012"), "Photo"},
		{item("USER#ann", "#FRIEND#bob"), ""},
	} {
		if got := tbl.TypeOf(c.item); got != c.want {
			t.Errorf("TypeOf(%v) = %q, want %q", c.item, got, c.want)
		}
	}
	if _, ok := u.OwnCondition(); ok {
		t.Error("a key-shape entity has an own condition")
	}
	type note struct {
		_  struct{} `tablemap:"Note" pk:"N#{id}" match:"kind=note"`
		ID string   `dynamo:"id"`
	}
	n := schemaOf[note](t, tbl)
	c, ok := n.OwnCondition()
	if !ok {
		t.Fatal("a match entity has no own condition")
	}
	expr, err := expression.NewBuilder().WithCondition(c).Build()
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(expr.Condition()) + " " + strings.Join(sortedValues(expr.Names()), ","); got != "#0 = :0 kind" {
		t.Errorf("own condition %q", got)
	}
}

func sortedValues(m map[string]string) []string {
	var vs []string
	for _, v := range m {
		vs = append(vs, v)
	}
	return vs
}

// Verify's comparison lists every difference at once.
func TestTableMismatchesListsAll(t *testing.T) {
	tbl := thoughtsTable()
	schemaOf[thought](t, tbl)
	want := tbl.CreateTableInput()
	live := &types.TableDescription{
		KeySchema: keySchema("username", "createdAt"),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("username"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("createdAt"), AttributeType: types.ScalarAttributeTypeS},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndexDescription{{
			IndexName: aws.String("all"), KeySchema: keySchema("kind", ""),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
	}
	got := TableMismatches(want, live)
	wantList := []string{
		`key attribute "createdAt" is S, declared N`,
		`index "all" key is HASH kind, declared HASH kind, RANGE createdAt`,
		`index "all" projects KEYS_ONLY; reads through it decode whole items, so it must project ALL`,
		`local secondary index "byText" is missing (the table has none)`,
	}
	if d := cmp.Diff(wantList, got); d != "" {
		t.Errorf("mismatches (-want +got):\n%s", d)
	}
	if m := TableMismatches(want, &types.TableDescription{KeySchema: want.KeySchema, AttributeDefinitions: want.AttributeDefinitions,
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndexDescription{{IndexName: aws.String("all"), KeySchema: keySchema("kind", "createdAt"), Projection: want.GlobalSecondaryIndexes[0].Projection}},
		LocalSecondaryIndexes:  []types.LocalSecondaryIndexDescription{{IndexName: aws.String("byText"), KeySchema: keySchema("username", "thought"), Projection: want.LocalSecondaryIndexes[0].Projection}},
	}); len(m) != 0 {
		t.Errorf("a matching table has mismatches %q", m)
	}
}
