package tablemap

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap/internal/keys"
)

// A Key is an item's table key: the values of its partition key and sort
// key attributes.
type Key struct {
	PK, SK string
}

// String returns the key as `PK "…" SK "…"`, for messages: a part over
// 100 bytes is cut there and followed by its length.
func (k Key) String() string { return "PK " + keys.Quote(k.PK) + " SK " + keys.Quote(k.SK) }

// DynamoDB's limits on key attribute values, in bytes (of the UTF-8 key
// strings, as stored: after escaping). A key over its limit, of the table
// or of an index, is an error wrapping ErrInvalidKey before any request.
// With an inverted index (WithInvertedIndex) the table's partition key is
// also that index's sort key, so it is held to MaxSortKeyBytes.
const (
	MaxPartitionKeyBytes = 2048
	MaxSortKeyBytes      = 1024
)

// checkKeySize refuses a key over limit bytes, quoting at most 100 bytes
// of it.
func checkKeySize(tag, key string, limit int) error {
	if len(key) <= limit {
		return nil
	}
	return fmt.Errorf("%s: key %s is %d bytes, over DynamoDB's limit of %d: %w", tag, keys.Quote(key), len(key), limit, ErrInvalidKey)
}

// limit returns the byte limit of the part's keys: MaxSortKeyBytes for a
// sort key (sk, gsi1sk, …), else MaxPartitionKeyBytes.
func (k *keyPart) limit() int {
	if name, _, _ := strings.Cut(k.tag, ":"); strings.HasSuffix(name, "sk") {
		return MaxSortKeyBytes
	}
	return MaxPartitionKeyBytes
}

// Key returns the table key of v, built from its key fields through the pk
// and sk templates. An empty key field (an empty string, a zero time) is an
// error wrapping ErrInvalidKey; zero numbers and false are values like
// others. So is a key over DynamoDB's size limits (MaxPartitionKeyBytes,
// MaxSortKeyBytes). Get, Put, Delete and Update build keys the same way;
// for the partial values of queries, see Query.
func (e *Entity[T]) Key(v T) (Key, error) {
	k, err := e.s.key(unsafe.Pointer(&v))
	if err != nil {
		return k, &ItemError{Op: "Key", Entity: e.s.name, Kind: ErrInvalidKey, Err: err}
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
		k   *keyPart
		key string
	}{{e.s.primary.pk, pk}, {e.s.primary.sk, sk}} {
		if err := part.k.parse(part.key, p); err != nil {
			var zero T
			return zero, &ItemError{Op: "ParseKey", Entity: e.s.name, Key: Key{pk, sk}, Kind: ErrInvalidKey, Err: err}
		}
	}
	return v, nil
}

// key builds the table key of the value at p.
func (s *schema) key(p unsafe.Pointer) (Key, error) {
	pk, err := s.primary.pk.build(p)
	if err == nil && s.inverted != nil {
		err = checkKeySize(s.primary.pk.tag+" (the inverted index's sort key)", pk, MaxSortKeyBytes)
	}
	if err != nil {
		return Key{}, err
	}
	sk, err := s.primary.sk.build(p)
	if err != nil {
		return Key{PK: pk}, err
	}
	return Key{PK: pk, SK: sk}, nil
}

// keyItem is k as the key map of a request.
func (t *Table) keyItem(k Key) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		t.pk: &types.AttributeValueMemberS{Value: k.PK},
		t.sk: &types.AttributeValueMemberS{Value: k.SK},
	}
}

// ptr returns the address of field i of the value at p. Like
// codec.Field.Value before it, it allocates nil embedded struct pointers on
// the way, so a key field behind one is present (and zero) in the item.
func (k *keyPart) ptr(i int, p unsafe.Pointer) unsafe.Pointer { return k.fields[i].PtrAlloc(p) }

// empty reports whether field i at p cannot be a key field's value: an
// empty string or a zero time. Zero numbers and false are values like
// others.
func (k *keyPart) empty(i int, p unsafe.Pointer) bool { return k.codecs[i].Empty(k.ptr(i, p)) }

// set reports whether field i at p is set: a non-empty string or time, a
// non-zero number, true.
func (k *keyPart) set(i int, p unsafe.Pointer) bool { return !k.codecs[i].Zero(k.ptr(i, p)) }

// fieldsUse says which of a key part's fields make a key or a key prefix.
type fieldsUse int

const (
	// allFields: every field; an empty one is an error (Get, Put, …).
	allFields fieldsUse = iota
	// queryFields: a Query's partial value. The prefix runs through the
	// last set field: a non-empty string or time, a non-zero number, true.
	// A zero number or false before a set field is a value; trailing ones
	// are not given. An empty string or time before a set field is an
	// error, since a prefix cannot skip it.
	queryFields
	// boundFields: the value of a sort key condition. The prefix runs up to
	// the first empty string or time; numbers and bools are values, zero
	// and false included. A set field after an empty one is an error.
	boundFields
)

// values encodes the part's fields of the value at p that use selects (see
// fieldsUse). Errors wrap ErrInvalidKey and name the fields.
func (k *keyPart) values(p unsafe.Pointer, use fieldsUse) ([]string, error) {
	n := len(k.fields)
	if use != allFields {
		if n = k.prefixLen(p, use); n < 0 {
			return nil, k.gapErr(p)
		}
	}
	vals := make([]string, 0, n)
	var buf [64]byte
	for i := range n {
		b, err := k.appendField(buf[:0], i, p)
		if err != nil {
			return nil, err
		}
		vals = append(vals, string(b))
	}
	return vals, nil
}

// appendField appends the encoding of field i of the value at p to b. An
// empty field is an error wrapping ErrInvalidKey.
func (k *keyPart) appendField(b []byte, i int, p unsafe.Pointer) ([]byte, error) {
	fp := k.ptr(i, p)
	if k.codecs[i].Empty(fp) {
		return b, fmt.Errorf("%s: key field %q is empty: %w", k.tag, k.fields[i].Name, ErrInvalidKey)
	}
	b, err := k.codecs[i].Append(b, fp)
	if err != nil {
		return b, fmt.Errorf("%s: key field %q: %w: %w", k.tag, k.fields[i].Name, ErrInvalidKey, err)
	}
	return b, nil
}

// prefixLen returns the number of leading fields of the value at p that
// make its key prefix for use, or -1 when a set field follows an empty one.
// A pinned field after an empty one is no gap: the partition fixes it.
func (k *keyPart) prefixLen(p unsafe.Pointer, use fieldsUse) int {
	firstEmpty, lastSet := len(k.fields), -1
	for i := range k.fields {
		switch {
		case firstEmpty == len(k.fields) && k.empty(i, p):
			firstEmpty = i
		case !k.set(i, p):
		case i < firstEmpty:
			lastSet = i
		case !k.isPinned(i):
			return -1
		}
	}
	if use == queryFields {
		return lastSet + 1
	}
	return firstEmpty
}

// isPinned reports whether field i is also read by the partition key of
// the index the part sorts (see keyPart.pinned).
func (k *keyPart) isPinned(i int) bool { return k.pinned != nil && k.pinned[i] }

// gapErr reports the first empty field of the value at p followed by a set
// one, which no key prefix can honour.
func (k *keyPart) gapErr(p unsafe.Pointer) error {
	empty := ""
	for i, f := range k.fields {
		if empty == "" && k.empty(i, p) {
			empty = f.Name
		} else if empty != "" && k.set(i, p) && !k.isPinned(i) {
			return fmt.Errorf("%s: key field %q is set but %q before it is empty; a key prefix cannot skip a field: %w", k.tag, f.Name, empty, ErrInvalidKey)
		}
	}
	return fmt.Errorf("%s: a key prefix cannot skip a field: %w", k.tag, ErrInvalidKey)
}

// build returns the key of the value at p, within the part's size limit:
// the template's literals and the fields' encodings appended to one
// buffer, made a string once.
func (k *keyPart) build(p unsafe.Pointer) (string, error) {
	var buf [128]byte
	b := append(buf[:0], k.tmpl.Literal(0)...)
	for i := range k.fields {
		var err error
		if b, err = k.appendField(b, i, p); err != nil {
			return "", err
		}
		b = append(b, k.tmpl.Literal(i+1)...)
	}
	key := string(b)
	return key, checkKeySize(k.tag, key, k.limit())
}

// complete reports whether every field of the part is present (non-empty)
// at p.
func (k *keyPart) complete(p unsafe.Pointer) bool {
	for i := range k.fields {
		if k.empty(i, p) {
			return false
		}
	}
	return true
}

// parse decodes key into the part's fields of the value at p.
func (k *keyPart) parse(key string, p unsafe.Pointer) error {
	var buf [8]string
	var vals []string
	if n := k.tmpl.NumAttrs(); n <= len(buf) {
		vals = buf[:n]
	} else {
		vals = make([]string, n)
	}
	if err := k.tmpl.Split(key, vals); err != nil {
		return err
	}
	for i, f := range k.fields {
		if err := k.codecs[i].Decode(vals[i], k.ptr(i, p)); err != nil {
			return fmt.Errorf("%s: key field %q: %w", k.tag, f.Name, err)
		}
	}
	return nil
}

// build returns the index keys of the value at p; ok is false when a field
// of the index is empty, so the item stays out of this (sparse) index.
func (g *index) build(p unsafe.Pointer) (pk, sk string, ok bool, err error) {
	if !g.pk.complete(p) || g.sk != nil && !g.sk.complete(p) {
		return "", "", false, nil
	}
	if pk, err = g.pk.build(p); err != nil {
		return "", "", false, err
	}
	if g.sk != nil {
		if sk, err = g.sk.build(p); err != nil {
			return "", "", false, err
		}
	}
	return pk, sk, true, nil
}

// A keyPrefix addresses the items of a partial value on one index: the
// partition key (complete) and a sort key prefix from the value's leading
// sort key fields (see queryFields), ending on a field boundary.
type keyPrefix struct {
	Index          string // "" for the table's key, "GSI1" … , "Inverted"
	PKAttr, SKAttr string // attribute names of the index's keys; SKAttr "" if it has no sort key
	PK             string
	SKPrefix       string // begins_with(SKAttr, SKPrefix); "" when no field and no literal
	SKComplete     bool   // every sort key field was given: SKPrefix is a full key
}

// indexNamed returns the entity's index of the given name: "" for the
// table's key, "GSI1" … for a declared GSI, InvertedIndex for the inverted
// index. It returns nil when the entity has no such index.
func (s *schema) indexNamed(name string) *index {
	switch name {
	case "":
		return s.primary
	case InvertedIndex:
		return s.inverted
	}
	for _, g := range s.gsis {
		if g.name == name {
			return g
		}
	}
	return nil
}

// prefix returns the partition key and sort key prefix of the value at p
// on index g. Every partition key field must be present (ErrInvalidKey
// otherwise); the sort key takes the fields queryFields selects.
func (g *index) prefix(p unsafe.Pointer) (keyPrefix, error) {
	kp := keyPrefix{Index: g.name, PKAttr: g.pkAttr}
	pk, err := g.pk.build(p)
	if err != nil {
		return kp, err
	}
	kp.PK = pk
	if g.sk == nil {
		return kp, nil
	}
	kp.SKAttr = g.skAttr
	vals, err := g.sk.values(p, queryFields)
	if err != nil {
		return kp, err
	}
	kp.SKPrefix = g.sk.tmpl.Prefix(vals)
	kp.SKComplete = len(vals) == len(g.sk.fields)
	return kp, nil
}

// prefix returns the partition key and sort key prefix of the partial value
// v on the named index ("" for the table's key; see indexNamed). Errors
// name the entity and wrap ErrInvalidKey.
func (e *Entity[T]) prefix(indexName string, v T) (keyPrefix, error) {
	g := e.s.indexNamed(indexName)
	if g == nil {
		return keyPrefix{}, &ItemError{Op: "Query", Entity: e.s.name, Kind: ErrInvalidKey, Err: fmt.Errorf("entity has no index %q", indexName)}
	}
	kp, err := g.prefix(unsafe.Pointer(&v))
	if err != nil {
		return kp, &ItemError{Op: "Query", Entity: e.s.name, Kind: ErrInvalidKey, Err: err}
	}
	return kp, nil
}

// isKeyErr reports whether err is about a key that cannot be built.
func isKeyErr(err error) bool { return errors.Is(err, ErrInvalidKey) }
