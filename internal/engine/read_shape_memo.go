package engine

import (
	"sync/atomic"
	"unsafe"
)

// A read's shape is looked up in its table's QueryShapes (a sync.Map)
// by a ShapeKey of strings: hashing one is a good part of building a
// read. As the write shapes' (shape_memo.go), that lookup is fronted by a
// memo of a few slots indexed by a cheap mix of the key's pointers: a
// read whose shape sits in its slot compares keys instead of hashing one.
// Slots are set on a miss and only read otherwise.

// A readShapeEntry is a cached read shape, its table and its key.
type readShapeEntry struct {
	t     *Table
	key   ShapeKey
	shape *QueryShape
}

var readShapeMemo [memoSlots]atomic.Pointer[readShapeEntry]

// readShapeIndex mixes the words of k that tell a program's reads apart
// most often (string data by address: the same literal or field name is
// the same address) into a slot index.
func readShapeIndex(t *Table, k *ShapeKey) uint64 {
	const m = 0x9e3779b97f4a7c15
	h := uint64(uintptr(unsafe.Pointer(t)))
	h = (h ^ uint64(uintptr(unsafe.Pointer(k.G)))) * m
	h = (h ^ uint64(uintptr(unsafe.Pointer(unsafe.StringData(k.Ident))))) * m
	h = (h ^ uint64(uintptr(unsafe.Pointer(unsafe.StringData(k.Project[0]))))) * m
	h = (h ^ uint64(k.Op) ^ uint64(len(k.Filter))<<8 ^ uint64(len(k.Projects))<<24) * m
	if k.Scan {
		h ^= 1 << 62
	}
	if k.Expiry {
		h ^= 1 << 61
	}
	for i := 0; i < len(k.Filter); i++ {
		h = (h ^ uint64(k.Filter[i])) * 0x100000001b3
	}
	return (h >> 32) % memoSlots
}

// loadShape returns the cached shape of key in t, from the memo or
// t.QueryShapes.
func loadShape(t *Table, key *ShapeKey) (*QueryShape, bool) {
	slot := &readShapeMemo[readShapeIndex(t, key)]
	if e := slot.Load(); e != nil && e.t == t && e.key == *key {
		return e.shape, true
	}
	s, ok := t.QueryShapes.Load(*key)
	if !ok {
		return nil, false
	}
	shape := s.(*QueryShape)
	slot.Store(&readShapeEntry{t: t, key: *key, shape: shape})
	return shape, true
}
