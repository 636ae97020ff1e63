package engine

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// firstRepeat is the first write whose key an earlier one has, by brute
// force.
func firstRepeat(writes []BatchItem) (j, i int, dup bool) {
	for i := range writes {
		for j := range i {
			if writes[j].Key == writes[i].Key {
				return j, i, true
			}
		}
	}
	return 0, 0, false
}

// A keyIndex finds what the keys themselves say, by their hash or, once
// two share one (forced here by hashes of few values), by their strings.
func TestKeyIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	hashes := map[string]func(Key) uint64{
		"maphash":  keyHash,
		"constant": func(Key) uint64 { return 7 },
		"by PK":    func(k Key) uint64 { return uint64(len(k.PK)) },
	}
	for n := range 200 {
		writes := make([]BatchItem, n)
		for i := range writes {
			// Few distinct parts: some batches repeat a key, and keys
			// share parts (PK "1" SK "12" and PK "11" SK "2").
			writes[i].Key = Key{PK: strconv.Itoa(r.IntN(2*n + 1)), SK: strconv.Itoa(r.IntN(8))}
		}
		wj, wi, wdup := firstRepeat(writes)
		for name, hash := range hashes {
			if j, i, dup := duplicateKeyBy(n, func(i int) Key { return writes[i].Key }, hash); dup != wdup || j != wj || i != wi {
				t.Fatalf("%s, %d writes: duplicate %d, %d, %v; want %d, %d, %v", name, n, j, i, dup, wj, wi, wdup)
			}
			var keys []Key
			x := newKeyIndex(n, func(i int) Key { return keys[i] })
			x.hash = hash
			for _, w := range writes {
				if _, ok := x.add(w.Key, len(keys)); !ok {
					keys = append(keys, w.Key)
				}
			}
			for i, k := range keys {
				if got, ok := x.find(k); !ok || got != i {
					t.Fatalf("%s, %d writes: find(%v) = %d, %v; want %d", name, n, k, got, ok, i)
				}
			}
			if _, ok := x.find(Key{PK: "none", SK: "0"}); ok {
				t.Fatalf("%s: found a key never added", name)
			}
		}
	}
}

// A BatchList holds what was added, in order, however many.
func TestBatchList(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 17, batchBlock - 1, batchBlock, batchBlock + 1, 5*batchBlock + 3} {
		var l BatchList
		for i := range n {
			l.Add(BatchEntry{Item: BatchItem{Entity: strconv.Itoa(i)}})
		}
		if l.Len() != n {
			t.Fatalf("Len = %d after %d adds", l.Len(), n)
		}
		for i := range n {
			if got := l.At(i).Item.Entity; got != strconv.Itoa(i) {
				t.Fatalf("%d adds: At(%d) = %s", n, i, got)
			}
		}
	}
}

// A BatchGet request's keys, their string values made in one allocation,
// are KeyItem's for every layout of key types, and each value is its own.
func TestKeyItemsAreKeyItem(t *testing.T) {
	tables := []*Table{
		{PK: "PK", SK: "SK"},
		{PK: "PK"},
		{PK: "id", SK: "n", Layout: Layout{AttrTypes: map[string]types.ScalarAttributeType{"n": types.ScalarAttributeTypeN}}},
		{PK: "b", SK: "s", Layout: Layout{AttrTypes: map[string]types.ScalarAttributeType{"b": types.ScalarAttributeTypeB}}},
	}
	keys := make([]Key, 130)
	for i := range keys {
		keys[i] = Key{PK: "P#" + strconv.Itoa(i), SK: strconv.Itoa(i * 7)}
	}
	opts := cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{}, types.AttributeValueMemberB{})
	for _, tb := range tables {
		if tb.SK == "" {
			for i := range keys {
				keys[i].SK = ""
			}
		}
		got := tb.keyItems(len(keys), func(j int) Key { return keys[j] })
		if s, ok := got[0][tb.PK].(*types.AttributeValueMemberS); ok {
			s.Value = "changed" // must change key 0 alone
		}
		for i, k := range keys[1:] {
			if d := cmp.Diff(tb.KeyItem(k), got[i+1], opts); d != "" {
				t.Fatalf("table %s/%s, key %d (-KeyItem +keyItems):\n%s", tb.PK, tb.SK, i+1, d)
			}
		}
	}
}
