package engine

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/codec"
	"github.com/tablemap/tablemap/internal/keys"
)

// A Key is an item's table key (see the root package's Key).
type Key struct {
	PK, SK string
}

// String returns the key for messages, each part cut at 100 bytes.
func (k Key) String() string { return "PK " + keys.Quote(k.PK) + " SK " + keys.Quote(k.SK) }

// An index is a key schema an entity's items are addressed by: the table's
// own key, a GSI, or the inverted index.
type Index struct {
	Name           string   // "" for the table's key, "GSI1" … , "Inverted"
	Number         int      // GSI number; 0 for the table's key and the inverted index
	PKAttr, SKAttr string   // the table's attribute names for this index's keys
	PK, SK         *KeyPart // SK nil: the index (or table) has no sort key
	Local          bool     // a local secondary index: consistent reads allowed
	// keyAttrs caches KeyAttrs of the index for the table it was last
	// asked for: reading the table's map is a good part of building a read.
	keyAttrs atomic.Pointer[indexKeyAttrs]
}

// indexKeyAttrs is KeyAttrs(t, g) for the table t.
type indexKeyAttrs struct {
	t     *Table
	attrs []string
}

// A keyPart is one key attribute's template and the fields it reads.
type KeyPart struct {
	Tmpl   *keys.Template
	Tag    string         // the declaring tag, for messages: `pk:"USER#{username}"`
	Fields []*codec.Field // one per template attribute, in order
	Codecs []*keys.Codec  // the fields' key encodings, in the same order
	// Pinned marks the fields that the partition key of the index this
	// part sorts also reads: a query's partition fixes them, so a partial
	// value setting them does not ask to narrow the sort key.
	Pinned []bool
	// Kind is the attribute type the part is stored as: "" (S) for a
	// template, or N or B for a part that is exactly one number or []byte
	// field, stored as that value (its Key string is the number's decimal
	// text or the bytes).
	Kind types.ScalarAttributeType
	// Identity is set when the part is exactly the field stored under the
	// key attribute's own name: the field is the key attribute.
	Identity bool
}

// Pin marks the fields of sort key part k that partition key part pk reads.
func (k *KeyPart) Pin(pk *KeyPart) {
	k.Pinned = make([]bool, len(k.Fields))
	for i, f := range k.Fields {
		k.Pinned[i] = slices.Contains(pk.Fields, f)
	}
}

func (g *Index) PkTag() string { return g.PK.Tag }

// Overlaps reports whether the key templates of indexes g and o can build
// one (pk, sk) pair from some values (see keys.Overlap): then two entities
// could write one item.
func (g *Index) Overlaps(o *Index) bool {
	return g.PK.Overlaps(o.PK) && (g.SK == nil || o.SK == nil || g.SK.Overlaps(o.SK))
}

// Tags returns the declaring tags of the index's keys, for messages.
func (g *Index) Tags() string {
	if g.SK == nil {
		return g.PK.Tag
	}
	return g.PK.Tag + " " + g.SK.Tag
}

func (k *KeyPart) Overlaps(o *KeyPart) bool {
	if rawKind(k.Kind) || rawKind(o.Kind) {
		return storedKind(k.Kind) == storedKind(o.Kind)
	}
	return keys.Overlap(k.Tmpl, k.Types(), o.Tmpl, o.Types())
}

// Types returns the Go types of the fields the template reads, in order.
func (k *KeyPart) Types() []reflect.Type {
	ts := make([]reflect.Type, len(k.Fields))
	for i, f := range k.Fields {
		ts[i] = f.Type
	}
	return ts
}

// Fields returns the fields an index's templates read, partition key first.
func (g *Index) Fields() []*codec.Field {
	fs := append([]*codec.Field(nil), g.PK.Fields...)
	if g.SK != nil {
		fs = append(fs, g.SK.Fields...)
	}
	return fs
}

// DynamoDB's limits on key attribute values, in bytes, as stored.
const (
	MaxPartitionKeyBytes = 2048
	MaxSortKeyBytes      = 1024
)

// CheckKeySize refuses a key over limit bytes, quoting at most 100 bytes
// of it.
func CheckKeySize(tag, key string, limit int) error {
	if len(key) <= limit {
		return nil
	}
	return fmt.Errorf("%s: key %s is %d bytes, over DynamoDB's limit of %d: %w", tag, keys.Quote(key), len(key), limit, ErrInvalidKey)
}

// Limit returns the byte limit of the part's keys: MaxSortKeyBytes for a
// sort key (sk, gsi1sk, …), else MaxPartitionKeyBytes.
func (k *KeyPart) Limit() int {
	if name, _, _ := strings.Cut(k.Tag, ":"); strings.HasSuffix(name, "sk") {
		return MaxSortKeyBytes
	}
	return MaxPartitionKeyBytes
}

// Key builds the table key of the value at p.
func (s *Schema) Key(p unsafe.Pointer) (Key, error) {
	// Both parts are one string's, one allocation.
	var buf [256]byte
	b, err := s.Primary.PK.append(buf[:0], p)
	if err != nil {
		return Key{}, err
	}
	n := len(b)
	var skErr error
	if s.Primary.SK != nil {
		b, skErr = s.Primary.SK.append(b, p)
	}
	if skErr != nil {
		b = b[:n]
	}
	both := string(b)
	k := Key{PK: both[:n], SK: both[n:]}
	err = CheckKeySize(s.Primary.PK.Tag, k.PK, s.Primary.PK.Limit())
	if err == nil && s.Inverted != nil {
		err = CheckKeySize(s.Primary.PK.Tag+" (the inverted index's sort key)", k.PK, MaxSortKeyBytes)
	}
	if err != nil {
		return Key{}, err
	}
	if skErr == nil && s.Primary.SK != nil {
		skErr = CheckKeySize(s.Primary.SK.Tag, k.SK, s.Primary.SK.Limit())
	}
	if skErr != nil {
		return Key{PK: k.PK}, skErr
	}
	return k, nil
}

// KeyItem is k as the key map of a request.
func (t *Table) KeyItem(k Key) map[string]types.AttributeValue {
	if t.SK == "" {
		return map[string]types.AttributeValue{t.PK: t.KeyValue(t.PK, k.PK)}
	}
	return map[string]types.AttributeValue{
		t.PK: t.KeyValue(t.PK, k.PK),
		t.SK: t.KeyValue(t.SK, k.SK),
	}
}

// Ptr returns the address of field i of the value at p. Like
// codec.Field.Value before it, it allocates nil embedded struct pointers on
// the way, so a key field behind one is present (and zero) in the item.
func (k *KeyPart) Ptr(i int, p unsafe.Pointer) unsafe.Pointer { return k.Fields[i].PtrAlloc(p) }

// Empty reports whether field i at p cannot be a key field's value: an
// empty string or a zero time. Zero numbers and false are values like
// others.
func (k *KeyPart) Empty(i int, p unsafe.Pointer) bool {
	if rawKind(k.Kind) {
		return k.rawEmpty(p)
	}
	return k.Codecs[i].Empty(k.Ptr(i, p))
}

// Set reports whether field i at p is set: a non-empty string or time, a
// non-zero number, true.
func (k *KeyPart) Set(i int, p unsafe.Pointer) bool {
	if rawKind(k.Kind) {
		return k.rawSet(p)
	}
	return !k.Codecs[i].Zero(k.Ptr(i, p))
}

// FieldsUse says which of a key part's fields make a key or a key prefix.
type FieldsUse int

const (
	// allFields: every field; an empty one is an error (Get, Put, …).
	AllFields FieldsUse = iota
	// queryFields: a Query's partial value. The prefix runs through the
	// last set field: a non-empty string or time, a non-zero number, true.
	// A zero number or false before a set field is a value; trailing ones
	// are not given. An empty string or time before a set field is an
	// error, since a prefix cannot skip it.
	QueryFields
	// boundFields: the value of a sort key condition. The prefix runs up to
	// the first empty string or time; numbers and bools are values, zero
	// and false included. A set field after an empty one is an error.
	BoundFields
)

// Values encodes the part's fields of the value at p that use selects (see
// fieldsUse). Errors wrap ErrInvalidKey and name the fields.
func (k *KeyPart) Values(p unsafe.Pointer, use FieldsUse) ([]string, error) {
	n := len(k.Fields)
	if use != AllFields {
		if n = k.PrefixLen(p, use); n < 0 {
			return nil, k.GapErr(p)
		}
	}
	vals := make([]string, 0, n)
	var buf [64]byte
	for i := range n {
		b, err := k.AppendField(buf[:0], i, p)
		if err != nil {
			return nil, err
		}
		vals = append(vals, string(b))
	}
	return vals, nil
}

// AppendField appends the encoding of field i of the value at p to b. An
// empty field is an error wrapping ErrInvalidKey.
func (k *KeyPart) AppendField(b []byte, i int, p unsafe.Pointer) ([]byte, error) {
	if rawKind(k.Kind) {
		return k.appendRaw(b, p)
	}
	fp := k.Ptr(i, p)
	if k.Codecs[i].Empty(fp) {
		return b, fmt.Errorf("%s: key field %q is empty: %w", k.Tag, k.Fields[i].Name, ErrInvalidKey)
	}
	b, err := k.Codecs[i].Append(b, fp)
	if err != nil {
		return b, fmt.Errorf("%s: key field %q: %w: %w", k.Tag, k.Fields[i].Name, ErrInvalidKey, err)
	}
	return b, nil
}

// PrefixLen returns the number of leading fields of the value at p that
// make its key prefix for use, or -1 when a set field follows an empty one.
// A pinned field after an empty one is no gap: the partition fixes it.
func (k *KeyPart) PrefixLen(p unsafe.Pointer, use FieldsUse) int {
	firstEmpty, lastSet := len(k.Fields), -1
	for i := range k.Fields {
		switch {
		case firstEmpty == len(k.Fields) && k.Empty(i, p):
			firstEmpty = i
		case !k.Set(i, p):
		case i < firstEmpty:
			lastSet = i
		case !k.IsPinned(i):
			return -1
		}
	}
	if use == QueryFields {
		return lastSet + 1
	}
	return firstEmpty
}

// IsPinned reports whether field i is also read by the partition key of
// the index the part sorts (see keyPart.pinned).
func (k *KeyPart) IsPinned(i int) bool { return k.Pinned != nil && k.Pinned[i] }

// GapErr reports the first empty field of the value at p followed by a set
// one, which no key prefix can honour.
func (k *KeyPart) GapErr(p unsafe.Pointer) error {
	empty := ""
	for i, f := range k.Fields {
		if empty == "" && k.Empty(i, p) {
			empty = f.Name
		} else if empty != "" && k.Set(i, p) && !k.IsPinned(i) {
			return fmt.Errorf("%s: key field %q is set but %q before it is empty; a key prefix cannot skip a field: %w", k.Tag, f.Name, empty, ErrInvalidKey)
		}
	}
	return fmt.Errorf("%s: a key prefix cannot skip a field: %w", k.Tag, ErrInvalidKey)
}

// Prefix returns the key prefix of the encoded values vals (see
// keys.Template.Prefix); a raw part's one value is its key.
func (k *KeyPart) Prefix(vals []string) string {
	if rawKind(k.Kind) {
		return strings.Join(vals, "")
	}
	return k.Tmpl.Prefix(vals)
}

// Build returns the key of the value at p, within the part's size limit:
// the template's literals and the fields' encodings appended to one
// buffer, made a string once.
func (k *KeyPart) Build(p unsafe.Pointer) (string, error) {
	var buf [128]byte
	b, err := k.append(buf[:0], p)
	if err != nil {
		return "", err
	}
	key := string(b)
	return key, CheckKeySize(k.Tag, key, k.Limit())
}

// append appends the key of the value at p to b, unchecked for size.
func (k *KeyPart) append(b []byte, p unsafe.Pointer) ([]byte, error) {
	b = append(b, k.Tmpl.Literal(0)...)
	for i := range k.Fields {
		var err error
		if b, err = k.AppendField(b, i, p); err != nil {
			return b, err
		}
		b = append(b, k.Tmpl.Literal(i+1)...)
	}
	return b, nil
}

// Complete reports whether every field of the part is present (non-empty)
// at p.
func (k *KeyPart) Complete(p unsafe.Pointer) bool {
	for i := range k.Fields {
		if k.Empty(i, p) {
			return false
		}
	}
	return true
}

// Parse decodes key into the part's fields of the value at p.
func (k *KeyPart) Parse(key string, p unsafe.Pointer) error {
	if rawKind(k.Kind) {
		return k.parseRaw(key, p)
	}
	var buf [8]string
	var vals []string
	if n := k.Tmpl.NumAttrs(); n <= len(buf) {
		vals = buf[:n]
	} else {
		vals = make([]string, n)
	}
	if err := k.Tmpl.Split(key, vals); err != nil {
		return err
	}
	for i, f := range k.Fields {
		if err := k.Codecs[i].Decode(vals[i], k.Ptr(i, p)); err != nil {
			return fmt.Errorf("%s: key field %q: %w", k.Tag, f.Name, err)
		}
	}
	return nil
}

// Build returns the index keys of the value at p; ok is false when a field
// of the index is empty, so the item stays out of this (sparse) index.
func (g *Index) Build(p unsafe.Pointer) (pk, sk string, ok bool, err error) {
	if !g.PK.Complete(p) || g.SK != nil && !g.SK.Complete(p) {
		return "", "", false, nil
	}
	if pk, err = g.PK.Build(p); err != nil {
		return "", "", false, err
	}
	if g.SK != nil {
		if sk, err = g.SK.Build(p); err != nil {
			return "", "", false, err
		}
	}
	return pk, sk, true, nil
}

// IndexNamed returns the entity's index of the given name: "" for the
// table's key, "GSI1" … or a name the table declares for a secondary
// index, the inverted index's name (InvertedIndex by default). It returns nil when the entity has no such index.
func (s *Schema) IndexNamed(name string) *Index {
	switch {
	case name == "":
		return s.Primary
	case s.Inverted != nil && name == s.Inverted.Name:
		return s.Inverted
	}
	for _, g := range s.GSIs {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// IsKeyErr reports whether err is about a key that cannot be built.
func IsKeyErr(err error) bool { return errors.Is(err, ErrInvalidKey) }
