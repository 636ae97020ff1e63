package engine

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tablemap/tablemap/internal/codec"
)

// itemCmp compares attribute values by their exported fields.
var itemCmp = cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{},
	types.AttributeValueMemberB{}, types.AttributeValueMemberBOOL{}, types.AttributeValueMemberNULL{},
	types.AttributeValueMemberSS{}, types.AttributeValueMemberNS{}, types.AttributeValueMemberBS{},
	types.AttributeValueMemberL{}, types.AttributeValueMemberM{})

func avS(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func avN(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

type expiring struct {
	_       struct{}  `tablemap:"Exp" pk:"E#{id}" gsi1pk:"G#{group}"`
	ID      string    `dynamo:"id"`
	Group   string    `dynamo:"group,omitempty"`
	Expires time.Time `dynamo:"expires,omitempty,ttl"`
	V       uint32    `dynamo:"v,version"`
}

func encodeItem(t *testing.T, sch *Schema, v any) map[string]types.AttributeValue {
	t.Helper()
	p := reflect.ValueOf(v).UnsafePointer()
	item, _, err := sch.Encode(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return item
}

func TestEncodeItemHasKeysTypeAndIndexes(t *testing.T) {
	sch := schemaOf[expiring](t, nil)
	got := encodeItem(t, sch, &expiring{ID: "a", Group: "g", V: 3})
	want := map[string]types.AttributeValue{
		"PK": avS("E#a"), "SK": avS("E#a"), "_type": avS("Exp"), "GSI1PK": avS("G#g"),
		"id": avS("a"), "group": avS("g"), "v": avN("3"),
	}
	if d := cmp.Diff(want, got, itemCmp); d != "" {
		t.Errorf("item (-want +got):\n%s", d)
	}
}

func TestEncodeLeavesSparseIndexOut(t *testing.T) {
	sch := schemaOf[expiring](t, nil)
	got := encodeItem(t, sch, &expiring{ID: "a"})
	if _, ok := got["GSI1PK"]; ok {
		t.Errorf("item %v has GSI1PK though its group is empty", got)
	}
}

func TestEncodeTTLAsEpochSeconds(t *testing.T) {
	sch := schemaOf[expiring](t, nil)
	if !sch.TTLEpoch {
		t.Fatal("a time.Time ttl without unixtime is not marked for epoch seconds")
	}
	at := time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC)
	got := encodeItem(t, sch, &expiring{ID: "a", Expires: at})
	if d := cmp.Diff(avN("1893553445"), got["expires"], itemCmp); d != "" {
		t.Errorf("ttl attribute (-want +got):\n%s", d)
	}
	av, err := sch.EncodeValue(sch.TTL, reflect.ValueOf(at))
	if err != nil || !cmp.Equal(avN("1893553445"), av, itemCmp) {
		t.Errorf("EncodeValue(ttl) = %v, %v; want epoch seconds", av, err)
	}
}

func TestEncodeZeroTTLStoresNone(t *testing.T) {
	type intTTL struct {
		_   struct{} `pk:"E#{id}"`
		ID  string   `dynamo:"id"`
		Exp int64    `dynamo:"exp,ttl"`
	}
	sch := schemaOf[intTTL](t, nil)
	if sch.TTLEpoch {
		t.Error("an integer ttl is marked for conversion to epoch seconds")
	}
	if got := encodeItem(t, sch, &intTTL{ID: "a"}); got["exp"] != nil {
		t.Errorf("zero ttl stored as %v", got["exp"])
	}
	if got := encodeItem(t, sch, &intTTL{ID: "a", Exp: 42}); !cmp.Equal(avN("42"), got["exp"], itemCmp) {
		t.Errorf("ttl 42 stored as %v", got["exp"])
	}
}

func TestEncodeRefusesInvalidKeyBeforeData(t *testing.T) {
	sch := schemaOf[expiring](t, nil)
	_, _, err := sch.Encode(context.Background(), unsafe.Pointer(&expiring{}))
	if !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Encode of an empty key field: %v, want ErrInvalidKey", err)
	}
}

func TestDecodeSkipsTableAttributes(t *testing.T) {
	sch := schemaOf[expiring](t, nil)
	item := map[string]types.AttributeValue{
		"PK": avS("E#a"), "SK": avS("E#a"), "_type": avS("Exp"), "GSI1PK": avS("G#g"),
		"id": avS("a"), "group": avS("g"), "expires": avN("1893553445"), "v": avN("7"),
	}
	var got expiring
	if err := sch.DecodeInto(context.Background(), item, unsafe.Pointer(&got)); err != nil {
		t.Fatal(err)
	}
	want := expiring{ID: "a", Group: "g", Expires: time.Unix(1893553445, 0), V: 7}
	if !got.Expires.Equal(want.Expires) || got.ID != want.ID || got.Group != want.Group || got.V != want.V {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
	if want := []string{"GSI1PK", "PK", "SK", "_type"}; !cmp.Equal(want, sch.TableAttrs) {
		t.Errorf("TableAttrs %q, want %q", sch.TableAttrs, want)
	}
}

func TestVersionOfUnsignedField(t *testing.T) {
	sch := schemaOf[expiring](t, nil)
	v := expiring{V: 4}
	p := unsafe.Pointer(&v)
	if got := sch.VersionOf(p); got != 4 {
		t.Errorf("VersionOf = %d, want 4", got)
	}
	sch.SetVersion(p, 9)
	if v.V != 9 {
		t.Errorf("SetVersion(9) left %d", v.V)
	}
}

func TestStoredVersion(t *testing.T) {
	sch := schemaOf[expiring](t, nil)
	for _, tt := range []struct {
		item map[string]types.AttributeValue
		want int64
	}{
		{map[string]types.AttributeValue{"v": avN("12")}, 12},
		{map[string]types.AttributeValue{"v": avS("12")}, 0},
		{map[string]types.AttributeValue{}, 0},
	} {
		if got := sch.StoredVersion(tt.item); got != tt.want {
			t.Errorf("StoredVersion(%v) = %d, want %d", tt.item, got, tt.want)
		}
	}
	if !cmp.Equal(avN("5"), NumberValue(5), itemCmp) {
		t.Errorf("NumberValue(5) = %v", NumberValue(5))
	}
}

func TestTypeOf(t *testing.T) {
	tbl := NewTable(nil, "app")
	tbl.TypeAttr = "kind"
	for _, tt := range []struct {
		item map[string]types.AttributeValue
		want string
	}{
		{map[string]types.AttributeValue{"kind": avS("Photo")}, "Photo"},
		{map[string]types.AttributeValue{"_type": avS("Photo")}, ""},
		{map[string]types.AttributeValue{"kind": avN("1")}, ""},
	} {
		if got := tbl.TypeOf(tt.item); got != tt.want {
			t.Errorf("TypeOf(%v) = %q, want %q", tt.item, got, tt.want)
		}
	}
}

func TestItemSize(t *testing.T) {
	item := map[string]types.AttributeValue{
		"s":  avS("héllo"),                                              // 1 + 6
		"n":  avN("-0012.3400e5"),                                       // 1 + (4 digits: 2) + 1
		"ss": &types.AttributeValueMemberSS{Value: []string{"ab", "c"}}, // 2 + 3
		"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{ // 1 + 3 + 1
			&types.AttributeValueMemberBOOL{Value: true},
		}},
		"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": avS("v")}}, // 1 + 3 + 2
	}
	if got, want := ItemSize(item), 7+4+5+5+6; got != want {
		t.Errorf("ItemSize = %d, want %d", got, want)
	}
}

func TestNumberSize(t *testing.T) {
	for num, want := range map[string]int{"0": 1, "1": 2, "12": 2, "123": 3, "1000000": 2, "0.001": 2, "-12345e10": 4} {
		if got := NumberSize(num); got != want {
			t.Errorf("NumberSize(%q) = %d, want %d", num, got, want)
		}
	}
}

// TestDecodeKeyOnlyFields: an item that holds a key field only in its
// table key (as items written by other programs do) gets the field from
// the key; an item holding the field as an attribute keeps the
// attribute's value; keyBits names exactly the fields of the key's
// templates, which decoding asks about.
func TestDecodeKeyOnlyFields(t *testing.T) {
	_, user, _, post := writeTable(t)
	for _, tc := range []struct {
		name string
		item map[string]types.AttributeValue
		want wPost
	}{
		{"both key fields only in the key", map[string]types.AttributeValue{
			"PK": avS("USER#ann"), "SK": avS("POST#7"), "_type": avS("Post"), "topic": avS("go")},
			wPost{User: "ann", ID: "7", Topic: "go"}},
		{"one key field only in the key", map[string]types.AttributeValue{
			"PK": avS("USER#ann"), "SK": avS("POST#7"), "_type": avS("Post"), "user": avS("ann")},
			wPost{User: "ann", ID: "7"}},
		{"every key field an attribute", map[string]types.AttributeValue{
			"PK": avS("USER#ann"), "SK": avS("POST#7"), "_type": avS("Post"), "user": avS("bob"), "id": avS("9")},
			wPost{User: "bob", ID: "9"}},
	} {
		var got wPost
		if err := post.DecodeInto(context.Background(), tc.item, unsafe.Pointer(&got)); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s: decoded (-want +got):\n%s", tc.name, d)
		}
	}
	for _, c := range []struct {
		s    *Schema
		want []string
	}{{user, []string{"username"}}, {post, []string{"user", "id"}}} {
		var fs []*codec.Field
		for _, n := range c.want {
			fs = append(fs, c.s.Codec.Field(n))
		}
		if got, want := c.s.keyBits, c.s.Codec.MaskOf(fs); got != want || got == 0 {
			t.Errorf("%s: keyBits %b, want %b (the fields %q)", c.s.Name, got, want, c.want)
		}
	}
}
