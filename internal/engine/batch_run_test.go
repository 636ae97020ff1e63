package engine

import (
	"math/rand/v2"
	"strconv"
	"testing"
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
			l.Add(BatchItem{Entity: strconv.Itoa(i)})
		}
		if l.Len() != n {
			t.Fatalf("Len = %d after %d adds", l.Len(), n)
		}
		for i := range n {
			if got := l.At(i).Entity; got != strconv.Itoa(i) {
				t.Fatalf("%d adds: At(%d) = %s", n, i, got)
			}
		}
	}
}
