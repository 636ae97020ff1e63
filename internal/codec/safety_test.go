package codec_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap/internal/codec"
)

// Slug has pointer-receiver (un)marshalers on a string type: the case the
// plain-string fast paths used to miss.
type Slug string

func (s *Slug) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) {
	return &types.AttributeValueMemberS{Value: "slug:" + string(*s)}, nil
}
func (s *Slug) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	x, ok := av.(*types.AttributeValueMemberS)
	if !ok {
		return fmt.Errorf("want S, got %T", av)
	}
	*s = Slug(strings.TrimPrefix(x.Value, "slug:"))
	return nil
}

type Slugs struct {
	List  []Slug
	Arr   [2]Slug
	Map   map[string]Slug
	Set   []Slug  `dynamo:",stringset" dynamodbav:",stringset"`
	Ptrs  []*Slug `dynamo:",omitempty" dynamodbav:",omitempty"`
	Cents []Cents `dynamo:",omitempty" dynamodbav:",omitempty"`
}

func slugs() Slugs {
	a := Slug("p")
	return Slugs{
		List: []Slug{"a", "b"}, Arr: [2]Slug{"c", "d"}, Map: map[string]Slug{"k": "m"},
		Set: []Slug{"s", "t"}, Ptrs: []*Slug{&a}, Cents: []Cents{1234, 5},
	}
}

// TestElementMarshalersMatchAttributeValue: slice, array, map and set
// elements whose type has pointer-receiver (un)marshalers are written and
// read as attributevalue writes and reads them. attributevalue calls a
// pointer-receiver Marshaler on slice elements and on the elements of an
// addressable array, never on map values.
func TestElementMarshalersMatchAttributeValue(t *testing.T) {
	v := slugs()
	for name, in := range map[string]any{"pointer": &v, "value": v, "slice": []Slug{"x"}, "array": [1]Slug{"y"}} {
		t.Run(name, func(t *testing.T) {
			want, err := attributevalue.Marshal(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := codec.MarshalValue(in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, avOpts); diff != "" {
				t.Errorf("MarshalValue differs from attributevalue (-want +got):\n%s", diff)
			}
		})
	}

	// Same wire, same Go value. attributevalue's default hands a whole set
	// to the first element's Unmarshaler (and fails here); the codec
	// decodes set elements one by one, as attributevalue does with
	// FixUnmarshalIndividualSetValues.
	item, err := attributevalue.MarshalMap(&v)
	if err != nil {
		t.Fatal(err)
	}
	var want, got Slugs
	if err := attributevalue.UnmarshalMapWithOptions(item, &want, func(o *attributevalue.DecoderOptions) {
		o.FixUnmarshalIndividualSetValues = true
	}); err != nil {
		t.Fatal(err)
	}
	if err := codec.Unmarshal(item, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Unmarshal differs from attributevalue (-want +got):\n%s", diff)
	}
}

// TestSetsIntoSlicesMatchAttributeValue: number sets decode into string
// slices, and empty sets and lists into any slice, as in attributevalue.
func TestSetsIntoSlicesMatchAttributeValue(t *testing.T) {
	avs := map[string]types.AttributeValue{
		"NS":       &types.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
		"empty BS": &types.AttributeValueMemberBS{},
		"empty NS": &types.AttributeValueMemberNS{Value: []string{}},
		"empty SS": &types.AttributeValueMemberSS{},
		"empty L":  &types.AttributeValueMemberL{},
		"BS":       &types.AttributeValueMemberBS{Value: [][]byte{{1}}},
	}
	targets := map[string]func() any{
		"[]string":  func() any { return new([]string) },
		"[2]string": func() any { return new([2]string) },
		"[]Slug":    func() any { return new([]Slug) },
		"[][]byte":  func() any { return new([][]byte) },
		"[]byte":    func() any { return new([]byte) },
		"[]int":     func() any { return new([]int) },
		"any":       func() any { return new(any) },
	}
	for an, av := range avs {
		for tn, target := range targets {
			t.Run(an+" into "+tn, func(t *testing.T) {
				want, got := target(), target()
				refErr := attributevalue.UnmarshalWithOptions(av, want, func(o *attributevalue.DecoderOptions) {
					o.FixUnmarshalIndividualSetValues = true
				})
				err := codec.UnmarshalValue(av, got)
				if (err == nil) != (refErr == nil) {
					t.Fatalf("UnmarshalValue error %v, attributevalue error %v", err, refErr)
				}
				if err != nil {
					return
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("UnmarshalValue differs from attributevalue (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func isInvalid(t *testing.T, err error, path string) {
	t.Helper()
	var ce *codec.Error
	if !errors.Is(err, codec.ErrInvalidValue) || !errors.As(err, &ce) {
		t.Fatalf("error %v, want a *codec.Error wrapping ErrInvalidValue", err)
	}
	if ce.Path != path {
		t.Errorf("error %q names path %q, want %q", err, ce.Path, path)
	}
}

// nilS is a typed nil member: the SDK's serializer dereferences it.
var nilS *types.AttributeValueMemberS

// Returns is a Marshaler returning whatever it holds.
type Returns struct{ AV types.AttributeValue }

func (r Returns) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) { return r.AV, nil }

// TestNilMembers: a nil *types.AttributeValueMember… never panics. As a
// field or interface value it is NULL, as attributevalue writes it; inside
// a passed-through value, from a Marshaler or in an item to decode (where
// attributevalue panics) it is an error naming where it is.
func TestNilMembers(t *testing.T) {
	type Pass struct {
		AV  types.AttributeValue
		Any any
	}
	in := Pass{AV: nilS, Any: nilS}
	want, err := attributevalue.MarshalMap(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := codec.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, avOpts); diff != "" {
		t.Errorf("Marshal differs from attributevalue (-want +got):\n%s", diff)
	}

	nested := &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "a"}, nilS}}
	_, err = codec.Marshal(Pass{AV: nested})
	isInvalid(t, err, "AV[1]")
	_, err = codec.Marshal(map[string]any{"m": map[string]any{"k": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"x": nilS}}}})
	isInvalid(t, err, `["m"]["k"]["x"]`)
	_, err = codec.Marshal(struct{ R Returns }{Returns{nilS}})
	isInvalid(t, err, "R")
	_, err = codec.Marshal(struct{ R []Returns }{[]Returns{{}, {&types.AttributeValueMemberL{Value: []types.AttributeValue{nil}}}}})
	isInvalid(t, err, "R[1][0]")

	item := map[string]types.AttributeValue{"List": &types.AttributeValueMemberL{Value: []types.AttributeValue{nilS}}}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("attributevalue no longer panics on a nil member: update the docs")
			}
		}()
		var ref Slugs
		_ = attributevalue.UnmarshalMap(item, &ref)
	}()
	var s Slugs
	isInvalid(t, codec.Unmarshal(item, &s), "List[0]")
	var x any
	isInvalid(t, codec.UnmarshalValue(item["List"], &x), "[0]")
	var str string
	isInvalid(t, codec.UnmarshalValue(nilS, &str), "")
	plan, err := codec.StructOf(reflect.TypeFor[Slugs]())
	if err != nil {
		t.Fatal(err)
	}
	f := plan.Field("Map")
	isInvalid(t, f.Unmarshal(&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": nilS}}, f.Value(reflect.ValueOf(&s).UnsafePointer())), `Map["k"]`)
}

// TestNilInnerPointer: a **T whose inner pointer is nil is NULL (omitted
// with omitempty,omitemptyelem) whether or not T has a Marshaler, as
// attributevalue writes it for a T without one; attributevalue calls the
// Marshaler on the nil pointer and panics.
func TestNilInnerPointer(t *testing.T) {
	var slug *Slug
	var up *Upper
	var n *int
	type PP struct {
		Slug     **Slug
		Upper    **Upper
		Int      **int
		OmitSlug **Slug `dynamo:",omitempty,omitemptyelem" dynamodbav:",omitempty,omitemptyelem"`
		OmitInt  **int  `dynamo:",omitempty,omitemptyelem" dynamodbav:",omitempty,omitemptyelem"`
	}
	got, err := codec.Marshal(PP{&slug, &up, &n, &slug, &n})
	if err != nil {
		t.Fatal(err)
	}
	// attributevalue's output for the same shape without Marshalers.
	want, err := attributevalue.MarshalMap(struct {
		Slug, Upper, Int, OmitSlug, OmitInt **int `dynamodbav:",omitempty,omitemptyelem"`
	}{&n, &n, &n, &n, &n})
	if err != nil {
		t.Fatal(err)
	}
	want["Slug"], want["Upper"], want["Int"] = &types.AttributeValueMemberNULL{Value: true}, &types.AttributeValueMemberNULL{Value: true}, &types.AttributeValueMemberNULL{Value: true}
	if diff := cmp.Diff(want, got, avOpts); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
}

// TestCyclicValues: a value that holds itself is an error, not the fatal
// stack overflow attributevalue dies of.
func TestCyclicValues(t *testing.T) {
	n := &Node{Name: "a"}
	n.Next = n
	m := map[string]any{}
	m["self"] = m
	l := []any{nil}
	l[0] = l
	var x any
	x = &x
	for name, v := range map[string]any{"pointer": n, "map": m, "slice": l, "interface": &x} {
		t.Run(name, func(t *testing.T) {
			_, err := codec.MarshalValue(v)
			if !errors.Is(err, codec.ErrInvalidValue) || !strings.Contains(err.Error(), "deeper than") {
				t.Fatalf("error %v, want ErrInvalidValue for nesting", err)
			}
			if len(err.Error()) > 300 {
				t.Errorf("error of %d bytes, want the path elided: %s", len(err.Error()), err)
			}
		})
	}
	// A deep but finite value still encodes as attributevalue writes it.
	deep := &Node{Name: "0"}
	for i := 1; i < 40; i++ {
		deep = &Node{Name: fmt.Sprint(i), Next: deep}
	}
	want, err := attributevalue.Marshal(deep)
	if err != nil {
		t.Fatal(err)
	}
	got, err := codec.MarshalValue(deep)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, avOpts); diff != "" {
		t.Errorf("MarshalValue (-want +got):\n%s", diff)
	}
}

// TestInvalidUTF8: a string the SDK would send with U+FFFD in place of bad
// bytes is an error naming where it is, wherever it sits (attributevalue
// writes it).
func TestInvalidUTF8(t *testing.T) {
	const bad = "ok\xffno"
	type Inner struct{ Note string }
	type Doc struct {
		S      string
		Inner  Inner
		List   []string
		Set    []string `dynamo:",set"`
		Map    map[string]string
		MapAny map[string]any
		Any    any
		Int    map[string]int
		Slugs  []Slug
		R      Returns
		AV     types.AttributeValue
		Keyed  map[Color]string
	}
	cases := map[string]struct {
		doc  Doc
		path string
	}{
		"field":           {Doc{S: bad}, "S"},
		"nested field":    {Doc{Inner: Inner{Note: bad}}, "Inner.Note"},
		"list":            {Doc{List: []string{"a", bad}}, "List[1]"},
		"set":             {Doc{Set: []string{"a", bad}}, "Set[1]"},
		"map value":       {Doc{Map: map[string]string{"k": bad}}, `Map["k"]`},
		"map key":         {Doc{Map: map[string]string{bad: "v"}}, "Map"},
		"int map key":     {Doc{Int: map[string]int{bad: 1}}, "Int"},
		"any map value":   {Doc{MapAny: map[string]any{"k": []any{bad}}}, `MapAny["k"][0]`},
		"interface":       {Doc{Any: bad}, "Any"},
		"marshaler":       {Doc{Slugs: []Slug{bad}}, "Slugs[0]"},
		"value marshaler": {Doc{R: Returns{&types.AttributeValueMemberS{Value: bad}}}, "R"},
		"pass-through":    {Doc{AV: &types.AttributeValueMemberSS{Value: []string{bad}}}, "AV[0]"},
		"pass-through M":  {Doc{AV: &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{bad: nil}}}, "AV"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := attributevalue.MarshalMap(c.doc); err != nil && name != "pass-through" && name != "pass-through M" {
				t.Fatalf("attributevalue refuses it too (%v): the test no longer shows a difference", err)
			}
			_, err := codec.Marshal(&c.doc)
			isInvalid(t, err, c.path)
			if !strings.Contains(err.Error(), "UTF-8") {
				t.Errorf("error %q does not say UTF-8", err)
			}
		})
	}
	// An attribute name from a tag.
	typ := reflect.StructOf([]reflect.StructField{{Name: "X", Type: reflect.TypeFor[string](), Tag: `dynamo:"a\xff"`}})
	_, err := codec.StructOf(typ)
	isInvalid(t, err, "X")
	// Valid UTF-8 of every width still passes.
	if _, err := codec.Marshal(&Doc{S: "é€😀", List: []string{"日本"}, Map: map[string]string{"ключ": "ü"}}); err != nil {
		t.Fatal(err)
	}
}
