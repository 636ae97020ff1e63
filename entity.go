package tablemap

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap/internal/codec"
	"github.com/tablemap/tablemap/internal/keys"
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
	s *schema
}

// schema is the type-erased, precomputed description of an entity: what
// every operation needs, computed once by Define.
type schema struct {
	table     *Table
	name      string // entity type name
	typ       reflect.Type
	codec     *codec.Struct
	typeValue *types.AttributeValueMemberS // the type attribute's value

	// putGuard is the built condition of a Put whose only condition is
	// the entity guard (absentOrOwn): the same for each such Put, so built
	// once (see Put.build).
	putGuard func() (expression.Expression, error)

	primary  *index
	gsis     []*index // declared GSIs, by number
	inverted *index   // nil unless the table has an inverted index

	keyFields map[string]bool     // attributes in the table's key templates
	gsiOf     map[string][]*index // attribute -> GSIs whose templates use it

	version, created, updated, ttl *codec.Field
	ttlEpoch                       bool // ttl is a time.Time the codec would not store as epoch seconds

	encrypted []*codec.Field // fields tagged encrypted, sealed by the table's cipher

	// tableAttrs names the table's attributes an item of the entity may
	// hold: its keys, the type attribute and the entity's GSI keys, each
	// once. The codec skips them when decoding, and encoded items have room
	// for them.
	tableAttrs []string

	// newValue decodes an item into a new value of the entity's Go type,
	// for code that handles items of several entities; ctx is for
	// decrypting.
	newValue func(ctx context.Context, item map[string]types.AttributeValue) (any, error)
}

// An index is a key schema an entity's items are addressed by: the table's
// own key, a GSI, or the inverted index.
type index struct {
	name           string // "" for the table's key, "GSI1" … , "Inverted"
	number         int    // GSI number; 0 for the table's key and the inverted index
	pkAttr, skAttr string // the table's attribute names for this index's keys
	pk, sk         *keyPart
}

// A keyPart is one key attribute's template and the fields it reads.
type keyPart struct {
	tmpl   *keys.Template
	tag    string         // the declaring tag, for messages: `pk:"USER#{username}"`
	fields []*codec.Field // one per template attribute, in order
	codecs []*keys.Codec  // the fields' key encodings, in the same order
	// pinned marks the fields that the partition key of the index this
	// part sorts also reads: a query's partition fixes them, so a partial
	// value setting them does not ask to narrow the sort key.
	pinned []bool
}

// pin marks the fields of sort key part k that partition key part pk reads.
func (k *keyPart) pin(pk *keyPart) {
	k.pinned = make([]bool, len(k.fields))
	for i, f := range k.fields {
		k.pinned[i] = slices.Contains(pk.fields, f)
	}
}

func (g *index) pkTag() string { return g.pk.tag }

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
	s, err := newSchema(t, typ)
	if err != nil {
		return nil, err
	}
	e := &Entity[T]{s: s}
	s.newValue = func(ctx context.Context, item map[string]types.AttributeValue) (any, error) {
		return e.decode(ctx, item)
	}
	if err := t.register(s); err != nil {
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
func (e *Entity[T]) Name() string { return e.s.name }

// Table returns the table the entity is defined on.
func (e *Entity[T]) Table() *Table { return e.s.table }

func (s *schema) defErr(field, tag string, err error) *DefinitionError {
	return &DefinitionError{Struct: s.typ.String(), Field: field, Tag: tag, Err: err}
}

func (s *schema) nameTag() string { return fmt.Sprintf("tablemap:%q", s.name) }

var timeType = reflect.TypeFor[time.Time]()

func newSchema(t *Table, typ reflect.Type) (*schema, error) {
	s := &schema{table: t, typ: typ, keyFields: map[string]bool{}, gsiOf: map[string][]*index{}}
	if typ.Kind() != reflect.Struct {
		return nil, s.defErr("", "", fmt.Errorf("%s is not a struct", typ))
	}
	plan, err := codec.StructOf(typ)
	if err != nil {
		return nil, s.defErr("", "", err)
	}
	s.codec = plan

	tags, err := entityTags(typ)
	if err != nil {
		return nil, s.defErr("_", "", err)
	}
	s.name = tags.get("tablemap")
	if s.name == "" {
		s.name = typ.Name()
	}
	s.typeValue = &types.AttributeValueMemberS{Value: s.name}
	s.putGuard = sync.OnceValues(func() (expression.Expression, error) {
		return expression.NewBuilder().WithCondition(s.absentOrOwn()).Build()
	})

	// Data attributes: none may take a key or type attribute's name; find
	// the fields with library-managed options.
	for _, f := range plan.Fields {
		if t.reserved(f.Name) {
			return nil, s.defErr(f.Path, fieldTag(typ, f), fmt.Errorf("attribute %q clashes with a key or type attribute of table %s", f.Name, t.name))
		}
		if p := nestedEncrypted(f.Type, map[reflect.Type]bool{}); p != "" && !f.HasOption("encrypted") {
			return nil, s.defErr(f.Path, fieldTag(typ, f), fmt.Errorf("nested field %s is tagged encrypted, but only top-level attributes can be; tag %s encrypted instead", p, f.Path))
		}
		for _, opt := range f.Options {
			var slot **codec.Field
			switch opt {
			case "version":
				slot = &s.version
				if !isInt(f.Type) {
					return nil, s.defErr(f.Path, fieldTag(typ, f), fmt.Errorf("a version field must be an integer, not %s", f.Type))
				}
			case "created", "updated":
				slot = &s.created
				if opt == "updated" {
					slot = &s.updated
				}
				if f.Type != timeType {
					return nil, s.defErr(f.Path, fieldTag(typ, f), fmt.Errorf("a %s field must be a time.Time, not %s", opt, f.Type))
				}
			case "ttl":
				slot = &s.ttl
				if f.Type != timeType && !isInt(f.Type) {
					return nil, s.defErr(f.Path, fieldTag(typ, f), fmt.Errorf("a ttl field must be a time.Time or an integer, not %s", f.Type))
				}
				s.ttlEpoch = f.Type == timeType && !f.UnixTime
			case "encrypted":
				if managed := f.HasOption("version") || f.HasOption("created") || f.HasOption("updated") || f.HasOption("ttl"); managed {
					return nil, s.defErr(f.Path, fieldTag(typ, f), errors.New("an encrypted field cannot be a version, created, updated or ttl field: DynamoDB must read those"))
				}
				if t.cipher == nil {
					return nil, s.defErr(f.Path, fieldTag(typ, f), fmt.Errorf("%w: give NewTable the option WithCipher", ErrNoCipher))
				}
				if !slices.Contains(s.encrypted, f) {
					s.encrypted = append(s.encrypted, f)
				}
				continue
			default:
				continue
			}
			if *slot != nil {
				return nil, s.defErr(f.Path, fieldTag(typ, f), fmt.Errorf("a second %s field (the first is %s)", opt, (*slot).Path))
			}
			*slot = f
		}
	}

	// The table's key.
	pkSrc, ok := tags.lookup("pk")
	if !ok || pkSrc == "" {
		return nil, s.defErr("_", `pk`, errors.New("missing pk template (declare it on a blank field: _ struct{} `pk:\"...\"`)"))
	}
	skSrc, ok := tags.lookup("sk")
	skKey := "sk"
	if !ok {
		skSrc, skKey = pkSrc, "pk"
	}
	pk, err := s.keyPart("pk", pkSrc)
	if err != nil {
		return nil, err
	}
	sk, err := s.keyPart(skKey, skSrc)
	if err != nil {
		return nil, err
	}
	s.primary = &index{pkAttr: t.pk, skAttr: t.sk, pk: pk, sk: sk}
	sk.pin(pk)
	for _, k := range []*keyPart{pk, sk} {
		for _, f := range k.fields {
			s.keyFields[f.Name] = true
		}
	}
	if t.inverted {
		s.inverted = &index{name: InvertedIndex, pkAttr: t.sk, skAttr: t.pk, pk: sk, sk: pk}
		pk.pin(sk)
	}

	// Global secondary indexes.
	for n := 1; n <= MaxGSIs; n++ {
		pkKey, skKey := fmt.Sprintf("gsi%dpk", n), fmt.Sprintf("gsi%dsk", n)
		pkSrc, hasPK := tags.lookup(pkKey)
		skSrc, hasSK := tags.lookup(skKey)
		if !hasPK && !hasSK {
			continue
		}
		if !hasPK {
			return nil, s.defErr("_", fmt.Sprintf("%s:%q", skKey, skSrc), fmt.Errorf("index GSI%d has a sort key template but no %s", n, pkKey))
		}
		g := &index{name: gsiName(n), number: n}
		g.pkAttr, g.skAttr = t.gsiAttrs(n)
		if g.pk, err = s.keyPart(pkKey, pkSrc); err != nil {
			return nil, err
		}
		if hasSK {
			if g.sk, err = s.keyPart(skKey, skSrc); err != nil {
				return nil, err
			}
			g.sk.pin(g.pk)
		}
		s.gsis = append(s.gsis, g)
		seen := map[string]bool{}
		for _, f := range g.fields() {
			if !seen[f.Name] {
				seen[f.Name] = true
				s.gsiOf[f.Name] = append(s.gsiOf[f.Name], g)
			}
		}
	}
	for _, k := range tags.keys {
		if !knownTag(k) {
			return nil, s.defErr("_", k, fmt.Errorf("unknown tablemap tag %q (index tags are gsi1pk … gsi%dsk)", k, MaxGSIs))
		}
	}
	s.tableAttrs = s.ownAttrs()
	return s, nil
}

// ownAttrs returns the table's attributes an item of the entity may hold
// (see schema.tableAttrs).
func (s *schema) ownAttrs() []string {
	t := s.table
	attrs := []string{t.pk, t.sk, t.typeAttr}
	for _, g := range s.gsis {
		attrs = append(attrs, g.pkAttr)
		if g.sk != nil {
			attrs = append(attrs, g.skAttr)
		}
	}
	slices.Sort(attrs)
	return slices.Compact(attrs)
}

// overlaps reports whether the key templates of indexes g and o can build
// one (pk, sk) pair from some values (see keys.Overlap): then two entities
// could write one item.
func (g *index) overlaps(o *index) bool {
	return g.pk.overlaps(o.pk) && g.sk.overlaps(o.sk)
}

func (k *keyPart) overlaps(o *keyPart) bool {
	return keys.Overlap(k.tmpl, k.types(), o.tmpl, o.types())
}

// types returns the Go types of the fields the template reads, in order.
func (k *keyPart) types() []reflect.Type {
	ts := make([]reflect.Type, len(k.fields))
	for i, f := range k.fields {
		ts[i] = f.Type
	}
	return ts
}

// fields returns the fields an index's templates read, partition key first.
func (g *index) fields() []*codec.Field {
	fs := append([]*codec.Field(nil), g.pk.fields...)
	if g.sk != nil {
		fs = append(fs, g.sk.fields...)
	}
	return fs
}

func (s *schema) keyPart(tag, src string) (*keyPart, error) {
	tagText := fmt.Sprintf("%s:%q", tag, src)
	tmpl, err := keys.Parse(src)
	if err != nil {
		return nil, s.defErr("_", tagText, err)
	}
	k := &keyPart{tmpl: tmpl, tag: tagText}
	for _, attr := range tmpl.Attrs() {
		f := s.codec.Field(attr)
		if f == nil {
			return nil, s.defErr("_", tagText, fmt.Errorf("template names attribute %q, which %s does not have", attr, s.typ))
		}
		if f.HasOption("encrypted") {
			return nil, s.defErr(f.Path, tagText, fmt.Errorf("key field %q is encrypted; DynamoDB must read key fields, so they cannot be encrypted", attr))
		}
		if f == s.version || f == s.updated {
			opt := "version"
			if f == s.updated {
				opt = "updated"
			}
			return nil, s.defErr(f.Path, tagText, fmt.Errorf("key field %q is the entity's %s field, which every Update changes without the item's keys: the key would go stale; template a field the application sets instead (a created field may be a key field: it is set once)", attr, opt))
		}
		if !keys.Supported(f.Type) {
			return nil, s.defErr(f.Path, tagText, fmt.Errorf("key field %q has type %s; key fields must be strings, integers, bools or time.Time", attr, f.Type))
		}
		c, err := keys.Compile(f.Type)
		if err != nil {
			return nil, s.defErr(f.Path, tagText, err)
		}
		k.fields = append(k.fields, f)
		k.codecs = append(k.codecs, c)
	}
	return k, nil
}

// fieldTag returns the codec tag of f as written on the struct.
func fieldTag(typ reflect.Type, f *codec.Field) string {
	sf := typ.FieldByIndex(f.Index)
	for _, key := range []string{"dynamo", "dynamodbav"} {
		if v, ok := sf.Tag.Lookup(key); ok {
			return fmt.Sprintf("%s:%q", key, v)
		}
	}
	return ""
}

func isInt(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

func knownTag(k string) bool {
	switch k {
	case "tablemap", "pk", "sk":
		return true
	}
	rest, ok := strings.CutPrefix(k, "gsi")
	if !ok {
		return true // another package's tag (json, …) on the blank field
	}
	num, ok := strings.CutSuffix(rest, "pk")
	if !ok {
		num, ok = strings.CutSuffix(rest, "sk")
	}
	n, err := strconv.Atoi(num)
	return ok && err == nil && n >= 1 && n <= MaxGSIs && strconv.Itoa(n) == num
}

// blankTags are the key:"value" pairs of the blank fields of a struct.
type blankTags struct {
	keys []string
	vals map[string]string
}

func (b blankTags) lookup(k string) (string, bool) { v, ok := b.vals[k]; return v, ok }
func (b blankTags) get(k string) string            { return b.vals[k] }

// entityTags collects the tags of T's blank (_) fields; a key given twice
// is an error.
func entityTags(typ reflect.Type) (blankTags, error) {
	b := blankTags{vals: map[string]string{}}
	for i := 0; i < typ.NumField(); i++ {
		sf := typ.Field(i)
		if sf.Name != "_" {
			continue
		}
		tag := string(sf.Tag)
		for tag != "" {
			// The struct tag grammar of reflect.StructTag.Lookup.
			tag = strings.TrimLeft(tag, " ")
			j := 0
			for j < len(tag) && tag[j] > ' ' && tag[j] != ':' && tag[j] != '"' && tag[j] != 0x7f {
				j++
			}
			if j == 0 || j+1 >= len(tag) || tag[j] != ':' || tag[j+1] != '"' {
				if strings.TrimSpace(tag) == "" {
					break
				}
				return b, fmt.Errorf("malformed struct tag %q", sf.Tag)
			}
			name := tag[:j]
			tag = tag[j+1:]
			j = 1
			for j < len(tag) && tag[j] != '"' {
				if tag[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(tag) {
				return b, fmt.Errorf("malformed struct tag %q", sf.Tag)
			}
			val, err := strconv.Unquote(tag[:j+1])
			if err != nil {
				return b, fmt.Errorf("malformed struct tag %q", sf.Tag)
			}
			tag = tag[j+1:]
			if _, dup := b.vals[name]; dup {
				return b, fmt.Errorf("tag %s given twice", name)
			}
			b.vals[name] = val
			b.keys = append(b.keys, name)
		}
	}
	return b, nil
}

// encode returns the item for the value at p: its data attributes (the
// encrypted ones sealed), the type attribute, the table's key and the keys
// of every index whose fields are all present.
func (s *schema) encode(ctx context.Context, p unsafe.Pointer) (map[string]types.AttributeValue, Key, error) {
	// The key first: a key field the codec also refuses (invalid UTF-8)
	// is an invalid key.
	key, err := s.key(p)
	if err != nil {
		return nil, key, err
	}
	item, err := s.codec.MarshalPtrRoom(p, len(s.tableAttrs))
	if err != nil {
		return nil, key, err
	}
	t := s.table
	item[t.typeAttr] = s.typeValue
	item[t.pk] = &types.AttributeValueMemberS{Value: key.PK}
	item[t.sk] = &types.AttributeValueMemberS{Value: key.SK}
	for _, g := range s.gsis {
		pk, sk, ok, err := g.build(p)
		if err != nil {
			return nil, key, err
		}
		if !ok {
			continue // sparse: the item is not in this index
		}
		item[g.pkAttr] = &types.AttributeValueMemberS{Value: pk}
		if g.sk != nil {
			item[g.skAttr] = &types.AttributeValueMemberS{Value: sk}
		}
	}
	if s.ttl != nil {
		v := s.ttl.Value(p)
		switch {
		case keys.IsZero(v):
			delete(item, s.ttl.Name)
		case s.ttlEpoch:
			item[s.ttl.Name] = epochSeconds(v.Interface().(time.Time))
		}
	}
	if err := s.sealItem(ctx, item, key); err != nil {
		return nil, key, err
	}
	return item, key, nil
}

func epochSeconds(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Unix(), 10)}
}

// encodeValue encodes v, a value of f's type, as f's attribute value.
func (s *schema) encodeValue(f *codec.Field, v reflect.Value) (types.AttributeValue, error) {
	if f == s.ttl && s.ttlEpoch {
		return epochSeconds(v.Interface().(time.Time)), nil
	}
	return f.Marshal(v)
}

// decodeInto decodes item into the value at p, decrypting its encrypted
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
func (s *schema) decodeInto(ctx context.Context, item map[string]types.AttributeValue, p unsafe.Pointer) error {
	item, err := s.openItem(ctx, item)
	if err != nil {
		return err
	}
	return s.codec.UnmarshalPtrSkip(item, p, s.tableAttrs)
}

// decode returns the item as a T.
func (e *Entity[T]) decode(ctx context.Context, item map[string]types.AttributeValue) (T, error) {
	var v T
	err := e.s.decodeInto(ctx, item, unsafe.Pointer(&v))
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
		k, _ := e.s.table.itemKey(item)
		return v, &ItemError{Op: "Decode", Entity: e.s.name, Key: k, Err: err}
	}
	return v, nil
}

// versionOf returns the version field's value at p.
func (s *schema) versionOf(p unsafe.Pointer) int64 {
	v := s.version.Value(p)
	if v.CanInt() {
		return v.Int()
	}
	return int64(v.Uint())
}

func (s *schema) setVersion(p unsafe.Pointer, n int64) {
	v := s.version.Value(p)
	if v.CanInt() {
		v.SetInt(n)
	} else {
		v.SetUint(uint64(n))
	}
}

// storedVersion reads the version attribute of a stored item (0 if none).
func (s *schema) storedVersion(item map[string]types.AttributeValue) int64 {
	n, ok := item[s.version.Name].(*types.AttributeValueMemberN)
	if !ok {
		return 0
	}
	v, _ := strconv.ParseInt(n.Value, 10, 64)
	return v
}

func versionValue(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// decodeItem decodes an item of any entity defined on the table, chosen by
// its type attribute, into a value of that entity's Go type (a T, not a
// *T): how a collection query turns mixed items into typed values.
func (t *Table) decodeItem(ctx context.Context, item map[string]types.AttributeValue) (any, error) {
	typ := t.typeOf(item)
	s := t.schemaOf(typ)
	if s == nil {
		return nil, fmt.Errorf("tablemap: table %s: item of unknown entity type %q", t.name, typ)
	}
	v, err := s.newValue(ctx, item)
	if err != nil {
		k, _ := t.itemKey(item)
		return nil, &ItemError{Op: "Decode", Entity: s.name, Key: k, Err: err}
	}
	return v, nil
}

// typeOf returns an item's entity type name ("" if it has none).
func (t *Table) typeOf(item map[string]types.AttributeValue) string {
	if s, ok := item[t.typeAttr].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}
