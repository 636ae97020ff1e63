package tablemap

import (
	"context"
	"reflect"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/engine"
)

// An Entity is one kind of item in a table, described by the struct type T.
// Define makes one from T's struct tags:
//
//	type Photo struct {
//		_        struct{}  `tablemap:"Photo" pk:"USER#{username}" sk:"PHOTO#{taken}" gsi1pk:"PHOTOS" gsi1sk:"{taken}"`
//		Username string    `dynamo:"username"`
//		Taken    time.Time `dynamo:"taken"`
//		URL      string    `dynamo:"url"`
//		Version  int       `dynamo:"v,version"`
//		Created  time.Time `dynamo:"created,created"`
//		Updated  time.Time `dynamo:"updated,updated"`
//		Expires  time.Time `dynamo:"expires,omitempty,ttl"`
//	}
//
// The blank field's tags declare the entity:
//
//   - tablemap: the entity type name, stored in every item's type attribute
//     ("_type" by default); the Go type name when empty or absent.
//   - pk, sk: the key templates of the table's partition and sort key. A
//     template is literal text and {attr} placeholders naming attributes of
//     T (dynamo tag names); a placeholder is followed by '#' or the end. pk
//     is required; without sk the sort key repeats the partition key (an
//     entity with one item per partition, like a user's profile).
//   - gsi1pk, gsi1sk … gsi20pk, gsi20sk: key templates of the global
//     secondary indexes GSI1 … GSI20. An index's sort key needs its
//     partition key. Every entity using an index must agree on whether it
//     has a sort key. An item whose index fields are empty gets no keys for
//     that index (a sparse index).
//
// Key fields must be strings, integers, bools or time.Time (see the
// internal/keys package for their sortable, escaped encoding). Every item
// stores the key attributes, the type attribute and all data attributes, so
// it decodes without parsing its keys. A version or updated field cannot be
// a key field of any template: every Update changes it without rewriting
// the keys, which would go stale. A created field can: it is set once.
//
// Entities on one table never share an item: Define refuses an entity
// whose table key (pk, sk) templates could build the key of another
// entity's item, naming both. Keys split on '#' into segments (an encoded
// value never holds '#'); two templates are disjoint when they have a
// different number of segments, or a pair of segments whose literal text
// differs where a value cannot make up the difference (an integer is
// 20 digits or '-' and 19 digits, a time has a fixed layout, a bool is
// "true" or "false", a string any escaped text). So "USER#{username}" /
// "PROFILE" and "USER#{username}" / "PHOTO#{taken}" are disjoint, while
// "C#{a}" / "S#{b}" and "C#{x}" / "S#{y}" are refused. Index keys may be
// shared: that is how a collection reads several entities at once.
//
// Field options beyond the codec's (omitempty, set, unixtime …):
//
//   - version: an integer version for optimistic locking (see Put, Update
//     and Delete).
//   - created, updated: time.Time fields the library sets on writes.
//   - ttl: the item's expiry, a time.Time or an integer, stored as epoch
//     seconds; CreateTable enables time to live on it. A zero value stores
//     no expiry. All entities of a table share one ttl attribute name.
//     DynamoDB deletes expired items only eventually (it can take days),
//     so the library hides them itself: an item is expired once its ttl is
//     at or before the current second of the table's clock (WithClock).
//     Get and BatchGet treat it as missing; Query, Scan and collections
//     leave it out with a filter in the same request, so Limit, pages and
//     Count agree. IncludeExpired on each of them reads it anyway. Put's
//     IfNotExists (and a Put of version 0) replaces it; Check's Exists
//     reports it missing and NotExists absent. Update reports it missing
//     (ErrNotFound), as Get does, so an update never brings an expired item
//     back; Delete removes it as any stored item.
//   - encrypted: the value is encrypted in the process by the table's
//     cipher and stored as a binary ciphertext bound to the table, the
//     item's key and the attribute name (see WithCipher). Any field type;
//     not key fields, nor version, created, updated or ttl fields.
//
// An Entity is immutable and safe for concurrent use.
type Entity[T any] struct {
	s *engine.Schema
	t *Table
}

// Define validates T's struct tags once and returns the entity it declares
// on table t. A malformed declaration is a *DefinitionError naming the
// struct, the field and the tag; the checks cover templates naming unknown
// attributes, a missing pk, a GSI sort key without its partition key, a
// type name used twice on a table, key fields of unsupported types, version
// or updated fields in key templates, table key templates that could build
// the key of another entity's item on the table (see Entity), and data
// attributes named like the table's key or type attributes.
func Define[T any](t *Table) (*Entity[T], error) {
	typ := reflect.TypeFor[T]()
	s, err := engine.NewSchema(t.core, typ)
	if err != nil {
		return nil, err
	}
	e := &Entity[T]{s: s, t: t}
	s.NewValue = func(ctx context.Context, item map[string]types.AttributeValue) (any, error) {
		return e.decode(ctx, item)
	}
	if err := t.core.Register(s); err != nil {
		return nil, err
	}
	return e, nil
}

// MustDefine is like Define but panics on error; for package-level entities.
func MustDefine[T any](t *Table) *Entity[T] {
	e, err := Define[T](t)
	if err != nil {
		panic(err)
	}
	return e
}

// Name returns the entity type name.
func (e *Entity[T]) Name() string { return e.s.Name }

// Table returns the table the entity is defined on.
func (e *Entity[T]) Table() *Table { return e.t }

// decode returns the item as a T.
func (e *Entity[T]) decode(ctx context.Context, item map[string]types.AttributeValue) (T, error) {
	var v T
	err := e.s.DecodeInto(ctx, item, unsafe.Pointer(&v))
	return v, err
}

// Decode returns an item read with the SDK (a GetItem, Query or stream
// record of this entity) as a T. An error is an *ItemError naming the
// item's key. Having no context, it decrypts encrypted attributes with
// context.Background(): a cipher calling a key service (Envelope) does so
// without the caller's deadline or values.
func (e *Entity[T]) Decode(item map[string]types.AttributeValue) (T, error) {
	v, err := e.decode(context.Background(), item)
	if err != nil {
		k, _ := e.s.Table.ItemKey(item)
		return v, &ItemError{Op: "Decode", Entity: e.s.Name, Key: k, Err: err}
	}
	return v, nil
}
