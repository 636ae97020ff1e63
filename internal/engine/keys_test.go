package engine

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

type flagged struct {
	_      struct{} `tablemap:"Flagged" pk:"P#{p}" sk:"{n}#{on}#{name}"`
	P      string   `dynamo:"p"`
	N      int      `dynamo:"n"`
	On     bool     `dynamo:"on"`
	Name   string   `dynamo:"name"`
	Ignore int      `dynamo:"ignore"`
}

// TestPartialKeyFields checks which sort key fields a query's partial
// value and a condition's value give, zero numbers and false included.
func TestPartialKeyFields(t *testing.T) {
	t.Parallel()
	s, err := NewSchema(NewTable(nil, "app"), reflect.TypeFor[flagged]())
	if err != nil {
		t.Fatal(err)
	}
	sk := s.Primary.SK
	const zero, one = "00000000000000000000", "00000000000000000001"
	for _, tt := range []struct {
		v            flagged
		query, bound []string
	}{
		{v: flagged{}, query: []string{}, bound: []string{zero, "false"}},
		{v: flagged{N: 1}, query: []string{one}, bound: []string{one, "false"}},
		{v: flagged{On: true}, query: []string{zero, "true"}, bound: []string{zero, "true"}},
		{v: flagged{Name: "x"}, query: []string{zero, "false", "x"}, bound: []string{zero, "false", "x"}},
		{v: flagged{N: 1, On: true, Name: "x"}, query: []string{one, "true", "x"}, bound: []string{one, "true", "x"}},
	} {
		p := unsafe.Pointer(&tt.v)
		got, err := sk.Values(p, QueryFields)
		if err != nil || !cmp.Equal(tt.query, got) {
			t.Errorf("query fields of %+v = %q, %v; want %q", tt.v, got, err, tt.query)
		}
		got, err = sk.Values(p, BoundFields)
		if err != nil || !cmp.Equal(tt.bound, got) {
			t.Errorf("bound fields of %+v = %q, %v; want %q", tt.v, got, err, tt.bound)
		}
	}
}

type account struct {
	_    struct{}  `tablemap:"Account" pk:"ACCT#{name}" sk:"AT#{n}#{at}"`
	Name string    `dynamo:"name"`
	N    int       `dynamo:"n"`
	At   time.Time `dynamo:"at"`
}

func TestKeyRefusesEmptyStringField(t *testing.T) {
	sch := schemaOf[account](t, nil)
	_, err := sch.Key(unsafe.Pointer(&account{At: time.Unix(1, 0)}))
	if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), `key field "name" is empty`) {
		t.Errorf("key of an empty name: %v, want ErrInvalidKey naming the field", err)
	}
}

func TestKeyRefusesZeroTime(t *testing.T) {
	sch := schemaOf[account](t, nil)
	k, err := sch.Key(unsafe.Pointer(&account{Name: "ann"}))
	if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), `key field "at" is empty`) {
		t.Errorf("key of a zero time: %v, want ErrInvalidKey naming the field", err)
	}
	if k.PK != "ACCT#ann" {
		t.Errorf("key as far as built %v, want its partition key", k)
	}
}

func TestKeyZeroNumberIsValue(t *testing.T) {
	sch := schemaOf[account](t, nil)
	k, err := sch.Key(unsafe.Pointer(&account{Name: "ann", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}))
	want := Key{PK: "ACCT#ann", SK: "AT#00000000000000000000#2026-01-02T03:04:05.000000000Z"}
	if err != nil || k != want {
		t.Errorf("Key = %v, %v; want %v", k, err, want)
	}
}

func TestKeyRefusesSortKeyOverLimit(t *testing.T) {
	type long struct {
		_ struct{} `pk:"L" sk:"{s}"`
		S string   `dynamo:"s"`
	}
	sch := schemaOf[long](t, nil)
	k, err := sch.Key(unsafe.Pointer(&long{S: strings.Repeat("x", MaxSortKeyBytes+1)}))
	if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), "1025 bytes, over DynamoDB's limit of 1024") {
		t.Errorf("key over the sort key limit: %v", err)
	}
	if k != (Key{PK: "L"}) {
		t.Errorf("key as far as built %v, want its partition key alone", k)
	}
	if _, err := sch.Key(unsafe.Pointer(&long{S: strings.Repeat("x", MaxSortKeyBytes)})); err != nil {
		t.Errorf("key at the limit: %v", err)
	}
}

// TestKeyIsItsPartsBuilt checks that Key, which builds both parts into
// one string, gives each part as KeyPart.Build does, short or long.
func TestKeyIsItsPartsBuilt(t *testing.T) {
	sch := schemaOf[account](t, nil)
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, v := range []account{
		{Name: "ann", N: 7, At: at},
		{Name: "ünï#%", N: -1, At: at},
		{Name: strings.Repeat("n", 300), N: 1 << 40, At: at},
	} {
		p := unsafe.Pointer(&v)
		pk, err1 := sch.Primary.PK.Build(p)
		sk, err2 := sch.Primary.SK.Build(p)
		k, err := sch.Key(p)
		if err1 != nil || err2 != nil || err != nil {
			t.Fatalf("%q: %v, %v, %v", v.Name, err1, err2, err)
		}
		if diff := cmp.Diff(Key{PK: pk, SK: sk}, k); diff != "" {
			t.Errorf("%q (-parts +Key):\n%s", v.Name, diff)
		}
	}
}

func TestInvertedIndexHoldsPartitionKeyToSortLimit(t *testing.T) {
	type wide struct {
		_ struct{} `pk:"{s}" sk:"W"`
		S string   `dynamo:"s"`
	}
	v := wide{S: strings.Repeat("x", MaxSortKeyBytes+1)}
	if _, err := schemaOf[wide](t, nil).Key(unsafe.Pointer(&v)); err != nil {
		t.Fatalf("partition key of %d bytes without an inverted index: %v", len(v.S), err)
	}
	tbl := NewTable(nil, "app")
	tbl.Inverted = true
	_, err := schemaOf[wide](t, tbl).Key(unsafe.Pointer(&v))
	if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), "the inverted index's sort key") {
		t.Errorf("partition key over the sort limit with an inverted index: %v", err)
	}
}

func TestParseKeyRoundTripsEscapedValues(t *testing.T) {
	sch := schemaOf[account](t, nil)
	in := account{Name: "ann#PHOTO\x00%", N: -7, At: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}
	k, err := sch.Key(unsafe.Pointer(&in))
	if err != nil {
		t.Fatal(err)
	}
	var out account
	p := unsafe.Pointer(&out)
	if err := sch.Primary.PK.Parse(k.PK, p); err != nil {
		t.Fatal(err)
	}
	if err := sch.Primary.SK.Parse(k.SK, p); err != nil {
		t.Fatal(err)
	}
	if out.Name != in.Name || out.N != in.N || !out.At.Equal(in.At) {
		t.Errorf("parsed %+v from %v, want %+v", out, k, in)
	}
}

func TestParseKeyRefusesForeignKey(t *testing.T) {
	sch := schemaOf[account](t, nil)
	var out account
	for _, sk := range []string{"PHOTO#1", "AT#x#2026-01-02T03:04:05.000000000Z", "AT#00000000000000000001"} {
		if err := sch.Primary.SK.Parse(sk, unsafe.Pointer(&out)); err == nil {
			t.Errorf("sort key %q parsed into %+v", sk, out)
		}
	}
}

// prefixed has a sort key field, a, that its partition key fixes.
type prefixed struct {
	_ struct{} `pk:"P#{a}" sk:"{b}#{a}#{c}"`
	A string   `dynamo:"a"`
	B string   `dynamo:"b"`
	C string   `dynamo:"c"`
}

func TestQueryPrefixCannotSkipField(t *testing.T) {
	sk := schemaOf[prefixed](t, nil).Primary.SK
	_, err := sk.Values(unsafe.Pointer(&prefixed{A: "x", C: "y"}), QueryFields)
	if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), `key field "c" is set but "b" before it is empty`) {
		t.Errorf("prefix skipping b: %v", err)
	}
}

func TestPinnedFieldIsNoGap(t *testing.T) {
	sk := schemaOf[prefixed](t, nil).Primary.SK
	got, err := sk.Values(unsafe.Pointer(&prefixed{A: "x"}), QueryFields)
	if err != nil || len(got) != 0 {
		t.Errorf("partial value setting only the partition's field: %q, %v; want no prefix", got, err)
	}
}

func TestIndexBuildIsSparse(t *testing.T) {
	sch := schemaOf[indexed](t, nil)
	g := sch.IndexNamed("GSI1")
	if _, _, ok, err := g.Build(unsafe.Pointer(&indexed{ID: "i", N: 1})); ok || err != nil {
		t.Errorf("GSI1 of an item without a tag: ok %v, err %v; want left out", ok, err)
	}
	pk, sk, ok, err := g.Build(unsafe.Pointer(&indexed{ID: "i", N: 1, Tag: "t"}))
	if !ok || err != nil || pk != "T#t" || sk != "00000000000000000001" {
		t.Errorf("GSI1 keys %q %q %v %v", pk, sk, ok, err)
	}
}

func TestIndexNamed(t *testing.T) {
	sch := schemaOf[indexed](t, nil)
	if sch.IndexNamed("") != sch.Primary || sch.IndexNamed("GSI3") != sch.GSIs[1] {
		t.Error("IndexNamed does not find the table's key or GSI3")
	}
	for _, name := range []string{"GSI2", InvertedIndex, "gsi1"} {
		if g := sch.IndexNamed(name); g != nil {
			t.Errorf("IndexNamed(%q) = %v, want nil", name, g)
		}
	}
}

func TestKeyPartLimit(t *testing.T) {
	sch := schemaOf[indexed](t, nil)
	for _, tt := range []struct {
		k    *KeyPart
		want int
	}{
		{sch.Primary.PK, MaxPartitionKeyBytes}, {sch.Primary.SK, MaxSortKeyBytes},
		{sch.GSIs[0].PK, MaxPartitionKeyBytes}, {sch.GSIs[0].SK, MaxSortKeyBytes},
	} {
		if got := tt.k.Limit(); got != tt.want {
			t.Errorf("%s: limit %d, want %d", tt.k.Tag, got, tt.want)
		}
	}
}

func TestKeyStringCutsLongParts(t *testing.T) {
	k := Key{PK: strings.Repeat("p", 150), SK: "s"}
	want := `PK "` + strings.Repeat("p", 100) + `"… (150 bytes) SK "s"`
	if got := k.String(); got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
}

func TestKeyItem(t *testing.T) {
	tbl := NewTable(nil, "app")
	tbl.PK, tbl.SK = "pk", "sk"
	got := tbl.KeyItem(Key{PK: "a", SK: "b"})
	if d := cmp.Diff(map[string]types.AttributeValue{"pk": avS("a"), "sk": avS("b")}, got, itemCmp); d != "" {
		t.Errorf("KeyItem (-want +got):\n%s", d)
	}
	if k, ok := tbl.ItemKey(got); !ok || k != (Key{PK: "a", SK: "b"}) {
		t.Errorf("ItemKey(KeyItem) = %v, %v", k, ok)
	}
}

func TestReservedIgnoresCase(t *testing.T) {
	tbl := NewTable(nil, "app")
	tbl.TypeAttr = "Kind"
	for attr, want := range map[string]bool{"pk": true, "Sk": true, "kind": true, "gsi7pk": true, "GSI20SK": true, "GSI21PK": false, "pkx": false, "_type": false} {
		if got := tbl.Reserved(attr); got != want {
			t.Errorf("Reserved(%q) = %v, want %v", attr, got, want)
		}
	}
}
