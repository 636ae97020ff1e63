package codec_test

import (
	"reflect"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap/internal/codec"
)

type pooled struct {
	Name  string    `dynamo:"name"`
	URL   string    `dynamo:"url"`
	W     int       `dynamo:"w"`
	H     uint32    `dynamo:"h"`
	F     float64   `dynamo:"f"`
	At    time.Time `dynamo:"at"`
	Tags  []string  `dynamo:"tags"`
	Empty []string  `dynamo:"empty"`
	Code  int       `dynamo:"code,string"`
}

func pooledValue(i int) pooled {
	return pooled{Name: "n" + strconv.Itoa(i), URL: "https://x/" + strconv.Itoa(i), W: i * 1001, H: uint32(i) * 7, F: float64(i) / 3,
		At: time.Date(2024, 1, 2, 3, 4, 5, i, time.UTC), Tags: []string{"a" + strconv.Itoa(i), "b", "c"}, Empty: []string{}, Code: i}
}

// Items encoded with one Encoder take their values from its blocks: each
// item must equal the item encoded alone, and each value must be its own,
// so that changing one item's values (as a caller holding a BatchError's
// items may) changes no other item.
func TestEncoderValuesApart(t *testing.T) {
	s, err := codec.StructOf(reflect.TypeFor[pooled]())
	if err != nil {
		t.Fatal(err)
	}
	const n = 150 // several blocks of values
	vals := make([]pooled, n)
	var enc codec.Encoder
	items := make([]map[string]types.AttributeValue, n)
	for i := range vals {
		vals[i] = pooledValue(i)
		if items[i], _, err = s.MarshalPtrSized(&enc, unsafe.Pointer(&vals[i]), 0); err != nil {
			t.Fatal(err)
		}
	}
	alone := func(i int) map[string]types.AttributeValue {
		m, _, err := s.MarshalPtrSized(nil, unsafe.Pointer(&vals[i]), 0)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for i := range items {
		if d := cmp.Diff(alone(i), items[i], avOpts); d != "" {
			t.Fatalf("item %d (-alone +with the Encoder):\n%s", i, d)
		}
	}
	// Overwrite every value of the even items; the odd ones must not move.
	for i := 0; i < n; i += 2 {
		for _, av := range items[i] {
			switch v := av.(type) {
			case *types.AttributeValueMemberS:
				v.Value = "changed"
			case *types.AttributeValueMemberN:
				v.Value = "-1"
			case *types.AttributeValueMemberL:
				for _, e := range v.Value {
					e.(*types.AttributeValueMemberS).Value = "changed"
				}
			}
		}
	}
	for i := 1; i < n; i += 2 {
		if d := cmp.Diff(alone(i), items[i], avOpts); d != "" {
			t.Fatalf("item %d changed with its neighbours (-alone +with the Encoder):\n%s", i, d)
		}
	}
}

// An Encoder's items cost an allocation per block of values, not one per
// value: far fewer than an item encoded alone.
func TestEncoderAllocatesByBlock(t *testing.T) {
	s, err := codec.StructOf(reflect.TypeFor[pooled]())
	if err != nil {
		t.Fatal(err)
	}
	v := pooledValue(123456)
	var enc codec.Encoder
	shared := testing.AllocsPerRun(200, func() {
		if _, _, err := s.MarshalPtrSized(&enc, unsafe.Pointer(&v), 0); err != nil {
			t.Fatal(err)
		}
	})
	alone := testing.AllocsPerRun(200, func() {
		if _, _, err := s.MarshalPtrSized(nil, unsafe.Pointer(&v), 0); err != nil {
			t.Fatal(err)
		}
	})
	// 9 values of their own alone (3 of them the tags, in one allocation
	// even then), about 10/64 of a block each with the Encoder.
	if shared+6 > alone {
		t.Errorf("an item costs %v allocations with an Encoder, %v alone; want at least 6 fewer", shared, alone)
	}
}

// After Reset, an Encoder hands out the memory of the values it encoded
// before, not new memory: items encoded into the same maps again are
// right, each value its own, and once the first round has sized its
// pools a round of items costs no allocation at all.
func TestEncoderReset(t *testing.T) {
	s, err := codec.StructOf(reflect.TypeFor[pooled]())
	if err != nil {
		t.Fatal(err)
	}
	const n = 25 // a batch request: more values than a first block holds
	vals := make([]pooled, n)
	items := make([]map[string]types.AttributeValue, n)
	var enc codec.Encoder
	encode := func() {
		for i := range vals {
			if items[i] == nil {
				items[i] = map[string]types.AttributeValue{}
			}
			clear(items[i])
			if _, err := s.MarshalPtrInto(&enc, unsafe.Pointer(&vals[i]), items[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	for r, base := range []int{0, 1000, 2000} {
		for i := range vals {
			vals[i] = pooledValue(base + i)
		}
		encode()
		for i := range items {
			alone, _, err := s.MarshalPtrSized(nil, unsafe.Pointer(&vals[i]), 0)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(alone, items[i], avOpts); d != "" {
				t.Fatalf("round %d, item %d (-alone +after Reset):\n%s", r, i, d)
			}
		}
		for _, av := range items[0] { // item 0's values are its own
			if v, ok := av.(*types.AttributeValueMemberS); ok {
				v.Value = "changed"
			}
		}
		if d := cmp.Diff(pooledValue(base+1).Name, items[1]["name"].(*types.AttributeValueMemberS).Value); d != "" {
			t.Fatalf("round %d: item 1 changed with item 0: %s", r, d)
		}
		enc.Reset()
	}
	if a := testing.AllocsPerRun(20, func() { encode(); enc.Reset() }); a != 0 {
		t.Errorf("a round of %d items after the first costs %v allocations, want 0", n, a)
	}
}
