package engine

import (
	"context"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/tablemap/tablemap/internal/codec"
)

type sizedNested struct {
	A string         `dynamo:"a"`
	N []int          `dynamo:"n"`
	M map[string]any `dynamo:"m"`
}

type sizedRich struct {
	_       struct{}            `tablemap:"Rich" pk:"R#{id}" sk:"AT#{at}" gsi1pk:"G#{group}" gsi1sk:"{n}"`
	ID      string              `dynamo:"id"`
	At      time.Time           `dynamo:"at"`
	Group   string              `dynamo:"group,omitempty"`
	N       int                 `dynamo:"n"`
	F       float64             `dynamo:"f"`
	Tags    []string            `dynamo:"tags,stringset,omitempty"`
	Nums    []int               `dynamo:"nums,numberset,omitempty"`
	Bin     []byte              `dynamo:"bin"`
	Nested  *sizedNested        `dynamo:"nested"`
	List    []sizedNested       `dynamo:"list"`
	Flags   map[string]bool     `dynamo:"flags"`
	Expires time.Time           `dynamo:"expires,omitempty,ttl"`
	Any     any                 `dynamo:"any"`
	Opt     *string             `dynamo:"opt"`
	Empty   map[string]struct{} `dynamo:"empty,omitempty"`
}

type sizedSecret struct {
	_      struct{} `tablemap:"Secret" pk:"S#{id}"`
	ID     string   `dynamo:"id"`
	Secret string   `dynamo:"secret,encrypted"`
	Note   string   `dynamo:"note"`
}

type sizedCustom struct {
	_  struct{} `tablemap:"Custom" pk:"C#{id}"`
	ID string   `dynamo:"id"`
	X  string   `dynamo:"x"`
}

func (c sizedCustom) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) {
	return &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"id": &types.AttributeValueMemberS{Value: c.ID}, "x": &types.AttributeValueMemberS{Value: c.X + c.X},
	}}, nil
}

// EncodeSized counts the size of the item it returns while encoding; it
// must be what a walk over the finished item counts, whatever the key,
// index, ttl, type, match and encrypted attributes add, replace or drop.
func TestEncodeSizedIsItemSize(t *testing.T) {
	at := time.Date(2024, 6, 1, 12, 30, 0, 123456789, time.FixedZone("x", 3600))
	rich := schemaOf[sizedRich](t, nil)
	thoughts := thoughtsTable()
	th := schemaOf[thought](t, thoughts)
	matchTbl := NewTable(nil, "notes")
	matchTbl.TypeAttr = ""
	type note struct {
		_    struct{} `tablemap:"Note" pk:"N#{id}" match:"kind=note"`
		ID   string   `dynamo:"id"`
		Body string   `dynamo:"body"`
	}
	notes := schemaOf[note](t, matchTbl)
	secrets := schemaOf[sizedSecret](t, cipherTable())
	customs := schemaOf[sizedCustom](t, nil)
	s := "opt"
	for _, c := range []struct {
		name string
		s    *Schema
		v    any
	}{
		{"rich, every attribute", rich, &sizedRich{ID: "ann", At: at, Group: "g", N: 12345, F: -0.00125, Tags: []string{"a", "bé"},
			Nums: []int{1, 100, 1000000}, Bin: []byte{1, 2, 3}, Nested: &sizedNested{A: "x", N: []int{7, 0}, M: map[string]any{"k": 1.5, "l": []any{"s", true, nil}}},
			List: []sizedNested{{A: "y"}, {}}, Flags: map[string]bool{"on": true, "off": false}, Expires: at, Any: int64(-42), Opt: &s}},
		{"rich, sparse index, zero ttl", rich, &sizedRich{ID: "bob", At: at, N: -7}},
		{"rich, large", rich, &sizedRich{ID: strings.Repeat("é", 300), At: at, Group: strings.Repeat("g", 1000), Nested: &sizedNested{A: strings.Repeat("z", 5000)}}},
		{"identity keys", th, &thought{Username: "ann", CreatedAt: 1717245000, Kind: "note", Thought: "hello"}},
		{"identity keys, sparse", th, &thought{Username: "ann", CreatedAt: 10}},
		{"match attribute", notes, &note{ID: "n1", Body: "text"}},
		{"encrypted", secrets, &sizedSecret{ID: "s1", Secret: "hush", Note: "n"}},
		{"marshaler", customs, &sizedCustom{ID: "c1", X: "xyz"}},
	} {
		item, _, size, err := c.s.EncodeSized(context.Background(), nil, reflect.ValueOf(c.v).UnsafePointer())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if want := ItemSize(item); size != want || size == 0 {
			t.Errorf("%s: EncodeSized counts %d bytes, the item has %d", c.name, size, want)
		}
	}
}

type sizedNums struct {
	_  struct{}    `tablemap:"Nums" pk:"N#{id}"`
	ID string      `dynamo:"id"`
	A  int64       `dynamo:"a"`
	B  float64     `dynamo:"b"`
	T  time.Time   `dynamo:"t"`
	L  []uint      `dynamo:"l"`
	M  *sizedInner `dynamo:"m"`
}

type sizedInner struct {
	X int     `dynamo:"x"`
	Y float64 `dynamo:"y"`
}

// Items encoded one after another with one Encoder share its buffers;
// each must stay what it was when encoded alone, after the others, and
// after more than codec.MaxDepth that failed inside a nested struct.
func TestEncoderItemsStayApart(t *testing.T) {
	s := schemaOf[sizedNums](t, nil)
	at := time.Date(2024, 6, 1, 12, 30, 0, 123456789, time.UTC)
	bad := &sizedNums{ID: "bad", M: &sizedInner{Y: math.NaN()}} // refused by the codec, one level down
	var vals []*sizedNums
	for i := range 200 {
		v := &sizedNums{ID: strconv.Itoa(i), A: int64(i) * 1000003, B: float64(i) / 7, T: at.Add(time.Duration(i) * time.Hour),
			L: []uint{uint(i) * 977, 123456789}}
		v.M = &sizedInner{X: -i * 100, Y: 0.5}
		vals = append(vals, v)
	}
	var enc codec.Encoder
	var items []map[string]types.AttributeValue
	for i, v := range vals {
		for range 2 * codec.MaxDepth * (i % 2) {
			if _, _, _, err := s.EncodeSized(context.Background(), &enc, unsafe.Pointer(bad)); err == nil {
				t.Fatal("NaN encoded")
			}
		}
		item, _, _, err := s.EncodeSized(context.Background(), &enc, unsafe.Pointer(v))
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, item)
	}
	for i, v := range vals {
		alone, _, _, err := s.EncodeSized(context.Background(), nil, unsafe.Pointer(v))
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(alone, items[i], itemCmp); d != "" {
			t.Fatalf("item %d encoded after others differs from it alone (-alone +shared):\n%s", i, d)
		}
	}
}
