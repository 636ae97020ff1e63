package engine

import (
	"hash/maphash"
	"sync/atomic"
	"unsafe"

	"github.com/tablemap/tablemap/internal/expr"
)

// A writeKey is hundreds of bytes, strings among them: hashing one for a
// map lookup is a good part of rendering a write. The shape caches
// (writeShapes, userWrites) are fronted by a memo of a few slots, indexed
// by a cheap mix of the key's words: a request whose shape sits in its
// slot compares keys, which tells two shapes apart in their first words,
// instead of hashing one. Slots are set on a miss and only read
// otherwise, so the steady state writes nothing shared.

// memoSlots is the number of slots of a memo, a power of 2.
const memoSlots = 256

// memoSeed seeds the memos that hash strings (filter keys, projections).
var memoSeed = maphash.MakeSeed()

// memoIndex mixes the words of k that tell the shapes of a program apart
// most often into a slot index.
func (k *writeKey) memoIndex() uint64 {
	h := uint64(uintptr(unsafe.Pointer(k.s)))
	h = (h ^ uint64(uintptr(unsafe.Pointer(k.paths[0])))) * 0x9e3779b97f4a7c15
	h = (h ^ uint64(uintptr(unsafe.Pointer(k.paths[1])))) * 0x9e3779b97f4a7c15
	var small uint64 // the conditions and the first clauses' ops
	for i, c := range k.conds {
		small |= uint64(c) << (8 * i)
	}
	small |= uint64(k.ops[0])<<48 | uint64(k.ops[1])<<52 | uint64(k.ops[2])<<56 | uint64(k.ops[3])<<60
	h = (h ^ small) * 0x9e3779b97f4a7c15
	h = (h ^ uint64(k.nclause) ^ uint64(k.nuser)<<8) * 0x9e3779b97f4a7c15
	return h >> 32
}

// A shapeEntry is a compiled write shape and its key.
type shapeEntry struct {
	key  writeKey
	comp *expr.Compiled
}

var shapeMemo [memoSlots]atomic.Pointer[shapeEntry]

// writeShape returns the compiled shape of k, from the memo or
// writeShapes.
func writeShape(k *writeKey) (*expr.Compiled, error) {
	slot := &shapeMemo[k.memoIndex()%memoSlots]
	if e := slot.Load(); e != nil && e.key == *k {
		return e.comp, nil
	}
	comp, err := writeShapes.Get(*k, k.shape)
	if err == nil {
		slot.Store(&shapeEntry{key: *k, comp: comp})
	}
	return comp, err
}

var userWriteMemo [memoSlots]atomic.Pointer[userWrite]

// userWriteIndex is the slot of the userWrite of k and a caller's
// condition of structure user.
func userWriteIndex(k *writeKey, user []byte) uint64 {
	h := k.memoIndex()
	for _, b := range user {
		h = (h ^ uint64(b)) * 0x100000001b3
	}
	return h % memoSlots
}
