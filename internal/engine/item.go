package engine

import (
	"context"
	"reflect"
	"strconv"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/codec"
	"github.com/tablemap/tablemap/internal/keys"
)

// Encode returns the item for the value at p: its data attributes (the
// encrypted ones sealed), the type attribute, the table's key and the keys
// of every index whose fields are all present.
func (s *Schema) Encode(ctx context.Context, p unsafe.Pointer) (map[string]types.AttributeValue, Key, error) {
	item, key, _, err := s.EncodeSized(ctx, nil, p)
	return item, key, err
}

// EncodeSized is Encode returning the item's size too (see ItemSize),
// counted while encoding rather than in a second walk over the item. enc,
// if not nil, is the encoder of a run of items (see codec.Encoder).
func (s *Schema) EncodeSized(ctx context.Context, enc *codec.Encoder, p unsafe.Pointer) (map[string]types.AttributeValue, Key, int, error) {
	// The key first: a key field the codec also refuses (invalid UTF-8)
	// is an invalid key.
	key, err := s.Key(p)
	if err != nil {
		return nil, key, 0, err
	}
	item, size, err := s.encodeKeyed(ctx, enc, p, key, nil)
	return item, key, size, err
}

// encodeKeyed is EncodeSized of a value whose table key is key, into the
// empty map into, or a new map when into is nil.
func (s *Schema) encodeKeyed(ctx context.Context, enc *codec.Encoder, p unsafe.Pointer, key Key, into map[string]types.AttributeValue) (map[string]types.AttributeValue, int, error) {
	item, size, err := into, 0, error(nil)
	if into != nil {
		size, err = s.Codec.MarshalPtrInto(enc, p, into)
	} else {
		item, size, err = s.Codec.MarshalPtrSized(enc, p, len(s.TableAttrs))
	}
	if err != nil {
		return nil, 0, err
	}
	grew, err := s.encodeKeys(enc, item, key, p)
	if err != nil {
		return nil, 0, err
	}
	known := grew >= 0 // else a key attribute replaced a field
	size += grew
	if s.TTL != nil {
		v := s.TTL.Value(p)
		switch {
		case keys.IsZero(v):
			size += drop(item, s.TTL.Name)
		case s.TTLEpoch:
			size += replace(item, s.TTL.Name, EpochSeconds(v.Interface().(time.Time)))
		}
	}
	if len(s.Encrypted) > 0 {
		if err := s.SealItem(ctx, item, key); err != nil {
			return nil, 0, err
		}
		known = false // ciphertexts: sealing costs far more than a walk
	}
	if !known {
		size = ItemSize(item)
	}
	return item, size, nil
}

// set sets attribute name of item to av and returns how much the item's
// size grew (see ItemSize), and false when av replaced a value, whose size
// it does not know: looking each name up first would cost more than the
// rare walk over the item that a replaced key attribute (one that is also
// a field) then takes.
func set(item map[string]types.AttributeValue, name string, av types.AttributeValue) (int, bool) {
	n := len(item)
	item[name] = av
	return len(name) + codec.ValueSize(av), len(item) > n
}

// replace sets attribute name of item to av and returns how much the
// item's size grew.
func replace(item map[string]types.AttributeValue, name string, av types.AttributeValue) int {
	n := len(name) + codec.ValueSize(av)
	if old, ok := item[name]; ok {
		n -= len(name) + codec.ValueSize(old)
	}
	item[name] = av
	return n
}

// drop deletes attribute name of item and returns how much the item's
// size grew (0 or less).
func drop(item map[string]types.AttributeValue, name string) int {
	old, ok := item[name]
	if !ok {
		return 0
	}
	delete(item, name)
	return -len(name) - codec.ValueSize(old)
}

// encodeKeys sets the type (or match) attribute, the table's key and the
// keys of every index whose fields are all present in item, and returns
// how much the item's size grew, or -1 when it does not know (see set).
// String keys come from enc's blocks, as the item's values do.
func (s *Schema) encodeKeys(enc *codec.Encoder, item map[string]types.AttributeValue, key Key, p unsafe.Pointer) (int, error) {
	t := s.Table
	n, fresh := 0, true
	add := func(name string, av types.AttributeValue) {
		d, ok := set(item, name, av)
		n, fresh = n+d, fresh && ok
	}
	keyValue := func(attr, v string) types.AttributeValue {
		if typ := t.AttrType(attr); typ != types.ScalarAttributeTypeN && typ != types.ScalarAttributeTypeB {
			return enc.String(v)
		}
		return t.KeyValue(attr, v)
	}
	if t.TypeAttr != "" {
		add(t.TypeAttr, s.TypeValue)
	}
	if s.Match.Attr != "" {
		add(s.Match.Attr, &types.AttributeValueMemberS{Value: s.Match.Value})
	}
	add(t.PK, keyValue(t.PK, key.PK))
	if s.Primary.SK != nil {
		add(t.SK, keyValue(t.SK, key.SK))
	}
	for _, g := range s.GSIs {
		pk, sk, ok, err := g.Build(p)
		if err != nil {
			return 0, err
		}
		if !ok {
			// Sparse: the item is not in this index. A field that is the
			// index's key attribute must not be stored empty either.
			for _, k := range []*KeyPart{g.PK, g.SK} {
				if k != nil && k.Identity && k.rawEmpty(p) {
					n += drop(item, k.Fields[0].Name)
				}
			}
			continue
		}
		add(g.PKAttr, keyValue(g.PKAttr, pk))
		if g.SK != nil {
			add(g.SKAttr, keyValue(g.SKAttr, sk))
		}
	}
	if !fresh {
		return -1, nil
	}
	return n, nil
}

func EpochSeconds(t time.Time) types.AttributeValue {
	return NumberValue(t.Unix())
}

// EncodeValue encodes v, a value of f's type, as f's attribute value.
func (s *Schema) EncodeValue(f *codec.Field, v reflect.Value) (types.AttributeValue, error) {
	if f == s.TTL && s.TTLEpoch {
		return EpochSeconds(v.Interface().(time.Time)), nil
	}
	return f.Marshal(v)
}

// DecodeInto decodes item into the value at p, decrypting its encrypted
// attributes. Attributes that are not fields of the entity (the key and
// type attributes) are ignored; the codec reads a time.Time from epoch
// seconds too, so ttl fields need no help.
//
// The table's own attributes (its keys, the type and the entity's GSI keys)
// are never fields, and the codec skips them: otherwise each one would
// send it looking for a field whose name matches it case-insensitively (as
// attributevalue does), which more than doubles the cost of decoding an
// item, and would decode key attribute "PK" into a field named "pk" when
// the item has no "pk". The item is not modified.
// Decryption comes first: encrypted values are bound to the item's key.
func (s *Schema) DecodeInto(ctx context.Context, item map[string]types.AttributeValue, p unsafe.Pointer) error {
	return s.DecodeRead(ctx, item, p, false)
}

// keyOnlyFields sets the key fields an item holds only in its table key,
// as items written by other programs do (PK "USER#ann" and no attribute
// username), from that key; missing is the fields the item lacks, as its
// decoding found them.
func (s *Schema) keyOnlyFields(item map[string]types.AttributeValue, p unsafe.Pointer, missing codec.Missing) error {
	if missing&s.keyBits == 0 {
		return nil // the item holds every key field: tablemap's items do
	}
	if _, ok := item[s.Table.PK]; !ok {
		return nil // a projection without the keys: see GetRead.Decode
	}
	for _, k := range []*KeyPart{s.Primary.PK, s.Primary.SK} {
		if k == nil || k.Identity {
			continue
		}
		for _, f := range k.Fields {
			if _, ok := item[f.Name]; !ok {
				return s.FillKey(item, p)
			}
		}
	}
	return nil
}

// VersionOf returns the version field's value at p.
func (s *Schema) VersionOf(p unsafe.Pointer) int64 {
	v := s.Version.Value(p)
	if v.CanInt() {
		return v.Int()
	}
	return int64(v.Uint())
}

func (s *Schema) SetVersion(p unsafe.Pointer, n int64) {
	v := s.Version.Value(p)
	if v.CanInt() {
		v.SetInt(n)
	} else {
		v.SetUint(uint64(n))
	}
}

// StoredVersion reads the version attribute of a stored item (0 if none).
func (s *Schema) StoredVersion(item map[string]types.AttributeValue) int64 {
	n, ok := item[s.Version.Name].(*types.AttributeValueMemberN)
	if !ok {
		return 0
	}
	v, _ := strconv.ParseInt(n.Value, 10, 64)
	return v
}

// NumberValue is n as a number attribute value: versions, epoch seconds.
func NumberValue(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// TypeOf returns an item's entity type name ("" if it has none): its type
// attribute, or on a table without one the first entity that recognises
// it (see Recognises).
func (t *Table) TypeOf(item map[string]types.AttributeValue) string {
	if t.TypeAttr == "" {
		return t.recognise(item)
	}
	if s, ok := item[t.TypeAttr].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// keyFieldBits returns the fields keyOnlyFields looks for, as
// codec.Missing numbers them.
func (s *Schema) keyFieldBits() codec.Missing {
	var fs []*codec.Field
	for _, k := range []*KeyPart{s.Primary.PK, s.Primary.SK} {
		if k != nil && !k.Identity {
			fs = append(fs, k.Fields...)
		}
	}
	return s.Codec.MaskOf(fs)
}
