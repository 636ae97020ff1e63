package tablemap

import (
	"unsafe"

	"github.com/tablemap/tablemap/internal/engine"
)

// A Key is an item's table key: PK and SK hold the values of its partition
// key and sort key attributes. Its String method returns it as
// `PK "…" SK "…"`, for messages: a part over 100 bytes is cut there and
// followed by its length.
type Key = engine.Key

// DynamoDB's limits on key attribute values, in bytes (of the UTF-8 key
// strings, as stored: after escaping): 2048 for a partition key, 1024 for
// a sort key. A key over its limit, of the table or of an index, is an
// error wrapping ErrInvalidKey before any request. With an inverted index
// (WithInvertedIndex) the table's partition key is also that index's sort
// key, so it is held to MaxSortKeyBytes.
const (
	MaxPartitionKeyBytes = engine.MaxPartitionKeyBytes
	MaxSortKeyBytes      = engine.MaxSortKeyBytes
)

// Key returns the table key of v, built from its key fields through the pk
// and sk templates. An empty key field (an empty string, a zero time) is an
// error wrapping ErrInvalidKey; zero numbers and false are values like
// others. So is a key over DynamoDB's size limits (MaxPartitionKeyBytes,
// MaxSortKeyBytes). Get, Put, Delete and Update build keys the same way;
// for the partial values of queries, see Query.
func (e *Entity[T]) Key(v T) (Key, error) {
	k, err := e.s.Key(unsafe.Pointer(&v))
	if err != nil {
		return k, &ItemError{Op: "Key", Entity: e.s.Name, Kind: ErrInvalidKey, Err: err}
	}
	return k, nil
}

// ParseKey returns a T whose key fields hold the values the key attributes
// pk and sk were built from; its other fields are zero. A key that this
// entity's templates did not build is an error wrapping ErrInvalidKey.
func (e *Entity[T]) ParseKey(pk, sk string) (T, error) {
	var v T
	p := unsafe.Pointer(&v)
	for _, part := range []struct {
		k   *engine.KeyPart
		key string
	}{{e.s.Primary.PK, pk}, {e.s.Primary.SK, sk}} {
		if err := part.k.Parse(part.key, p); err != nil {
			var zero T
			return zero, &ItemError{Op: "ParseKey", Entity: e.s.Name, Key: Key{PK: pk, SK: sk}, Kind: ErrInvalidKey, Err: err}
		}
	}
	return v, nil
}
