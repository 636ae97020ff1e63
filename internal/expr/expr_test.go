package expr

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

// The guards and requests tablemap makes (see put.go, delete.go, check.go,
// ttl.go, update.go, query.go, get.go of the root package), and edge cases
// of paths and numbering.
var tableShapes = map[string]Shape{
	"put absent or own": {Condition: Or(Name("PK").NotExists(), Name("_type").Equal())},
	"put version": {Condition: And(
		Or(Name("PK").NotExists(), Name("_type").Equal()),
		Name("v").Equal(),
	)},
	"put if not exists": {Condition: And(Name("PK").NotExists(), Name("PK").NotExists())},
	"check an item": {Condition: And(Name("PK").Exists(),
		Or(Name("ttl").NotExists(), Name("ttl").GreaterThan()))},
	"check no item": {Condition: Or(Name("PK").NotExists(), Name("ttl").LessThanEqual())},
	"counter limit": {Condition: Name("count").GreaterThanEqual(), Update: Update{Add("count")}},
	"update all actions": {
		Condition: And(And(Name("_type").Equal(), Or(Name("ttl").NotExists(), Name("ttl").GreaterThan())), Name("v").Equal()),
		Update: Update{Set("a"), SetIfNotExists("b"), Add("n"), Remove("GSI1PK"), Remove("GSI1SK"),
			AppendList("tags"), Delete("set"), Add("v"), Set("updated"), Set("GSI2PK")},
	},
	"update same name twice": {Update: Update{Set("a"), Add("a"), Remove("a"), Delete("a")}},
	"update set only":        {Update: Update{Set("a")}},
	"update remove only":     {Update: Update{Remove("a"), Remove("b.c[2]")}},
	"update append list":     {Update: Update{AppendList("l"), AppendList("m.l[0]")}},
	"query type and expiry": {
		KeyCondition: PartitionKey("GSI1PK").And("GSI1SK", KeyBetween),
		Filter: And(Name("_type").In(3), Or(Or(Name("ttl").NotExists(), Name("ttl").GreaterThan()),
			Name("_type").In(2))),
		Projection: Projection{"_type", "PK", "SK", "GSI1PK", "GSI1SK", "a", "PK"},
	},
	"query pk only":       {KeyCondition: PartitionKey("PK"), Filter: Name("_type").Equal()},
	"query begins with":   {KeyCondition: PartitionKey("PK").And("SK", KeyBeginsWith)},
	"query less":          {KeyCondition: PartitionKey("PK").And("SK", KeyLess)},
	"query less equal":    {KeyCondition: PartitionKey("PK").And("SK", KeyLessEqual)},
	"query greater":       {KeyCondition: PartitionKey("PK").And("SK", KeyGreater)},
	"query greater equal": {KeyCondition: PartitionKey("PK").And("SK", KeyGreaterEqual)},
	"query equal":         {KeyCondition: PartitionKey("PK").And("PK", KeyEqual)},
	"key names not split": {KeyCondition: PartitionKey("a.b").And("c[1]", KeyEqual), Projection: Projection{"a.b"}},
	"scan filter":         {Filter: And(Name("_type").Equal(), Not(Name("a").BeginsWith()))},
	"get projection":      {Projection: Projection{"_type", "PK", "SK", "x"}},
	"every kind": {
		Condition: Name("a").Equal(), Filter: Name("b").NotEqual(), KeyCondition: PartitionKey("c").And("a", KeyLess),
		Projection: Projection{"d", "b"}, Update: Update{Set("e"), Add("a")},
	},
	"sizes": {Condition: And(Size("a").Equal(), Size("b.c").LessThan(), Size("d[1]").Between(), Size("e").In(1),
		Size("f").NotEqual(), Size("g").GreaterThan(), Size("h").GreaterThanEqual(), Size("i").LessThanEqual())},
	"paths": {Condition: And(Name("a.b[1].c").Equal(), Name("l[0][12]").Exists(), Name("x[1]y").Exists(),
		Name("a.b").NotExists(), Name("ü.ß").Equal())},
	"deep nesting":                   {Condition: Not(Or(And(Not(Name("a").Exists()), Name("b").Between()), Not(Not(Name("c").In(4)))))},
	"dollar and text around indexes": {Projection: Projection{"a$[0]", "a[0]x[1]", "$"}},
	"wide and":                       {Condition: And(Name("a").Equal(), Name("b").Equal(), Name("c").Equal(), Name("a").Equal(), Name("d").Equal())},

	// Shapes expression refuses, so must Compile.
	"empty shape":          {},
	"empty name":           {Condition: Name("").Equal()},
	"empty size":           {Condition: Size("").Equal()},
	"empty path element":   {Condition: Name("a..b").Equal()},
	"trailing dot":         {Update: Update{Set("a.")}},
	"bad index":            {Condition: Name("a[x]").Equal()},
	"empty index":          {Projection: Projection{"a[]"}},
	"index only":           {Projection: Projection{"[1]"}},
	"unbalanced brackets":  {Projection: Projection{"a[1"}},
	"brackets out of turn": {Projection: Projection{"a]1["}},
	"nested brackets":      {Projection: Projection{"a[[1]]"}},
	"dollar in index":      {Projection: Projection{"a[0]$[1]"}},
	"escape in index":      {Update: Update{Set("a[0]$n[1]")}},
	"unset child":          {Condition: And(Name("a").Equal(), Cond{})},
	"unset under not":      {Filter: Not(Cond{})},
	"empty partition key":  {KeyCondition: PartitionKey("")},
	"empty sort key":       {KeyCondition: PartitionKey("PK").And("", KeyEqual)},
	"empty remove":         {Update: Update{Remove("")}},
}

// TestSameAsExpression compiles every shape of the table and compares its
// strings, names and values with what expression builds.
func TestSameAsExpression(t *testing.T) {
	for name, s := range tableShapes {
		t.Run(name, func(t *testing.T) { sameAsExpression(t, s) })
	}
}

// TestUpdateNumbering pins the rules the doc states on the benchmark's
// shape: names in order of appearance across kinds, condition before
// update, ADD before SET with a newline after each group, and values given
// in shape order mapped to expression's placeholders.
func TestUpdateNumbering(t *testing.T) {
	comp, err := Compile(benchShape())
	if err != nil {
		t.Fatal(err)
	}
	vals := testValues(comp.NumValues()) // _type, v, a, b, c, n
	got, err := comp.Values(vals)
	if err != nil {
		t.Fatal(err)
	}
	want := rendered{
		Condition: ptr("(attribute_exists (#0)) AND (#1 = :0) AND (#2 = :1)"),
		Update:    ptr("ADD #3 :2\nSET #4 = :3, #5 = :4, #6 = :5\n"),
		Names:     map[string]string{"#0": "PK", "#1": "_type", "#2": "v", "#3": "n", "#4": "a", "#5": "b", "#6": "c"},
		Values:    map[string]types.AttributeValue{":0": vals[0], ":1": vals[1], ":3": vals[2], ":4": vals[3], ":5": vals[4], ":2": vals[5]},
	}
	if d := cmp.Diff(want, rendered{comp.Condition(), nil, nil, nil, comp.Update(), comp.Names(), got}, avOpts); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}

func ptr(s string) *string { return &s }

// TestRefused checks the shapes and values expression cannot express or
// would get wrong, which Compile and Values refuse with ErrInvalid.
func TestRefused(t *testing.T) {
	for name, s := range map[string]Shape{
		"exists of a size":      {Condition: Size("a").Exists()},
		"not exists of a size":  {Condition: Size("a").NotExists()},
		"begins with of a size": {Condition: Size("a").BeginsWith()},
		"in of no values":       {Condition: Name("a").In(0)},
		"and of none":           {Condition: And(Name("a").Equal(), And())},
		"sort key without op":   {KeyCondition: PartitionKey("PK").And("SK", keyNone)},
		"unknown key op":        {KeyCondition: PartitionKey("PK").And("SK", KeyBeginsWith+1)},
	} {
		if _, err := Compile(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Compile error %v, want ErrInvalid", name, err)
		}
	}
	comp, err := Compile(benchShape())
	if err != nil {
		t.Fatal(err)
	}
	for name, vals := range map[string][]types.AttributeValue{
		"too few":  testValues(comp.NumValues() - 1),
		"too many": testValues(comp.NumValues() + 1),
		"a nil":    append(testValues(comp.NumValues()-1), nil),
	} {
		if _, err := comp.Values(vals); !errors.Is(err, ErrInvalid) {
			t.Errorf("Values of %s: error %v, want ErrInvalid", name, err)
		}
	}
}

// TestAndOfOne checks that And and Or of one condition are that condition.
func TestAndOfOne(t *testing.T) {
	one, err := Compile(Shape{Condition: And(Or(Name("a").Equal()))})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := *one.Condition(), "#0 = :0"; got != want {
		t.Fatalf("condition %q, want %q", got, want)
	}
}

// TestValuesOwnership checks that Values makes a new map per call, so a
// caller may add to it, and that values without a placeholder give nil.
func TestValuesOwnership(t *testing.T) {
	comp, err := Compile(Shape{Condition: Name("a").Equal()})
	if err != nil {
		t.Fatal(err)
	}
	vals := testValues(1)
	m1, _ := comp.Values(vals)
	m1[":extra"] = vals[0]
	m2, _ := comp.Values(vals)
	if d := cmp.Diff(map[string]types.AttributeValue{":0": vals[0]}, m2, avOpts); d != "" {
		t.Fatalf("second Values (-want +got):\n%s", d)
	}
	none, err := Compile(Shape{Update: Update{Remove("a")}})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := none.Values(nil); m != nil || err != nil {
		t.Fatalf("Values of a shape with no values: %v, %v; want nil, nil", m, err)
	}
}
