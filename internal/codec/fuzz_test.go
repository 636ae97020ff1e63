package codec_test

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap/internal/codec"
)

type FuzzInner struct {
	Name  string `dynamo:"name" dynamodbav:"name"`
	Count int    `dynamo:",omitempty" dynamodbav:",omitempty"`
	Tags  []string
}

// Fuzzed holds every supported kind; FuzzCodec fills it from fuzzed input.
type Fuzzed struct {
	S     string
	SOmit string `dynamo:",omitempty" dynamodbav:",omitempty"`
	SP    *string
	B     bool
	I     int
	I8    int8
	I16   int16
	I32   int32
	I64   int64 `dynamo:"i64" dynamodbav:"i64"`
	IOmit int   `dynamo:",omitempty" dynamodbav:",omitempty"`
	U     uint
	U8    uint8
	U16   uint16
	U32   uint32
	U64   uint64
	F32   float32
	F64   float64
	FP    *float64 `dynamo:",omitempty" dynamodbav:",omitempty"`

	Bytes []byte
	Arr   [2]int
	BArr  [3]byte

	T     time.Time
	TUnix time.Time  `dynamo:",unixtime" dynamodbav:",unixtime"`
	TOmit time.Time  `dynamo:",omitempty" dynamodbav:",omitempty"`
	TP    *time.Time `dynamo:",omitempty" dynamodbav:",omitempty"`

	Strs   []string
	Ints   []int64
	Floats []float32
	Bins   [][]byte
	StrSet []string `dynamo:",set,omitempty" dynamodbav:",stringset,omitempty"`
	NumSet []uint16 `dynamo:",set,omitempty" dynamodbav:",numberset,omitempty"`

	StrMap   map[string]string
	IntMap   map[string]int
	KeyMap   map[int8]string
	InnerMap map[string]FuzzInner

	Inner  FuzzInner
	PInner *FuzzInner
	Inners []FuzzInner
	Any    any
	Up     Upper
	Slugs  []Slug  // pointer-receiver (un)marshalers on elements
	SlugA  [2]Slug // the same in an addressable array
}

func build(s string, i int64, u uint64, f float64, b bool, raw []byte, sec, nsec int64) *Fuzzed {
	parts := strings.Split(s, ",")
	// Years 1 to 9999: RFC3339 has four-digit years.
	const lo, span = -62135596800, 253402300800 + 62135596800
	sec = lo + (sec%span+span)%span
	zone := time.FixedZone("", int(i%(14*60))*60)
	t := time.Unix(sec, (nsec%1e9+1e9)%1e9).In(zone)

	v := &Fuzzed{
		S: s, B: b,
		I: int(i), I8: int8(i), I16: int16(i), I32: int32(i), I64: i,
		U: uint(u), U8: uint8(u), U16: uint16(u), U32: uint32(u), U64: u,
		F32: float32(f), F64: f,
		Bytes: raw, Arr: [2]int{int(i), -int(i)},
		T: t, TUnix: time.Unix(sec, 0), TP: &t,
		Strs: parts, Ints: []int64{i, int64(u)}, Floats: []float32{float32(f)},
		Inner:  FuzzInner{Name: s, Count: int(u % 7), Tags: parts},
		Inners: []FuzzInner{{Name: parts[0]}},
		Up:     Upper(strings.ToLower(s)),
		Slugs:  []Slug{Slug(s)},
		SlugA:  [2]Slug{Slug(parts[0])},
	}
	copy(v.BArr[:], raw)
	if b {
		v.SOmit, v.IOmit, v.TOmit = s, int(i), t
		v.SP, v.FP = &s, &f
		v.PInner = &FuzzInner{Name: "p", Tags: []string{}}
		v.Any = map[string]any{"s": s, "f": f, "l": []any{b, s}}
	} else {
		v.Any = s
	}
	if len(raw) > 0 {
		v.Bins = [][]byte{raw, raw[:len(raw)/2]}
		v.StrSet = parts
		v.NumSet = []uint16{uint16(u), uint16(len(raw))}
		v.StrMap = map[string]string{}
		v.IntMap = map[string]int{}
		v.InnerMap = map[string]FuzzInner{}
		v.KeyMap = map[int8]string{int8(raw[0]): s}
		for _, p := range parts {
			v.StrMap[p] = s
			v.IntMap[p] = len(p)
			v.InnerMap[p] = FuzzInner{Name: p}
		}
	}
	return v
}

// storable reports whether v holds only values the codec writes, unlike
// attributevalue: finite numbers, times with four-digit years, strings of
// valid UTF-8.
func storable(v *Fuzzed) bool {
	if !utf8.ValidString(v.S) {
		return false
	}
	for _, f := range []float64{v.F64, float64(v.F32)} {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	for _, t := range []time.Time{v.T, v.TOmit} {
		if y := t.Year(); y < 0 || y > 9999 {
			return false
		}
	}
	return true
}

// FuzzCodec checks, for fuzzed values of a struct holding every supported
// kind, that the codec writes what attributevalue writes, and reads back
// what attributevalue reads and what was written.
func FuzzCodec(f *testing.F) {
	f.Add("ann", int64(42), uint64(7), 1.5, true, []byte("x"), int64(1700000000), int64(123456789))
	f.Add("", int64(0), uint64(0), 0.0, false, []byte(nil), int64(0), int64(0))
	f.Add("a,b,,c", int64(-1), uint64(math.MaxUint64), math.Copysign(0, -1), true, []byte{0, 255}, int64(-62135596800), int64(1))
	f.Add("ünï,\xff", int64(math.MinInt64), uint64(1<<63), 1e300, false, []byte("hello"), int64(253402300799), int64(999999999))
	f.Add("nan", int64(1), uint64(1), math.NaN(), true, []byte("n"), int64(1), int64(1))
	f.Add("inf", int64(1), uint64(1), math.Inf(-1), false, []byte{}, int64(1), int64(1))
	f.Add("big32", int64(1), uint64(1), 1e39, false, []byte{1}, int64(1), int64(1))
	f.Add("tiny", int64(1), uint64(1), 5e-324, true, []byte{1}, int64(1), int64(1))
	f.Add("ok,\xff", int64(2), uint64(2), 2.5, true, []byte("u"), int64(2), int64(2))
	f.Add("k,k", int64(7), uint64(3), 123456789.125, true, []byte("dup"), int64(86400), int64(5))

	f.Fuzz(func(t *testing.T, s string, i int64, u uint64, fl float64, b bool, raw []byte, sec, nsec int64) {
		v := build(s, i, u, fl, b, raw, sec, nsec)
		got, err := codec.Marshal(v)
		if !storable(v) {
			if err == nil {
				t.Fatalf("Marshal of a NaN, an infinity, a five-digit year or invalid UTF-8 succeeded")
			}
			return
		}
		want, refErr := reference(v)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("Marshal error %v, attributevalue error %v", err, refErr)
		}
		if err != nil {
			return // both refuse, e.g. an empty map key
		}
		if diff := cmp.Diff(want, got, avOpts); diff != "" {
			t.Fatalf("Marshal differs from attributevalue (-want +got):\n%s", diff)
		}
		// A batch's Encoder, its values from blocks, encodes it alike,
		// after other items too.
		st, err := codec.StructOf(reflect.TypeFor[Fuzzed]())
		if err != nil {
			t.Fatal(err)
		}
		var enc codec.Encoder
		for range 2 {
			pooled, _, err := st.MarshalPtrSized(&enc, unsafe.Pointer(v), 0)
			if err != nil {
				t.Fatalf("MarshalPtrSized with an Encoder: %v", err)
			}
			if diff := cmp.Diff(got, pooled, avOpts); diff != "" {
				t.Fatalf("with an Encoder, Marshal differs (-alone +with the Encoder):\n%s", diff)
			}
		}
		// And again after Reset, into a map used before: what a batch's
		// requests after the first do.
		into := map[string]types.AttributeValue{}
		for range 2 {
			enc.Reset()
			clear(into)
			if _, err := st.MarshalPtrInto(&enc, unsafe.Pointer(v), into); err != nil {
				t.Fatalf("MarshalPtrInto after Reset: %v", err)
			}
			if diff := cmp.Diff(got, into, avOpts); diff != "" {
				t.Fatalf("after Reset, Marshal differs (-alone +into a map used before):\n%s", diff)
			}
		}

		var back, ref Fuzzed
		if err := codec.Unmarshal(got, &back); err != nil {
			t.Fatalf("Unmarshal: %v", err)
		}
		if err := attributevalue.UnmarshalMap(got, &ref); err != nil {
			t.Fatalf("attributevalue.UnmarshalMap: %v", err)
		}
		if diff := cmp.Diff(&ref, &back); diff != "" {
			t.Fatalf("Unmarshal differs from attributevalue (-want +got):\n%s", diff)
		}
		if v.TP.IsZero() {
			v.TP = nil // omitempty omits a zero time, even behind a pointer
		}
		v.Up = Upper(strings.ToLower(strings.ToUpper(string(v.Up)))) // Upper's own codec folds case
		if diff := cmp.Diff(v, &back); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	})
}
