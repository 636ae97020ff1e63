package codec

import (
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

type onePtr struct{ P *int }

type valueFields struct {
	S      string            `dynamo:"s"`
	SE     string            `dynamo:"se,omitempty"`
	I      int               `dynamo:"i"`
	I8     int8              `dynamo:"i8"`
	U64    uint64            `dynamo:"u64"`
	F      float64           `dynamo:"f"`
	B      bool              `dynamo:"b"`
	Bs     []byte            `dynamo:"bs"`
	T      time.Time         `dynamo:"t"`
	L      []string          `dynamo:"l"`
	Set    []string          `dynamo:"set,set"`
	M      map[string]int    `dynamo:"m"`
	P      *int              `dynamo:"p"`
	One    onePtr            `dynamo:"one"`
	Arr1   [1]*int           `dynamo:"arr1"`
	Arr2   [2]int            `dynamo:"arr2"`
	Empty  struct{}          `dynamo:"empty"`
	Nested map[string]string `dynamo:"nested"`
}

// TestValueEncoderAgrees checks that a ValueEncoder, through MarshalAny or
// Marshal, encodes every kind of value as Field.Marshal does, and that
// MarshalAny declines the types an interface holds directly.
func TestValueEncoderAgrees(t *testing.T) {
	st, err := StructOf(reflect.TypeFor[valueFields]())
	if err != nil {
		t.Fatal(err)
	}
	n := 123456789
	values := map[string][]any{
		"s":      {"", "ann", "ünï"},
		"se":     {"", "x"},
		"i":      {0, 7, -12345678901, 99, 100},
		"i8":     {int8(-3)},
		"u64":    {uint64(1 << 63)},
		"f":      {1.5, 0.0, -2e300},
		"b":      {true, false},
		"bs":     {[]byte{}, []byte("abc"), []byte(nil)},
		"t":      {time.Date(2026, 11, 30, 5, 6, 7, 8, time.UTC), time.Time{}},
		"l":      {[]string{"a", "b"}, []string(nil)},
		"set":    {[]string{"a", "b"}},
		"m":      {map[string]int{"a": 1}},
		"p":      {&n, (*int)(nil)},
		"one":    {onePtr{&n}},
		"arr1":   {[1]*int{&n}},
		"arr2":   {[2]int{1, 2}},
		"empty":  {struct{}{}},
		"nested": {map[string]string{"k": "v"}},
	}
	direct := map[string]bool{"m": true, "p": true, "one": true, "arr1": true, "nested": true}
	var enc ValueEncoder // one for all: values must not share text
	var got, want []types.AttributeValue
	for name, vs := range values {
		f := st.Field(name)
		if f == nil {
			t.Fatalf("no field %q", name)
		}
		for _, x := range vs {
			w, werr := f.Marshal(reflect.ValueOf(x))
			av, ok, err := enc.MarshalAny(f, x)
			if ok == direct[name] {
				t.Errorf("%s %#v: MarshalAny ok = %v", name, x, ok)
			}
			if !ok {
				v := reflect.New(f.Type).Elem()
				v.Set(reflect.ValueOf(x))
				av, err = enc.Marshal(f, v)
			}
			if (err != nil) != (werr != nil) {
				t.Errorf("%s %#v: error %v, want %v", name, x, err, werr)
			}
			got, want = append(got, av), append(want, w)
		}
	}
	if diff := cmp.Diff(want, got, cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
		t.Errorf("(-Field.Marshal +ValueEncoder):\n%s", diff)
	}
	if _, ok, _ := enc.MarshalAny(st.Field("i"), int64(1)); ok {
		t.Error("MarshalAny took an int64 for an int field")
	}
}

type flatFields struct {
	S     string     `dynamo:"s"`
	SP    *string    `dynamo:"sp"`
	I     int        `dynamo:"i"`
	IStr  int        `dynamo:"istr,string"`
	U     uint32     `dynamo:"u"`
	F     float64    `dynamo:"f"`
	F32   float32    `dynamo:"f32"`
	B     bool       `dynamo:"b"`
	T     time.Time  `dynamo:"t"`
	TUnix time.Time  `dynamo:"tunix,unixtime"`
	TP    *time.Time `dynamo:"tp,omitempty"`
	Bs    []byte     `dynamo:"bs"`
	PP    **int      `dynamo:"pp"`
	Any   any        `dynamo:"any"`
}

// TestFlatFieldsEncodeAsInItems checks that the fields encoded with no
// state (Field.flat) are those that need none, and that each encodes as it
// does in an item, whose encoder has a state: numbers and times of every
// length, which a state would format into its arena.
func TestFlatFieldsEncodeAsInItems(t *testing.T) {
	st, err := StructOf(reflect.TypeFor[flatFields]())
	if err != nil {
		t.Fatal(err)
	}
	var gotFlat []string
	for _, f := range st.Fields {
		if f.flat {
			gotFlat = append(gotFlat, f.Name)
		}
	}
	wantFlat := []string{"s", "sp", "i", "istr", "u", "f", "f32", "b", "t", "tunix", "tp"}
	if diff := cmp.Diff(wantFlat, gotFlat); diff != "" {
		t.Errorf("flat fields (-want +got):\n%s", diff)
	}
	s, n := "ünï", 7
	pn := &n
	tm := time.Date(2026, 11, 30, 5, 6, 7, 123456789, time.FixedZone("x", 3600))
	for _, v := range []flatFields{
		{S: "a", SP: &s, I: 12345678901, IStr: -400, U: 4e9, F: 1.0 / 3, F32: 2.5e-7, B: true, T: tm, TUnix: tm, TP: &tm, PP: &pn},
		{I: 99, IStr: 100, F: -2e300, F32: 1 << 23, T: time.Time{}, TUnix: tm.Add(-1e18)},
	} {
		item, err := st.MarshalPtr(unsafe.Pointer(&v))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range st.Fields {
			if !f.flat {
				continue
			}
			var enc ValueEncoder
			av, err := enc.Marshal(f, reflect.ValueOf(&v).Elem().FieldByIndex(f.Index))
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			if diff := cmp.Diff(item[f.Name], av, cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
				t.Errorf("%s (-in the item +alone):\n%s", f.Name, diff)
			}
			if enc.st != nil {
				t.Errorf("%s: the encoder allocated a state for a flat value", f.Name)
			}
		}
	}
}

type flatItemOne struct {
	A, B string
	On   bool
	At   time.Time `dynamo:"at"`
}

type flatItemTwo struct {
	A  string
	N  int
	At time.Time
}

type flatItemList struct {
	A string
	L []string
}

// TestFlatItemsEncodeAsWithAState checks which structs encode alone with
// no state (Struct.flat: flat fields, at most one of which formats text),
// and that such an item encodes as it does with an Encoder's state.
func TestFlatItemsEncodeAsWithAState(t *testing.T) {
	for _, tt := range []struct {
		typ  reflect.Type
		flat bool
	}{
		{reflect.TypeFor[flatItemOne](), true},
		{reflect.TypeFor[flatItemTwo](), false},
		{reflect.TypeFor[flatItemList](), false},
	} {
		st, err := StructOf(tt.typ)
		if err != nil {
			t.Fatal(err)
		}
		if st.flat != tt.flat {
			t.Errorf("%s: flat %v, want %v", tt.typ, st.flat, tt.flat)
		}
	}
	st, err := StructOf(reflect.TypeFor[flatItemOne]())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []flatItemOne{
		{A: "a", B: "ü", On: true, At: time.Date(2026, 11, 30, 5, 6, 7, 123456789, time.FixedZone("x", -7200))},
		{},
	} {
		alone, err := st.MarshalPtr(unsafe.Pointer(&v))
		if err != nil {
			t.Fatal(err)
		}
		var enc Encoder
		with, _, err := st.MarshalPtrSized(&enc, unsafe.Pointer(&v), 0)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(with, alone, cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
			t.Errorf("(-with a state +alone):\n%s", diff)
		}
	}
}
