package engine

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// duplicateKey finds the first write whose key an earlier one has, as the
// exact comparison of keys does, whether or not there is one.
func TestDuplicateKey(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		writes := make([]BatchItem, n)
		for i := range writes {
			// Few distinct parts, so that some batches repeat a key and
			// keys share a part with others (PK "a", SK "bc" vs "ab", "c").
			writes[i].Key = Key{PK: strconv.Itoa(r.IntN(3*n + 1)), SK: strconv.Itoa(r.IntN(8))}
			if r.IntN(4) == 0 {
				writes[i].Key.SK = writes[i].Key.PK + "x"
			}
		}
		j, i, dup := duplicateKey(writes)
		wj, wi, wdup := duplicateKeyExact(writes)
		if dup != wdup || j != wj || i != wi {
			t.Fatalf("%d writes: duplicateKey = %d, %d, %v; want %d, %d, %v", n, j, i, dup, wj, wi, wdup)
		}
		if dup && (j >= i || writes[j].Key != writes[i].Key) {
			t.Fatalf("%d writes: %d and %d are no duplicates: %v, %v", n, j, i, writes[j].Key, writes[i].Key)
		}
	}
	// Exact, by construction: the first repeat, named with its first write.
	writes := []BatchItem{{Key: Key{"a", "1"}}, {Key: Key{"b", "1"}}, {Key: Key{"a", "2"}}, {Key: Key{"b", "1"}}, {Key: Key{"a", "1"}}}
	if j, i, dup := duplicateKeyExact(writes); !dup || j != 1 || i != 3 {
		t.Errorf("duplicateKeyExact = %d, %d, %v; want 1, 3, true", j, i, dup)
	}
}
