package tablemap_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

// TestKeyRefusesOversize checks a key over DynamoDB's limits is
// ErrInvalidKey, quoting at most about 100 bytes of it.
func TestKeyRefusesOversize(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	long := strings.Repeat("a", tablemap.MaxPartitionKeyBytes)
	_, err := sh.reviews.Key(shopReview{Product: long, Customer: "ann"})
	wantErr(t, err, tablemap.ErrInvalidKey)
	if err != nil && len(err.Error()) > 400 {
		t.Errorf("error of %d bytes quotes the whole key: %.200s…", len(err.Error()), err)
	}
	_, err = sh.reviews.Key(shopReview{Product: "tea", Customer: strings.Repeat("b", tablemap.MaxSortKeyBytes)})
	wantErr(t, err, tablemap.ErrInvalidKey)
	if _, err := sh.reviews.Key(shopReview{Product: "tea", Customer: strings.Repeat("b", tablemap.MaxSortKeyBytes-len("REVIEW#"))}); err != nil {
		t.Errorf("a sort key of exactly %d bytes: %v", tablemap.MaxSortKeyBytes, err)
	}
}

// TestKeyParseKeyRoundTrip checks ParseKey gives back the key fields of
// negative numbers and times, whatever their zone.
func TestKeyParseKeyRoundTrip(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	for _, v := range []shopLine{{Order: "o#1 x", N: -5}, {Order: "ø", N: 0}, {Order: "o", N: 1 << 40}} {
		k, err := sh.lines.Key(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sh.lines.ParseKey(k.PK, k.SK)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "parsed line", v, got)
	}
	at := placed.In(time.FixedZone("UTC-7", -7*3600))
	k, err := sh.payments.Key(shopPayment{Order: "o1", At: at})
	if err != nil {
		t.Fatal(err)
	}
	got, err := sh.payments.ParseKey(k.PK, k.SK)
	if err != nil {
		t.Fatal(err)
	}
	if !got.At.Equal(at) || got.Order != "o1" {
		t.Errorf("parsed %+v, want order o1 at %v", got, at)
	}
}

// TestParseKeyRefuses checks keys this entity's templates did not build
// are ErrInvalidKey: another entity's, a wrong literal, a bad number.
func TestParseKeyRefuses(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	for _, k := range []tablemap.Key{
		{PK: "ORDER#o1", SK: "ORDER"},
		{PK: "ORDER#o1", SK: "LINE#12"},
		{PK: "ORDER#o1", SK: "LINE#x0000000000000000001"},
		{PK: "CUSTOMER#o1", SK: "LINE#" + intKey(1)},
	} {
		if _, err := sh.lines.ParseKey(k.PK, k.SK); !errors.Is(err, tablemap.ErrInvalidKey) {
			t.Errorf("ParseKey(%q, %q): error %v, want ErrInvalidKey", k.PK, k.SK, err)
		}
	}
}

// TestDecodePutItem checks Decode reads back what a Put writes: the value
// with its new version and timestamps.
func TestDecodePutItem(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	put := sh.customers.Put(shopCustomer{ID: "ann", Email: "ann@example.com", Points: 3, Tags: []string{"vip"}, Notes: []string{"a", "b"}})
	in, err := put.Params()
	if err != nil {
		t.Fatal(err)
	}
	want, err := put.Value()
	if err != nil {
		t.Fatal(err)
	}
	got, err := sh.customers.Decode(in.Item)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "decoded", want, got)
}

// TestDecodeEncryptedItem checks an item whose attribute a Put sealed
// decodes to the clear value, and fails with ErrDecrypt once the
// ciphertext is moved to another item or altered.
func TestDecodeEncryptedItem(t *testing.T) {
	t.Parallel()
	tbl := tablemap.NewTable(nil, "shop", tablemap.WithCipher(testCipher(t)))
	cards := define[shopCard](t, tbl)
	card := shopCard{Customer: "ann", Last4: "4242", Number: "4242424242424242", Holder: "Ann"}
	in, err := cards.Put(card).Params()
	if err != nil {
		t.Fatal(err)
	}
	sealed, ok := in.Item["number"].(*types.AttributeValueMemberB)
	if !ok || strings.Contains(string(sealed.Value), card.Number) {
		t.Fatalf("stored number %s, want a ciphertext", avText(in.Item["number"]))
	}
	got, err := cards.Decode(in.Item)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "decoded", card, got)

	other, err := cards.Put(shopCard{Customer: "bob", Last4: "4242"}).Params()
	if err != nil {
		t.Fatal(err)
	}
	other.Item["number"] = sealed
	_, err = cards.Decode(other.Item)
	errorNames(t, err, tablemap.ErrDecrypt, "number")

	altered := append([]byte(nil), sealed.Value...)
	altered[len(altered)-1] ^= 1
	in.Item["number"] = &types.AttributeValueMemberB{Value: altered}
	_, err = cards.Decode(in.Item)
	errorNames(t, err, tablemap.ErrDecrypt, "number")
}

// TestDecodeOtherLocalKey checks a value sealed under one key does not
// open under another, and opens where that key is a previous one.
func TestDecodeOtherLocalKey(t *testing.T) {
	t.Parallel()
	oldKey, newKey := []byte(strings.Repeat("o", 32)), []byte(strings.Repeat("n", 32))
	cipher := func(key []byte, previous ...[]byte) tablemap.Cipher {
		c, err := tablemap.LocalKey(key, previous...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	in, err := define[shopCard](t, tablemap.NewTable(nil, "shop", tablemap.WithCipher(cipher(oldKey)))).Put(shopCard{Customer: "ann", Last4: "1", Number: "1111"}).Params()
	if err != nil {
		t.Fatal(err)
	}
	_, err = define[shopCard](t, tablemap.NewTable(nil, "shop", tablemap.WithCipher(cipher(newKey)))).Decode(in.Item)
	wantErr(t, err, tablemap.ErrDecrypt)
	got, err := define[shopCard](t, tablemap.NewTable(nil, "shop", tablemap.WithCipher(cipher(newKey, oldKey)))).Decode(in.Item)
	if err != nil || got.Number != "1111" {
		t.Errorf("with the old key as previous: %+v, %v", got, err)
	}
}

// TestMarshalItemRoundTrip checks MarshalItem and UnmarshalItem agree on
// every kind of field, and how each is stored.
func TestMarshalItemRoundTrip(t *testing.T) {
	t.Parallel()
	type inner struct {
		A string `dynamo:"a"`
	}
	type record struct {
		S     string            `dynamo:"s"`
		I     int64             `dynamo:"i"`
		F     float64           `dynamo:"f"`
		B     bool              `dynamo:"b"`
		Bytes []byte            `dynamo:"bytes"`
		Set   []string          `dynamo:"set,set"`
		List  []int             `dynamo:"list"`
		Map   map[string]int    `dynamo:"map"`
		Ptr   *inner            `dynamo:"ptr"`
		At    time.Time         `dynamo:"at"`
		Unix  time.Time         `dynamo:"unix,unixtime"`
		Empty string            `dynamo:"empty,omitempty"`
		Skip  string            `dynamo:"-"`
		Tags  map[string]string `dynamodbav:"tags"`
	}
	v := record{S: "x", I: -3, F: 1.5, B: true, Bytes: []byte{1, 2}, Set: []string{"a", "b"}, List: []int{1, 2},
		Map: map[string]int{"k": 1}, Ptr: &inner{A: "in"}, At: placed, Unix: placed, Skip: "not stored", Tags: map[string]string{"t": "u"}}
	item, err := tablemap.MarshalItem(v)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"s": `"x"`, "i": "-3", "f": "1.5", "b": "true", "bytes": "<2 bytes>", "set": `SS["a" "b"]`, "list": "L[1 2]",
		"map": "M{k:1}", "ptr": `M{a:"in"}`, "at": `"` + placed.Format(time.RFC3339Nano) + `"`, "unix": epoch(placed), "tags": `M{t:"u"}`,
	}
	got := map[string]string{}
	for k, av := range item {
		got[k] = avText(av)
	}
	diff(t, "item", want, got)

	var back record
	if err := tablemap.UnmarshalItem(item, &back); err != nil {
		t.Fatal(err)
	}
	v.Skip = ""
	diff(t, "round trip", v, back)
}

// TestMarshalItemRefuses checks the values MarshalItem refuses: invalid
// UTF-8 in a map key, a cycle deeper than 100 levels, and a value that
// is not a struct.
func TestMarshalItemRefuses(t *testing.T) {
	t.Parallel()
	type node struct {
		Name string         `dynamo:"name"`
		Next *node          `dynamo:"next,omitempty"`
		Meta map[string]int `dynamo:"meta,omitempty"`
	}
	_, err := tablemap.MarshalItem(node{Name: "a", Meta: map[string]int{"\xff": 1}})
	wantErr(t, err, tablemap.ErrInvalidValue)
	cyclic := &node{Name: "loop"}
	cyclic.Next = cyclic
	_, err = tablemap.MarshalItem(cyclic)
	wantErr(t, err, tablemap.ErrInvalidValue)
	if _, err := tablemap.MarshalItem(42); err == nil {
		t.Error("MarshalItem(42): no error")
	}
}

// TestUnmarshalItemRefuses checks UnmarshalItem's refusals: a nil member
// (where attributevalue panics), and an out that is no struct pointer.
func TestUnmarshalItemRefuses(t *testing.T) {
	t.Parallel()
	type rec struct {
		S string `dynamo:"s"`
	}
	var r rec
	err := tablemap.UnmarshalItem(map[string]types.AttributeValue{"s": (*types.AttributeValueMemberS)(nil)}, &r)
	wantErr(t, err, tablemap.ErrInvalidValue)
	if err := tablemap.UnmarshalItem(map[string]types.AttributeValue{"s": s("x")}, r); err == nil {
		t.Error("UnmarshalItem into a struct value: no error")
	}
	r.S = "kept"
	if err := tablemap.UnmarshalItem(map[string]types.AttributeValue{}, &r); err != nil || r.S != "kept" {
		t.Errorf("an empty item: %q, %v; want the field kept", r.S, err)
	}
}

// TestMeterWithoutTraffic checks a new meter counts nothing, and Attach
// installs it on a client's options without sending anything.
func TestMeterWithoutTraffic(t *testing.T) {
	t.Parallel()
	m := tablemap.NewMeter()
	if m.Requests() != 0 || m.Requests("Query", "GetItem") != 0 || m.ConsumedCapacity() != 0 {
		t.Errorf("a new meter: %d requests, %v capacity", m.Requests(), m.ConsumedCapacity())
	}
	var o dynamodb.Options
	m.Attach(&o)
	if len(o.APIOptions) == 0 {
		t.Error("Attach added no API option")
	}
	m.Reset()
	if m.Requests() != 0 {
		t.Errorf("after Reset: %d requests", m.Requests())
	}
}

// TestNilClientOperations checks each read and write of a table without a
// client fails with ErrNoClient naming the table, before any request.
func TestNilClientOperations(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	ctx := context.Background()
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, tablemap.ErrNoClient) || !strings.Contains(err.Error(), "shop") {
			t.Errorf("%s: error %v, want ErrNoClient naming the table", op, err)
		}
		if errors.Is(err, tablemap.ErrUnknownOutcome) {
			t.Errorf("%s: error %v says the write may have been applied; nothing was sent", op, err)
		}
	}
	_, err := sh.lines.Delete(shopLine{Order: "o1", N: 1}).Run(ctx)
	check("Delete", err)
	check("WriteTx", sh.tbl.WriteTx().Put(sh.lines.Put(shopLine{Order: "o1", N: 1})).Run(ctx))
	rt := sh.tbl.ReadTx()
	item := tablemap.TxGet(rt, sh.lines.Get(shopLine{Order: "o1", N: 1}))
	check("ReadTx", rt.Run(ctx))
	_, err = item.Value()
	check("ReadTx Value", err)
	_, err = sh.orders.Scan().Count(ctx)
	check("Scan Count", err)
	_, err = sh.orders.Scan().Page(ctx, "")
	check("Scan Page", err)
	_, err = tablemap.Collect2(sh.orders.Query(shopOrder{ID: "o1"}), sh.lines).Run(ctx)
	check("Collection", err)
	_, err = sh.lines.BatchGet(shopLine{Order: "o1", N: 1}).Run(ctx)
	check("BatchGet", err)
	check("Put", sh.lines.Put(shopLine{Order: "o1", N: 1}).Run(ctx))
	start := time.Now()
	err = sh.tbl.BatchWrite().Put(sh.lines.Put(shopLine{Order: "o1", N: 1})).Run(ctx)
	check("BatchWrite", err)
	var be *tablemap.BatchError
	if !errors.As(err, &be) || len(be.Unprocessed) != 1 || len(be.Unknown) != 0 {
		t.Errorf("BatchWrite: %v; want a BatchError with the write unprocessed, none unknown", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("BatchWrite took %v retrying a table without a client", d)
	}
}
