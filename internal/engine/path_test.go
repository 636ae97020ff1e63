package engine

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

type addr struct {
	City  string    `dynamo:"city"`
	Zip   int       `dynamo:"zip,string"`
	Since time.Time `dynamo:"since,unixtime"`
	Geo   *geo      `dynamo:"geo"`
}

type geo struct {
	Lat float64 `dynamo:"lat"`
}

type custom struct{ X int }

func (custom) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) {
	return &types.AttributeValueMemberS{Value: "c"}, nil
}

type profile struct {
	_         struct{}          `tablemap:"Profile" pk:"P#{id}" gsi1pk:"G#{group}"`
	ID        string            `dynamo:"id"`
	Group     string            `dynamo:"group"`
	Version   int               `dynamo:"v,version"`
	Address   addr              `dynamo:"address"`
	Home      *addr             `dynamo:"home"`
	Reactions map[string]int    `dynamo:"reactions"`
	Notes     map[string]string `dynamo:"notes,omitemptyelem"`
	Tags      []string          `dynamo:"tags"`
	Labels    []string          `dynamo:"labels,set"`
	Pair      [2]addr           `dynamo:"pair"`
	Blob      []byte            `dynamo:"blob"`
	Any       map[string]any    `dynamo:"any"`
	Custom    custom            `dynamo:"custom"`
	When      time.Time         `dynamo:"when"`
	Secret    map[string]string `dynamo:"secret,encrypted"`
	Matrix    [][]addr          `dynamo:"matrix"`
	Dotted    string            `dynamo:"a.b"`
}

func profileSchema(t *testing.T) *Schema { return schemaOf[profile](t, cipherTable()) }

func TestParsePath(t *testing.T) {
	good := map[string][]PathSeg{
		"a":           {{Name: "a"}},
		"a.b":         {{Name: "a"}, {Name: "b"}},
		"a[3].c":      {{Name: "a"}, {Index: 3, IsIndex: true}, {Name: "c"}},
		"a[0][12]":    {{Name: "a"}, {Index: 0, IsIndex: true}, {Index: 12, IsIndex: true}},
		"héllo.wörld": {{Name: "héllo"}, {Name: "wörld"}},
	}
	for in, want := range good {
		got, err := ParsePath(in)
		if err != nil {
			t.Errorf("ParsePath(%q): %v", in, err)
			continue
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("ParsePath(%q) (-want +got):\n%s", in, d)
		}
		if s := PathString(got); s != in {
			t.Errorf("PathString(ParsePath(%q)) = %q", in, s)
		}
	}
	for _, in := range []string{"", ".", "a.", ".a", "a..b", "[0]", "a[]", "a[x]", "a[1", "a]1", "a[1]b", "a[-1]", "a[99999999999999999999]", "a.\xff"} {
		if got, err := ParsePath(in); err == nil {
			t.Errorf("ParsePath(%q) = %v, want an error", in, got)
		}
	}
}

// resolved resolves path on Profile and returns its leaf's type and stored
// attribute value type.
func resolved(t *testing.T, s *Schema, path string) DocPath {
	t.Helper()
	p, err := s.ResolvePath(path)
	if err != nil {
		t.Fatalf("ResolvePath(%q): %v", path, err)
	}
	return p
}

func TestResolvePathFits(t *testing.T) {
	s := profileSchema(t)
	tests := []struct {
		path, goType, stored string
		number               bool
	}{
		{"address.city", "string", "S", false},
		{"address.zip", "int", "S", false}, // the string option holds inside
		{"address.since", "time.Time", "N", false},
		{"address.geo.lat", "float64", "N", true},
		{"home.city", "string", "S", false},
		{"reactions.heart", "int", "N", true},
		{"reactions.any key at all", "int", "N", true},
		{"tags[7]", "string", "S", false},
		{"pair[1].city", "string", "S", false},
		{"matrix[0][3].geo", "*engine.geo", "M", false},
		{"any.x", "interface {}", "", false},
		{"labels", "[]string", "SS", false},
		{"a.b", "string", "S", false}, // a top-level attribute holding a dot
		{"tags", "[]string", "L", false},
	}
	for _, tt := range tests {
		p := resolved(t, s, tt.path)
		if got := p.Leaf.Type.String(); got != tt.goType {
			t.Errorf("%s: Go type %s, want %s", tt.path, got, tt.goType)
		}
		if got := PlaceStoredType(p.Leaf); got != tt.stored && p.Nested() {
			t.Errorf("%s: stored as %q, want %q", tt.path, got, tt.stored)
		}
		if p.IsNumber() != tt.number {
			t.Errorf("%s: IsNumber %v, want %v", tt.path, p.IsNumber(), tt.number)
		}
	}
}

func TestResolvePathRefuses(t *testing.T) {
	s := profileSchema(t)
	tests := []struct{ path, seg, msg string }{
		{"nope.x", "nope", "has no attribute"},
		{"address.town", "town", "has no field stored as \"town\""},
		{"address.City", "City", "has no field"}, // attribute names, not Go names
		{"address[0]", "[0]", "not a list"},
		{"tags.x", "x", "not a map or struct"},
		{"tags[0].x", "x", "not a map or struct"},
		{"labels[0]", "[0]", "a set"},
		{"blob[0]", "[0]", "not a list"},
		{"pair[2]", "[2]", "out of range"},
		{"any.x.y", "y", "an interface"},
		{"custom.X", "X", "MarshalDynamoDBAttributeValue"},
		{"when.x", "x", "a string or a number"},
		{"secret.k", "secret", "encrypted"},
		{"reactions.heart.x", "x", "not a map or struct"},
		{"a[", "", "list index"},
	}
	for _, tt := range tests {
		_, err := s.ResolvePath(tt.path)
		var pe *PathError
		if !errors.As(err, &pe) {
			t.Errorf("%s: %v, want a *PathError", tt.path, err)
			continue
		}
		if pe.Entity != "Profile" || pe.Path != tt.path || pe.Seg != tt.seg || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: %+v (%v), want segment %q and a message with %q", tt.path, pe, err, tt.seg, tt.msg)
		}
	}
}

// The expression name of a path keeps each step whole: a map key with a
// dot is one name.
func TestDocPathName(t *testing.T) {
	segs := []PathSeg{{Name: "reactions"}, {Name: "a.b"}, {Name: "tags"}, {Index: 2, IsIndex: true}, {Index: 0, IsIndex: true}}
	expr, err := expression.NewBuilder().WithProjection(expression.NamesList(SegsName(segs))).Build()
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(expr.Projection()); got != "#0.#1.#2[2][0]" {
		t.Errorf("projection %q", got)
	}
	want := map[string]string{"#0": "reactions", "#1": "a.b", "#2": "tags"}
	if d := cmp.Diff(want, expr.Names()); d != "" {
		t.Errorf("names (-want +got):\n%s", d)
	}
}

func TestOverlap(t *testing.T) {
	parse := func(s string) []PathSeg { p, _ := ParsePath(s); return p }
	for _, tt := range []struct {
		a, b string
		want bool
	}{{"a", "a", true}, {"a", "a.b", true}, {"a.b", "a", true}, {"a.b", "a.c", false}, {"a[1]", "a[1].x", true}, {"a[1]", "a[2]", false}, {"ab", "a", false}} {
		if got := Overlap(parse(tt.a), parse(tt.b)); got != tt.want {
			t.Errorf("Overlap(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}

// A value at a nested path encodes as the codec encodes it in place:
// with the options of the nested struct's field, or those the field gives
// its elements.
func TestPathActionEncodesLikeTheField(t *testing.T) {
	s := profileSchema(t)
	when := time.Unix(1700000000, 0).UTC()
	tests := []struct {
		path  string
		value any
		want  types.AttributeValue
	}{
		{"address.zip", 75001, &types.AttributeValueMemberS{Value: "75001"}},
		{"address.since", when, &types.AttributeValueMemberN{Value: "1700000000"}},
		{"address.geo", geo{Lat: 1.5}, &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"lat": &types.AttributeValueMemberN{Value: "1.5"}}}},
		{"address.geo.lat", 2, &types.AttributeValueMemberN{Value: "2"}}, // int to float64
		{"reactions.heart", int8(3), &types.AttributeValueMemberN{Value: "3"}},
		{"tags[1]", "x", &types.AttributeValueMemberS{Value: "x"}},
		{"home.city", "Lyon", &types.AttributeValueMemberS{Value: "Lyon"}},
		{"any.k", []int{1}, &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberN{Value: "1"}}}},
		{"address", addr{City: "Oslo"}, &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"city": &types.AttributeValueMemberS{Value: "Oslo"}, "zip": &types.AttributeValueMemberS{Value: "0"},
			"since": &types.AttributeValueMemberN{Value: "-62135596800"}, "geo": &types.AttributeValueMemberNULL{Value: true},
		}}},
	}
	for _, tt := range tests {
		u, err := s.PathAction(UpdateSet, tt.path, tt.value)
		if err != nil {
			t.Errorf("%s: %v", tt.path, err)
			continue
		}
		if d := cmp.Diff(tt.want, u.Av, cmp.Exporter(func(reflect.Type) bool { return true })); d != "" {
			t.Errorf("%s encodes (-want +got):\n%s", tt.path, d)
		}
	}
}

func TestPathActionRefuses(t *testing.T) {
	s := profileSchema(t)
	tests := []struct {
		kind  UpdateKind
		path  string
		value any
		msg   string
	}{
		{UpdateSet, "address.town", "x", "has no field"},
		{UpdateSet, "address.city", 3, "does not fit the type string"},
		{UpdateSet, "reactions.heart", 1.5, "does not fit"},
		{UpdateSet, "reactions.heart", nil, "nil value"},
		{UpdateAdd, "address.city", 1, "needs a number"},
		{UpdateAdd, "address.zip", 1, "needs a number stored as N"},
		{UpdateAdd, "reactions.heart", "1", "does not fit"},
		{UpdateDeleteFromSet, "reactions.heart", 1, "DeleteFromSet \"reactions.heart\": it applies to top-level set attributes only"},
		{UpdateAppend, "address.city", "x", "Append \"address.city\": it needs a list"},
		{UpdateSet, "group.x", "x", "not a map or struct"},
		{UpdateSet, "secret.k", "x", "encrypted"},
		{UpdateSet, "tags[0]", "", ""}, // fine: no omitemptyelem on tags
		{UpdateSet, "notes.k", "", ""}, // omitemptyelem: the entry is removed
	}
	for _, tt := range tests {
		u, err := s.PathAction(tt.kind, tt.path, tt.value)
		if tt.msg == "" {
			if err != nil {
				t.Errorf("%s %s: %v", UpdateKindNames[tt.kind], tt.path, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), tt.path) {
			t.Errorf("%s %s = %+v, %v; want an error naming the path with %q", UpdateKindNames[tt.kind], tt.path, u, err, tt.msg)
		}
	}
	if u, _ := s.PathAction(UpdateSet, "notes.k", ""); u.Kind != UpdateRemove {
		t.Errorf("Set of an empty omitemptyelem entry is %s, want Remove", UpdateKindNames[u.Kind])
	}
}

// The Update expressions a nested action writes.
func TestPathUpdateApply(t *testing.T) {
	s := profileSchema(t)
	tests := []struct {
		kind  UpdateKind
		path  string
		value any
		want  string
	}{
		{UpdateSet, "address.city", "x", "SET #0.#1 = :0\n"},
		{UpdateSetIfNotExists, "reactions.heart", 1, "SET #0.#1 = if_not_exists(#0.#1, :0)\n"},
		{UpdateAdd, "reactions.heart", 2, "SET #0.#1 = if_not_exists(#0.#1, :0) + :1\n"},
		{UpdateRemove, "tags[3]", nil, "REMOVE #0[3]\n"},
		{UpdateAppend, "matrix[1]", addr{}, "SET #0[1] = list_append(if_not_exists(#0[1], :0), :1)\n"},
	}
	for _, tt := range tests {
		u, err := s.PathAction(tt.kind, tt.path, tt.value)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		expr, err := expression.NewBuilder().WithUpdate(u.Apply(expression.UpdateBuilder{})).Build()
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(expr.Update()); got != tt.want {
			t.Errorf("%s %s: %q, want %q", UpdateKindNames[tt.kind], tt.path, got, tt.want)
		}
	}
}

// Key, index and managed fields are scalars: no path goes below them.
func TestPathBelowScalarFields(t *testing.T) {
	s := profileSchema(t)
	for _, path := range []string{"id.x", "group.x", "v.x", "when.x"} {
		if _, err := s.PathAction(UpdateSet, path, "x"); err == nil {
			t.Errorf("Set %s accepted", path)
		}
	}
}

func TestPathIncr(t *testing.T) {
	s := profileSchema(t)
	u, cond, err := s.PathIncr("reactions.heart", -3)
	if err != nil {
		t.Fatal(err)
	}
	if cond == nil {
		t.Fatal("a decrement has no condition")
	}
	expr, err := expression.NewBuilder().WithUpdate(u.Apply(expression.UpdateBuilder{})).WithCondition(*cond).Build()
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(expr.Condition()); got != "#0.#1 >= :0" {
		t.Errorf("condition %q", got)
	}
	want := map[string]types.AttributeValue{
		":0": &types.AttributeValueMemberN{Value: "3"},
		":1": &types.AttributeValueMemberN{Value: "0"},
		":2": &types.AttributeValueMemberN{Value: "-3"},
	}
	if d := cmp.Diff(want, expr.Values(), cmp.Exporter(func(reflect.Type) bool { return true })); d != "" {
		t.Errorf("values (-want +got):\n%s", d)
	}
	if _, cond, err := s.PathIncr("reactions.heart", 2); err != nil || cond != nil {
		t.Errorf("increment: %v, %v; want no condition", cond, err)
	}
	if _, _, err := s.PathIncr("address.city", 1); err == nil {
		t.Error("Incr of a string accepted")
	}
}

func TestPathsOverlapAndProjection(t *testing.T) {
	s := profileSchema(t)
	a, b := resolved(t, s, "address"), resolved(t, s, "address.city")
	if err := PathsOverlap([]DocPath{resolved(t, s, "tags"), a, b}); err == nil || !strings.Contains(err.Error(), `"address" and "address.city"`) {
		t.Errorf("PathsOverlap: %v", err)
	}
	if err := PathsOverlap([]DocPath{b, resolved(t, s, "address.zip")}); err != nil {
		t.Errorf("PathsOverlap of siblings: %v", err)
	}
	for attrs, msg := range map[string]string{
		"address.city,reactions.heart,home,a.b": "",
		"address.city,address":                  "overlap",
		"tags[0]":                               "packed",
		"address.town":                          "has no field",
		"secret.k":                              "encrypted",
		// Top-level attributes alone take a shorter way, to the same answers.
		"id,tags,address,a.b": "",
		"tags,id,tags":        `paths "tags" and "tags" overlap`,
		"id,nope":             "has no attribute",
	} {
		err := s.CheckProjectPaths(strings.Split(attrs, ","))
		if msg == "" && err != nil || msg != "" && (err == nil || !strings.Contains(err.Error(), msg)) {
			t.Errorf("CheckProjectPaths(%s) = %v, want %q", attrs, err, msg)
		}
	}
}

// Conditions on nested paths are checked against the type and compared by
// the type of the value at the path.
func TestConditionNestedPaths(t *testing.T) {
	s := profileSchema(t)
	check := func(cond expression.ConditionBuilder) error {
		expr, err := expression.NewBuilder().WithCondition(cond).Build()
		if err != nil {
			t.Fatal(err)
		}
		return CheckCondition(s.Table, []*Schema{s}, "the filter", expr.Condition(), expr.Names(), expr.Values())
	}
	ok := []expression.ConditionBuilder{
		expression.Name("address.city").Equal(expression.Value("Oslo")),
		expression.Name("reactions.heart").GreaterThan(expression.Value(2)),
		expression.Name("tags[0]").BeginsWith("x"),
		expression.Name("address.zip").Equal(expression.Value("75001")), // stored as S
		expression.Name("address.geo").AttributeExists(),
		expression.Size(expression.Name("pair[1].city")).GreaterThan(expression.Value(1)),
		expression.Name("any.x").Equal(expression.Value(true)),
		expression.Name("labels").Contains("a"),
	}
	for _, c := range ok {
		if err := check(c); err != nil {
			t.Errorf("refused: %v", err)
		}
	}
	bad := map[string]expression.ConditionBuilder{
		"has no field":          expression.Name("address.town").Equal(expression.Value("x")),
		"stored as N":           expression.Name("reactions.heart").Equal(expression.Value("2")),
		"stored as S":           expression.Name("address.zip").Equal(expression.Value(75001)),
		"epoch seconds":         expression.Name("address.since").LessThan(expression.Value(time.Now())),
		"a set":                 expression.Name("labels[0]").Equal(expression.Value("a")),
		"encrypted":             expression.Name("secret.k").AttributeExists(),
		"which a string":        expression.Name("PK.x").AttributeExists(),
		"Profile does not have": expression.Name("nope.x").AttributeExists(),
		"not a map or struct":   expression.Size(expression.Name("tags.x")).Equal(expression.Value(1)),
		"begins_with":           expression.Name("reactions.heart").BeginsWith("1"),
	}
	for msg, c := range bad {
		err := check(c)
		if !errors.Is(err, ErrInvalidCondition) || !strings.Contains(err.Error(), strings.TrimPrefix(msg, "which ")) {
			t.Errorf("%s: %v", msg, err)
		}
	}
}
