package codec_test

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap/internal/codec"
)

// avOpts lets go-cmp look inside the SDK's attribute value members.
var avOpts = cmpopts.IgnoreUnexported(
	types.AttributeValueMemberS{}, types.AttributeValueMemberN{}, types.AttributeValueMemberB{},
	types.AttributeValueMemberBOOL{}, types.AttributeValueMemberNULL{}, types.AttributeValueMemberL{},
	types.AttributeValueMemberM{}, types.AttributeValueMemberSS{}, types.AttributeValueMemberNS{},
	types.AttributeValueMemberBS{},
)

// allFields compares unexported fields too (both decoders leave them be).
var allFields = cmp.Exporter(func(reflect.Type) bool { return true })

// reference is what attributevalue writes. OmitEmptyTime is the one
// deliberate difference: the codec's omitempty omits a zero time.
func reference(v any) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMapWithOptions(v, func(o *attributevalue.EncoderOptions) { o.OmitEmptyTime = true })
}

// Types covering every supported kind. Tags are given in both vocabularies
// where they differ: the codec reads dynamo, attributevalue dynamodbav.

type Color int

func (c Color) MarshalText() ([]byte, error) { return []byte("c" + strconv.Itoa(int(c))), nil }
func (c *Color) UnmarshalText(b []byte) error {
	i, err := strconv.Atoi(strings.TrimPrefix(string(b), "c"))
	*c = Color(i)
	return err
}

// Upper has value-receiver (un)marshalers: the text upper-cased in S.
type Upper string

func (u Upper) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) {
	return &types.AttributeValueMemberS{Value: strings.ToUpper(string(u))}, nil
}
func (u *Upper) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	if s, ok := av.(*types.AttributeValueMemberS); ok {
		*u = Upper(strings.ToLower(s.Value))
	}
	return nil
}

// Cents has pointer-receiver (un)marshalers: a number written as S "12.34".
type Cents int64

func (c *Cents) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) {
	return &types.AttributeValueMemberS{Value: fmt.Sprintf("%d.%02d", *c/100, *c%100)}, nil
}
func (c *Cents) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	s, ok := av.(*types.AttributeValueMemberS)
	if !ok {
		return fmt.Errorf("want S")
	}
	var a, b int64
	if _, err := fmt.Sscanf(s.Value, "%d.%d", &a, &b); err != nil {
		return err
	}
	*c = Cents(a*100 + b)
	return nil
}

type Address struct {
	Street   string
	City     string `dynamo:"city" dynamodbav:"city"`
	PostCode string `dynamodbav:"post_code"`
}

type Base struct {
	ID      string    `dynamo:"id" dynamodbav:"id"`
	Created time.Time `dynamo:"created,omitempty" dynamodbav:"created,omitempty"`
	Shadow  string    // shadowed by Kitchen.Shadow
}

type Extra struct {
	Note  string `dynamo:"note,omitempty" dynamodbav:"note,omitempty"`
	Level int
}

type Kitchen struct {
	Base
	*Extra
	Shadow string

	S     string `dynamo:"s" dynamodbav:"s"`
	SOmit string `dynamo:",omitempty" dynamodbav:",omitempty"`
	SNull string `dynamo:",nullempty" dynamodbav:",nullempty"`
	Bool  bool   `dynamo:"bool" dynamodbav:"bool"`
	BOmit bool   `dynamo:",omitempty" dynamodbav:",omitempty"`
	I     int
	I8    int8
	I16   int16
	I32   int32
	I64   int64
	IOmit int `dynamo:",omitempty" dynamodbav:",omitempty"`
	IStr  int `dynamo:",string" dynamodbav:",string"`
	U     uint
	U8    uint8
	U16   uint16
	U32   uint32
	U64   uint64
	F32   float32
	F64   float64
	Num   attributevalue.Number

	Bytes     []byte
	BytesOmit []byte `dynamo:",omitempty" dynamodbav:",omitempty"`
	ByteArr   [4]byte
	Arr       [3]int
	EmptyArr  [0]int

	T      time.Time
	TOmit  time.Time  `dynamo:",omitempty" dynamodbav:",omitempty"`
	TUnix  time.Time  `dynamo:",unixtime" dynamodbav:",unixtime"`
	TPtr   *time.Time `dynamo:",omitempty" dynamodbav:",omitempty"`
	TPUnix *time.Time `dynamo:",unixtime,omitempty" dynamodbav:",unixtime,omitempty"`

	PS     *string
	PSOmit *string `dynamo:",omitempty" dynamodbav:",omitempty"`
	PI     *int
	PP     **int
	PAddr  *Address `dynamo:",omitempty" dynamodbav:",omitempty"`

	Strs      []string
	StrsOmit  []string `dynamo:",omitempty" dynamodbav:",omitempty"`
	Ints      []int
	Floats    []float64
	Structs   []Address
	PStructs  []*Address
	Nested    [][]string
	Anys      []any
	BinSet    [][]byte
	StrSet    []string  `dynamo:",set,omitempty" dynamodbav:",stringset,omitempty"`
	IntSet    []int     `dynamo:",set,omitempty" dynamodbav:",numberset,omitempty"`
	FloatSet  []float64 `dynamodbav:",numberset,omitempty"`
	BytesSet  [][]byte  `dynamo:",set,omitempty" dynamodbav:",binaryset,omitempty"`
	OmitElems []string  `dynamo:",omitemptyelem" dynamodbav:",omitemptyelem"`

	Address  Address
	Tagged   Address `dynamo:"addr" dynamodbav:"addr"`
	StrMap   map[string]string
	IntMap   map[string]int
	I64Map   map[string]int64
	FMap     map[string]float64
	BMap     map[string]bool
	PtrMap   map[string]*Address
	ColorMap map[Color]string
	IntKeys  map[int]bool
	AnyMap   map[string]any
	ListMap  map[string][]string
	MapOmit  map[string]int `dynamo:",omitempty" dynamodbav:",omitempty"`

	Any  any
	Up   Upper
	Cost Cents
	PUp  *Upper

	Skip     string `dynamo:"-" dynamodbav:"-"`
	FallBack string `dynamodbav:"fb"`
	private  string
}

func ptr[T any](v T) *T { return &v }

func unsafePtr[T any](p *T) unsafe.Pointer { return unsafe.Pointer(p) }

func full() *Kitchen {
	t := time.Date(2024, 3, 9, 13, 4, 5, 123456789, time.FixedZone("X", 3600))
	n := 7
	pn := &n
	return &Kitchen{
		Base:   Base{ID: "k1", Created: t, Shadow: "hidden"},
		Extra:  &Extra{Note: "n", Level: 3},
		Shadow: "shown",
		S:      "s", SOmit: "o", SNull: "x", Bool: true, BOmit: true,
		I: -1, I8: -8, I16: -16, I32: -32, I64: -1 << 62, IOmit: 5, IStr: 42,
		U: 1, U8: 8, U16: 16, U32: 32, U64: 1<<64 - 1,
		F32: 1.5, F64: -2.25e-7, Num: "12.5",
		Bytes: []byte("hi"), BytesOmit: []byte{}, ByteArr: [4]byte{1, 2, 3, 4}, Arr: [3]int{1, 2, 3},
		T: t, TOmit: t, TUnix: t.Truncate(time.Second), TPtr: &t, TPUnix: ptr(t.Truncate(time.Second)),
		PS: ptr("p"), PSOmit: ptr(""), PI: ptr(0), PP: &pn, PAddr: &Address{City: "Oslo"},
		Strs: []string{"a", "", "c"}, StrsOmit: []string{}, Ints: []int{1, 2}, Floats: []float64{0.5},
		Structs:  []Address{{Street: "x"}},
		PStructs: []*Address{{City: "y"}, nil},
		Nested:   [][]string{{"a"}, {}, nil},
		Anys:     []any{"s", 1.5, true, nil, map[string]any{"k": "v"}, []any{"x"}},
		BinSet:   [][]byte{[]byte("a"), []byte("b")},
		StrSet:   []string{"x", "y"}, IntSet: []int{3, 1}, FloatSet: []float64{1.25}, BytesSet: [][]byte{{0}},
		OmitElems: []string{"a", "", "b"},
		Address:   Address{Street: "Main", City: "Bergen", PostCode: "5003"},
		Tagged:    Address{City: "T"},
		StrMap:    map[string]string{"a": "1", "b": ""},
		IntMap:    map[string]int{"a": 1, "big": 1234567},
		I64Map:    map[string]int64{"min": -1 << 63},
		FMap:      map[string]float64{"pi": 3.14159, "neg": -0.5},
		BMap:      map[string]bool{"t": true, "f": false},
		PtrMap:    map[string]*Address{"home": {City: "H"}, "none": nil},
		ColorMap:  map[Color]string{1: "red", 2: "blue"},
		IntKeys:   map[int]bool{-1: true, 10: false},
		AnyMap:    map[string]any{"n": 2.5, "s": "x", "l": []any{"y", false}},
		ListMap:   map[string][]string{"k": {"v"}},
		MapOmit:   map[string]int{},
		Any:       map[string]any{"deep": []any{1.0}},
		Up:        "shout", Cost: 1234, PUp: ptr(Upper("p")),
		Skip: "never", FallBack: "fb", private: "p",
	}
}

// values is the table of the differential test: each is encoded by the
// codec and by attributevalue, and decoded by both.
func values() map[string]any {
	return map[string]any{
		"full":      full(),
		"zero":      &Kitchen{},
		"nil embed": &Kitchen{Base: Base{ID: "x"}, Extra: nil},
		"empty collections": &Kitchen{
			Strs: []string{}, Ints: []int{}, Structs: []Address{}, StrMap: map[string]string{},
			AnyMap: map[string]any{}, Bytes: []byte{}, Anys: []any{},
		},
		"address":  &Address{Street: "a", City: "b", PostCode: "c"},
		"by value": Address{Street: "v"},
		// Not addressable: attributevalue skips pointer-receiver marshalers.
		"full by value": *full(),
		"floats": &struct {
			A, B, C, D, E float64
			F, G          float32
		}{A: 1e21, B: 1e-7, C: math.Copysign(0, -1), D: 123456789.125, E: 5e-324, F: 123456789, G: 3.4e38},
		"ints": &struct {
			A, B int64
			C    uint64
			D    int8
		}{A: -1 << 63, B: 1<<63 - 1, C: 1<<64 - 1, D: -128},
		"unexported embed": &struct {
			Address
			inner
		}{Address: Address{City: "c"}, inner: inner{Exported: "e"}},
		"map": map[string]any{"a": "b", "n": 1.0},
	}
}

type inner struct{ Exported string }

func TestMarshalMatchesAttributeValue(t *testing.T) {
	for name, v := range values() {
		t.Run(name, func(t *testing.T) {
			want, err := reference(v)
			if err != nil {
				t.Fatal(err)
			}
			got, err := codec.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, avOpts); diff != "" {
				t.Errorf("Marshal differs from attributevalue (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnmarshalMatchesAttributeValue(t *testing.T) {
	for name, v := range values() {
		t.Run(name, func(t *testing.T) {
			item, err := reference(v)
			if err != nil {
				t.Fatal(err)
			}
			typ := reflect.TypeOf(v)
			if typ.Kind() == reflect.Pointer {
				typ = typ.Elem()
			}
			want := reflect.New(typ)
			refErr := attributevalue.UnmarshalMap(item, want.Interface())
			got := reflect.New(typ)
			err = codec.Unmarshal(item, got.Interface())
			if (err == nil) != (refErr == nil) {
				t.Fatalf("Unmarshal error %v, attributevalue error %v", err, refErr)
			}
			if err != nil {
				return // both refuse; what each decoded before stopping may differ
			}
			if diff := cmp.Diff(want.Interface(), got.Interface(), allFields); diff != "" {
				t.Errorf("Unmarshal differs from attributevalue (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	in := full()
	item, err := codec.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Kitchen
	if err := codec.Unmarshal(item, &out); err != nil {
		t.Fatal(err)
	}
	// What does not come back: skipped and unexported fields, a shadowed
	// field, omitted empty elements, NULL elements, a pointer to a pointer.
	want := *in
	want.Skip, want.private, want.Base.Shadow = "", "", ""
	want.OmitElems = []string{"a", "b"}
	want.StrsOmit = []string{}
	want.MapOmit = map[string]int{}
	if diff := cmp.Diff(&want, &out, cmpopts.IgnoreUnexported(Kitchen{})); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestMarshalValue(t *testing.T) {
	for _, v := range []any{nil, "s", 1, 2.5, true, []byte("b"), []string{"a"}, map[string]int{"a": 1},
		map[string]int(nil), []int(nil), time.Unix(0, 0).UTC(), ptr(3), full(), Upper("up"), [][]byte{{1}}} {
		want, err := attributevalue.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := codec.MarshalValue(v)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, avOpts); diff != "" {
			t.Errorf("MarshalValue(%#v) (-want +got):\n%s", v, diff)
		}
	}
}

func TestUnmarshalValue(t *testing.T) {
	for _, av := range []types.AttributeValue{
		&types.AttributeValueMemberS{Value: "s"},
		&types.AttributeValueMemberN{Value: "2.5"},
		&types.AttributeValueMemberBOOL{Value: true},
		&types.AttributeValueMemberNULL{Value: true},
		&types.AttributeValueMemberB{Value: []byte("b")},
		&types.AttributeValueMemberSS{Value: []string{"a"}},
		&types.AttributeValueMemberNS{Value: []string{"1"}},
		&types.AttributeValueMemberBS{Value: [][]byte{{1}}},
		&types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "x"}}},
		&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": &types.AttributeValueMemberN{Value: "1"}}},
	} {
		var want, got any
		if err := attributevalue.Unmarshal(av, &want); err != nil {
			t.Fatal(err)
		}
		if err := codec.UnmarshalValue(av, &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("UnmarshalValue(%s) (-want +got):\n%s", avText(av), diff)
		}
	}
}

func avText(av types.AttributeValue) string {
	b, _ := json.Marshal(av)
	return fmt.Sprintf("%T%s", av, b)
}

func TestDecodeNumbers(t *testing.T) {
	n := func(s string) types.AttributeValue { return &types.AttributeValueMemberN{Value: s} }
	var v struct {
		I8 int8
		U  uint
		F  float32
		T  time.Time
	}
	for _, c := range []struct {
		attr string
		av   types.AttributeValue
		ok   bool
	}{
		{"I8", n("127"), true}, {"I8", n("128"), false}, {"I8", n("1.5"), false},
		{"U", n("-1"), false}, {"U", n("18446744073709551615"), true},
		{"F", n("1e39"), false}, {"F", n("1.5"), true},
		{"T", n("1700000000"), true}, {"T", n("1.5"), false},
		{"T", &types.AttributeValueMemberS{Value: "2024-01-02T03:04:05.5Z"}, true},
		{"T", &types.AttributeValueMemberBOOL{}, false},
	} {
		item := map[string]types.AttributeValue{c.attr: c.av}
		err := codec.Unmarshal(item, &v)
		refErr := attributevalue.UnmarshalMap(item, &v)
		if (err == nil) != c.ok || (refErr == nil) != c.ok {
			t.Errorf("%s = %s: err %v, attributevalue %v; want ok=%v", c.attr, avText(c.av), err, refErr, c.ok)
		}
	}
}

func TestUnixTime(t *testing.T) {
	ts := time.Unix(1700000000, 0)
	v := struct {
		TTL time.Time `dynamo:"ttl,unixtime,omitempty"`
	}{ts}
	item, err := codec.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]types.AttributeValue{"ttl": &types.AttributeValueMemberN{Value: "1700000000"}}
	if diff := cmp.Diff(want, item, avOpts); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	v.TTL = time.Time{}
	if item, _ = codec.Marshal(v); len(item) != 0 {
		t.Errorf("zero unixtime with omitempty: got %s, want it omitted", avText(item["ttl"]))
	}
}

func TestTagFallback(t *testing.T) {
	type T struct {
		A string `dynamo:"a" dynamodbav:"not_a"`
		B string `dynamodbav:"b"`
		C string
		D string `dynamo:"-" dynamodbav:"d"`
		E string `dynamo:",omitempty,version,ttl" dynamodbav:"e"`
	}
	s, err := codec.StructOf(reflect.TypeFor[T]())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range s.Fields {
		names = append(names, f.Name)
	}
	if diff := cmp.Diff([]string{"a", "b", "C", "E"}, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	e := s.Field("E")
	if !e.OmitEmpty || !e.HasOption("version") || !cmp.Equal(e.Options, []string{"omitempty", "version", "ttl"}) {
		t.Errorf("E: OmitEmpty %v, Options %q", e.OmitEmpty, e.Options)
	}
	if s.Field("D") != nil || s.Field("d") != nil {
		t.Error("D is skipped by its dynamo tag")
	}
}

func TestFieldAccess(t *testing.T) {
	type Inner struct{ Deep int }
	type T struct {
		*Inner
		Name string `dynamo:"name"`
	}
	s, err := codec.StructOf(reflect.TypeFor[T]())
	if err != nil {
		t.Fatal(err)
	}
	var v T
	f := s.Field("Deep")
	if err := f.Unmarshal(&types.AttributeValueMemberN{Value: "4"}, f.Value(unsafePtr(&v))); err != nil {
		t.Fatal(err)
	}
	if v.Inner == nil || v.Deep != 4 {
		t.Fatalf("Deep not set through the embedded pointer: %+v", v)
	}
	av, err := s.Field("name").Marshal(reflect.ValueOf("ann"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&types.AttributeValueMemberS{Value: "ann"}, av, avOpts); diff != "" {
		t.Error(diff)
	}
	item, err := s.MarshalPtr(unsafePtr(&v))
	if err != nil {
		t.Fatal(err)
	}
	var back T
	if err := s.UnmarshalPtr(item, unsafePtr(&back)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v, back); diff != "" {
		t.Error(diff)
	}
}

func TestAttributeValuePassThrough(t *testing.T) {
	type T struct {
		Raw  types.AttributeValue
		S    *types.AttributeValueMemberS
		None types.AttributeValue `dynamo:",omitempty"`
	}
	in := T{Raw: &types.AttributeValueMemberNS{Value: []string{"1"}}, S: &types.AttributeValueMemberS{Value: "s"}}
	item, err := codec.Marshal(&in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]types.AttributeValue{"Raw": in.Raw, "S": in.S}
	if diff := cmp.Diff(want, item, avOpts); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var out T
	if err := codec.Unmarshal(item, &out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out, avOpts); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCaseInsensitiveAttributes(t *testing.T) {
	var got, want Address
	item := map[string]types.AttributeValue{"street": &types.AttributeValueMemberS{Value: "s"}, "City": &types.AttributeValueMemberS{Value: "c"}}
	if err := codec.Unmarshal(item, &got); err != nil {
		t.Fatal(err)
	}
	if err := attributevalue.UnmarshalMap(item, &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-attributevalue +codec):\n%s", diff)
	}
}

type Profile struct {
	Name    string
	Address struct {
		PostCode string
	}
}

func TestErrorsNameTypeAndPath(t *testing.T) {
	type BadAddress struct{ PostCode chan int }
	type BadProfile struct{ Address BadAddress }
	type Fn struct{ F func() }
	type Cx struct{ C []complex128 }
	type SetOfBools struct {
		B []bool `dynamo:",set"`
	}
	type UnixString struct {
		S string `dynamo:",unixtime"`
	}
	type Twice struct {
		A string `dynamo:"x"`
		B string `dynamo:"x"`
	}
	for _, c := range []struct {
		v    any
		want string
	}{
		{&BadProfile{}, "BadProfile.Address.PostCode: cannot store chan int"},
		{&Fn{}, "Fn.F: cannot store func()"},
		{&Cx{}, "Cx.C: cannot store complex128"},
		{&SetOfBools{}, "SetOfBools.B: tag dynamo:\",set\": set elements must be strings, numbers or []byte"},
		{&UnixString{}, "UnixString.S: tag dynamo:\",unixtime\": unixtime needs a time.Time"},
		{&Twice{}, `Twice.B: attribute name "x" is also used by field A`},
		{&struct{ F float64 }{F: nanf()}, ".F: cannot encode NaN"},
		{&struct {
			L []float32
		}{L: []float32{1, float32(infinity())}}, ".L[1]: cannot encode +Inf"},
		{&struct {
			M map[string]float64
		}{M: map[string]float64{"k": nanf()}}, `.M["k"]: cannot encode NaN`},
		{&struct {
			S []string `dynamo:",set"`
		}{S: []string{}}, ".S: cannot encode an empty []string as a set"},
		{&struct{ T time.Time }{T: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, ".T: cannot encode 10000-01-01T00:00:00Z: RFC3339 needs a year from 0 to 9999"},
	} {
		_, err := codec.Marshal(c.v)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Marshal(%T): error %v, want it to contain %q", c.v, err, c.want)
		}
		if _, ok := err.(*codec.Error); !ok {
			t.Errorf("Marshal(%T): error is %T, want *codec.Error", c.v, err)
		}
	}

	item := map[string]types.AttributeValue{"Address": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"PostCode": &types.AttributeValueMemberBOOL{Value: true},
	}}}
	var p Profile
	err := codec.Unmarshal(item, &p)
	if want := "tablemap: Profile.Address.PostCode: cannot decode BOOL into string"; err == nil || err.Error() != want {
		t.Errorf("Unmarshal error %v, want %q", err, want)
	}
}

func nanf() float64     { return infinity() - infinity() }
func infinity() float64 { f := 1e308; return f * 10 }

func TestEmptySetOmitted(t *testing.T) {
	v := struct {
		S []string `dynamo:",set,omitempty"`
	}{S: []string{}}
	item, err := codec.Marshal(v)
	if err != nil || len(item) != 0 {
		t.Errorf("got %v, %v; want an empty item", item, err)
	}
}

func TestPlanCached(t *testing.T) {
	a, err := codec.StructOf(reflect.TypeFor[Kitchen]())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := codec.StructOf(reflect.TypeFor[Kitchen]())
	if a != b {
		t.Error("StructOf compiled the plan twice")
	}
	if _, err := codec.Marshal(full()); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(10, func() { _, _ = codec.StructOf(reflect.TypeFor[Kitchen]()) }); n != 0 {
		t.Errorf("StructOf on a cached type allocates %v times", n)
	}
}

type Node struct {
	Name     string
	Children []Node
	Next     *Node `dynamo:",omitempty" dynamodbav:",omitempty"`
}

func TestRecursiveType(t *testing.T) {
	in := &Node{Name: "a", Children: []Node{{Name: "b"}}, Next: &Node{Name: "c"}}
	want, _ := reference(in)
	got, err := codec.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, avOpts); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var out Node
	if err := codec.Unmarshal(got, &out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, &out, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Versioned encodes itself: the whole item comes from its Marshaler.
type Versioned struct{ V int }

func (v *Versioned) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) {
	return &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"v": &types.AttributeValueMemberN{Value: strconv.Itoa(v.V)},
	}}, nil
}

func (v *Versioned) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	m, ok := av.(*types.AttributeValueMemberM)
	if !ok {
		return fmt.Errorf("want M")
	}
	n, err := strconv.Atoi(m.Value["v"].(*types.AttributeValueMemberN).Value)
	v.V = n
	return err
}

func TestStructMarshaler(t *testing.T) {
	in := &Versioned{V: 3}
	want, err := reference(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := codec.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, avOpts); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var out Versioned
	if err := codec.Unmarshal(got, &out); err != nil || out.V != 3 {
		t.Errorf("Unmarshal: %+v, %v", out, err)
	}
}

func TestConcurrentFirstUse(t *testing.T) {
	type Fresh struct {
		A string
		B []int
		C map[string]*Address
	}
	in := &Fresh{A: "a", B: []int{1}, C: map[string]*Address{"x": {City: "c"}}}
	want, _ := reference(in)
	done := make(chan error)
	for range 8 {
		go func() {
			got, err := codec.Marshal(in)
			if err == nil && !cmp.Equal(want, got, avOpts) {
				err = fmt.Errorf("differs: %s", cmp.Diff(want, got, avOpts))
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
