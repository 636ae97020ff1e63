package engine

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

// Schema is the type-erased, precomputed description of an entity: what
// every operation needs, computed once by Define.
type Schema struct {
	Table     *Table
	Name      string // entity type name
	Typ       reflect.Type
	Codec     *codec.Struct
	TypeValue *types.AttributeValueMemberS // the type attribute's value

	// PutGuard is the built condition of a Put whose only condition is
	// the entity guard (absentOrOwn): the same for each such Put, so built
	// once (see Put.build).
	PutGuard func() (expression.Expression, error)

	Primary  *Index
	GSIs     []*Index // declared GSIs, by number
	Inverted *Index   // nil unless the table has an inverted index

	KeyFields map[string]bool     // attributes in the table's key templates
	GSIOf     map[string][]*Index // attribute -> GSIs whose templates use it

	Version, Created, Updated, TTL *codec.Field
	TTLEpoch                       bool // ttl is a time.Time the codec would not store as epoch seconds

	Encrypted []*codec.Field // fields tagged encrypted, sealed by the table's cipher

	// TableAttrs names the table's attributes an item of the entity may
	// hold: its keys, the type attribute and the entity's GSI keys, each
	// once. The codec skips them when decoding, and encoded items have room
	// for them.
	TableAttrs []string

	// NewValue decodes an item into a new value of the entity's Go type,
	// for code that handles items of several entities; ctx is for
	// decrypting.
	NewValue func(ctx context.Context, item map[string]types.AttributeValue) (any, error)
}

// An index is a key schema an entity's items are addressed by: the table's
// own key, a GSI, or the inverted index.
type Index struct {
	Name           string // "" for the table's key, "GSI1" … , "Inverted"
	Number         int    // GSI number; 0 for the table's key and the inverted index
	PKAttr, SKAttr string // the table's attribute names for this index's keys
	PK, SK         *KeyPart
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
}

// Pin marks the fields of sort key part k that partition key part pk reads.
func (k *KeyPart) Pin(pk *KeyPart) {
	k.Pinned = make([]bool, len(k.Fields))
	for i, f := range k.Fields {
		k.Pinned[i] = slices.Contains(pk.Fields, f)
	}
}

func (g *Index) PkTag() string { return g.PK.Tag }

func (s *Schema) DefErr(field, tag string, err error) *DefinitionError {
	return &DefinitionError{Struct: s.Typ.String(), Field: field, Tag: tag, Err: err}
}

func (s *Schema) NameTag() string { return fmt.Sprintf("tablemap:%q", s.Name) }

var TimeType = reflect.TypeFor[time.Time]()

func NewSchema(t *Table, typ reflect.Type) (*Schema, error) {
	s := &Schema{Table: t, Typ: typ, KeyFields: map[string]bool{}, GSIOf: map[string][]*Index{}}
	if typ.Kind() != reflect.Struct {
		return nil, s.DefErr("", "", fmt.Errorf("%s is not a struct", typ))
	}
	plan, err := codec.StructOf(typ)
	if err != nil {
		return nil, s.DefErr("", "", err)
	}
	s.Codec = plan

	tags, err := EntityTags(typ)
	if err != nil {
		return nil, s.DefErr("_", "", err)
	}
	s.Name = tags.Get("tablemap")
	if s.Name == "" {
		s.Name = typ.Name()
	}
	s.TypeValue = &types.AttributeValueMemberS{Value: s.Name}
	s.PutGuard = sync.OnceValues(func() (expression.Expression, error) {
		return expression.NewBuilder().WithCondition(s.AbsentOrOwn()).Build()
	})

	// Data attributes: none may take a key or type attribute's name; find
	// the fields with library-managed options.
	for _, f := range plan.Fields {
		if t.Reserved(f.Name) {
			return nil, s.DefErr(f.Path, FieldTag(typ, f), fmt.Errorf("attribute %q clashes with a key or type attribute of table %s", f.Name, t.Name))
		}
		if p := NestedEncrypted(f.Type, map[reflect.Type]bool{}); p != "" && !f.HasOption("encrypted") {
			return nil, s.DefErr(f.Path, FieldTag(typ, f), fmt.Errorf("nested field %s is tagged encrypted, but only top-level attributes can be; tag %s encrypted instead", p, f.Path))
		}
		for _, opt := range f.Options {
			var slot **codec.Field
			switch opt {
			case "version":
				slot = &s.Version
				if !IsInt(f.Type) {
					return nil, s.DefErr(f.Path, FieldTag(typ, f), fmt.Errorf("a version field must be an integer, not %s", f.Type))
				}
			case "created", "updated":
				slot = &s.Created
				if opt == "updated" {
					slot = &s.Updated
				}
				if f.Type != TimeType {
					return nil, s.DefErr(f.Path, FieldTag(typ, f), fmt.Errorf("a %s field must be a time.Time, not %s", opt, f.Type))
				}
			case "ttl":
				slot = &s.TTL
				if f.Type != TimeType && !IsInt(f.Type) {
					return nil, s.DefErr(f.Path, FieldTag(typ, f), fmt.Errorf("a ttl field must be a time.Time or an integer, not %s", f.Type))
				}
				s.TTLEpoch = f.Type == TimeType && !f.UnixTime
			case "encrypted":
				if managed := f.HasOption("version") || f.HasOption("created") || f.HasOption("updated") || f.HasOption("ttl"); managed {
					return nil, s.DefErr(f.Path, FieldTag(typ, f), errors.New("an encrypted field cannot be a version, created, updated or ttl field: DynamoDB must read those"))
				}
				if t.Cipher == nil {
					return nil, s.DefErr(f.Path, FieldTag(typ, f), fmt.Errorf("%w: give NewTable the option WithCipher", ErrNoCipher))
				}
				if !slices.Contains(s.Encrypted, f) {
					s.Encrypted = append(s.Encrypted, f)
				}
				continue
			default:
				continue
			}
			if *slot != nil {
				return nil, s.DefErr(f.Path, FieldTag(typ, f), fmt.Errorf("a second %s field (the first is %s)", opt, (*slot).Path))
			}
			*slot = f
		}
	}

	// The table's key.
	pkSrc, ok := tags.Lookup("pk")
	if !ok || pkSrc == "" {
		return nil, s.DefErr("_", `pk`, errors.New("missing pk template (declare it on a blank field: _ struct{} `pk:\"...\"`)"))
	}
	skSrc, ok := tags.Lookup("sk")
	skKey := "sk"
	if !ok {
		skSrc, skKey = pkSrc, "pk"
	}
	pk, err := s.KeyPart("pk", pkSrc)
	if err != nil {
		return nil, err
	}
	sk, err := s.KeyPart(skKey, skSrc)
	if err != nil {
		return nil, err
	}
	s.Primary = &Index{PKAttr: t.PK, SKAttr: t.SK, PK: pk, SK: sk}
	sk.Pin(pk)
	for _, k := range []*KeyPart{pk, sk} {
		for _, f := range k.Fields {
			s.KeyFields[f.Name] = true
		}
	}
	if t.Inverted {
		s.Inverted = &Index{Name: InvertedIndex, PKAttr: t.SK, SKAttr: t.PK, PK: sk, SK: pk}
		pk.Pin(sk)
	}

	// Global secondary indexes.
	for n := 1; n <= MaxGSIs; n++ {
		pkKey, skKey := fmt.Sprintf("gsi%dpk", n), fmt.Sprintf("gsi%dsk", n)
		pkSrc, hasPK := tags.Lookup(pkKey)
		skSrc, hasSK := tags.Lookup(skKey)
		if !hasPK && !hasSK {
			continue
		}
		if !hasPK {
			return nil, s.DefErr("_", fmt.Sprintf("%s:%q", skKey, skSrc), fmt.Errorf("index GSI%d has a sort key template but no %s", n, pkKey))
		}
		g := &Index{Name: GSIName(n), Number: n}
		g.PKAttr, g.SKAttr = t.GSIAttrs(n)
		if g.PK, err = s.KeyPart(pkKey, pkSrc); err != nil {
			return nil, err
		}
		if hasSK {
			if g.SK, err = s.KeyPart(skKey, skSrc); err != nil {
				return nil, err
			}
			g.SK.Pin(g.PK)
		}
		s.GSIs = append(s.GSIs, g)
		seen := map[string]bool{}
		for _, f := range g.Fields() {
			if !seen[f.Name] {
				seen[f.Name] = true
				s.GSIOf[f.Name] = append(s.GSIOf[f.Name], g)
			}
		}
	}
	for _, k := range tags.Keys {
		if !KnownTag(k) {
			return nil, s.DefErr("_", k, fmt.Errorf("unknown tablemap tag %q (index tags are gsi1pk … gsi%dsk)", k, MaxGSIs))
		}
	}
	s.TableAttrs = s.OwnAttrs()
	return s, nil
}

// OwnAttrs returns the table's attributes an item of the entity may hold
// (see schema.tableAttrs).
func (s *Schema) OwnAttrs() []string {
	t := s.Table
	attrs := []string{t.PK, t.SK, t.TypeAttr}
	for _, g := range s.GSIs {
		attrs = append(attrs, g.PKAttr)
		if g.SK != nil {
			attrs = append(attrs, g.SKAttr)
		}
	}
	slices.Sort(attrs)
	return slices.Compact(attrs)
}

// Overlaps reports whether the key templates of indexes g and o can build
// one (pk, sk) pair from some values (see keys.Overlap): then two entities
// could write one item.
func (g *Index) Overlaps(o *Index) bool {
	return g.PK.Overlaps(o.PK) && g.SK.Overlaps(o.SK)
}

func (k *KeyPart) Overlaps(o *KeyPart) bool {
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

func (s *Schema) KeyPart(tag, src string) (*KeyPart, error) {
	tagText := fmt.Sprintf("%s:%q", tag, src)
	tmpl, err := keys.Parse(src)
	if err != nil {
		return nil, s.DefErr("_", tagText, err)
	}
	k := &KeyPart{Tmpl: tmpl, Tag: tagText}
	for _, attr := range tmpl.Attrs() {
		f := s.Codec.Field(attr)
		if f == nil {
			return nil, s.DefErr("_", tagText, fmt.Errorf("template names attribute %q, which %s does not have", attr, s.Typ))
		}
		if f.HasOption("encrypted") {
			return nil, s.DefErr(f.Path, tagText, fmt.Errorf("key field %q is encrypted; DynamoDB must read key fields, so they cannot be encrypted", attr))
		}
		if f == s.Version || f == s.Updated {
			opt := "version"
			if f == s.Updated {
				opt = "updated"
			}
			return nil, s.DefErr(f.Path, tagText, fmt.Errorf("key field %q is the entity's %s field, which every Update changes without the item's keys: the key would go stale; template a field the application sets instead (a created field may be a key field: it is set once)", attr, opt))
		}
		if !keys.Supported(f.Type) {
			return nil, s.DefErr(f.Path, tagText, fmt.Errorf("key field %q has type %s; key fields must be strings, integers, bools or time.Time", attr, f.Type))
		}
		c, err := keys.Compile(f.Type)
		if err != nil {
			return nil, s.DefErr(f.Path, tagText, err)
		}
		k.Fields = append(k.Fields, f)
		k.Codecs = append(k.Codecs, c)
	}
	return k, nil
}

// FieldTag returns the codec tag of f as written on the struct.
func FieldTag(typ reflect.Type, f *codec.Field) string {
	sf := typ.FieldByIndex(f.Index)
	for _, key := range []string{"dynamo", "dynamodbav"} {
		if v, ok := sf.Tag.Lookup(key); ok {
			return fmt.Sprintf("%s:%q", key, v)
		}
	}
	return ""
}

func IsInt(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

func KnownTag(k string) bool {
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

// BlankTags are the key:"value" pairs of the blank fields of a struct.
type BlankTags struct {
	Keys []string
	Vals map[string]string
}

func (b BlankTags) Lookup(k string) (string, bool) { v, ok := b.Vals[k]; return v, ok }

func (b BlankTags) Get(k string) string { return b.Vals[k] }

// EntityTags collects the tags of T's blank (_) fields; a key given twice
// is an error.
func EntityTags(typ reflect.Type) (BlankTags, error) {
	b := BlankTags{Vals: map[string]string{}}
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
			if _, dup := b.Vals[name]; dup {
				return b, fmt.Errorf("tag %s given twice", name)
			}
			b.Vals[name] = val
			b.Keys = append(b.Keys, name)
		}
	}
	return b, nil
}

// Encode returns the item for the value at p: its data attributes (the
// encrypted ones sealed), the type attribute, the table's key and the keys
// of every index whose fields are all present.
func (s *Schema) Encode(ctx context.Context, p unsafe.Pointer) (map[string]types.AttributeValue, Key, error) {
	// The key first: a key field the codec also refuses (invalid UTF-8)
	// is an invalid key.
	key, err := s.Key(p)
	if err != nil {
		return nil, key, err
	}
	item, err := s.Codec.MarshalPtrRoom(p, len(s.TableAttrs))
	if err != nil {
		return nil, key, err
	}
	t := s.Table
	item[t.TypeAttr] = s.TypeValue
	item[t.PK] = &types.AttributeValueMemberS{Value: key.PK}
	item[t.SK] = &types.AttributeValueMemberS{Value: key.SK}
	for _, g := range s.GSIs {
		pk, sk, ok, err := g.Build(p)
		if err != nil {
			return nil, key, err
		}
		if !ok {
			continue // sparse: the item is not in this index
		}
		item[g.PKAttr] = &types.AttributeValueMemberS{Value: pk}
		if g.SK != nil {
			item[g.SKAttr] = &types.AttributeValueMemberS{Value: sk}
		}
	}
	if s.TTL != nil {
		v := s.TTL.Value(p)
		switch {
		case keys.IsZero(v):
			delete(item, s.TTL.Name)
		case s.TTLEpoch:
			item[s.TTL.Name] = EpochSeconds(v.Interface().(time.Time))
		}
	}
	if err := s.SealItem(ctx, item, key); err != nil {
		return nil, key, err
	}
	return item, key, nil
}

func EpochSeconds(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Unix(), 10)}
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
	item, err := s.OpenItem(ctx, item)
	if err != nil {
		return err
	}
	return s.Codec.UnmarshalPtrSkip(item, p, s.TableAttrs)
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

func VersionValue(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// TypeOf returns an item's entity type name ("" if it has none).
func (t *Table) TypeOf(item map[string]types.AttributeValue) string {
	if s, ok := item[t.TypeAttr].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}
