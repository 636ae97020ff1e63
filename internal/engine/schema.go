package engine

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

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

	Primary  *Index
	GSIs     []*Index // declared GSIs, by number
	Inverted *Index   // nil unless the table has an inverted index

	KeyFields map[string]bool     // attributes in the table's key templates
	GSIOf     map[string][]*Index // attribute -> GSIs whose templates use it

	Version, Created, Updated, TTL *codec.Field
	TTLEpoch                       bool // ttl is a time.Time the codec would not store as epoch seconds

	Encrypted []*codec.Field // fields tagged encrypted, sealed by the table's cipher

	// Match recognises the entity's items on a table without type
	// attribute: the attribute and value of its match tag, or (Attr "")
	// the shape of its keys (see Recognises).
	Match struct{ Attr, Value string }

	keyBits codec.Missing // the fields of the table key's templates (see keyOnlyFields)

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

// DefErr is the DefinitionError of the entity at field and tag.
func (s *Schema) DefErr(field, tag string, err error) *DefinitionError {
	return &DefinitionError{Struct: s.Typ.String(), Field: field, Tag: tag, Err: err}
}

// fieldErr is the DefinitionError of field f, quoting its codec tag.
func (s *Schema) fieldErr(f *codec.Field, err error) *DefinitionError {
	return s.DefErr(f.Path, FieldTag(s.Typ, f), err)
}

func (s *Schema) NameTag() string { return fmt.Sprintf("tablemap:%q", s.Name) }

var TimeType = reflect.TypeFor[time.Time]()

// NewSchema compiles the entity type typ on table t: its tags, key
// templates, indexes and managed fields, each checked (see Define). A
// refusal is a *DefinitionError naming the struct, the field and the tag.
func NewSchema(t *Table, typ reflect.Type) (*Schema, error) {
	s := &Schema{Table: t, Typ: typ, KeyFields: map[string]bool{}, GSIOf: map[string][]*Index{}}
	if typ.Kind() != reflect.Struct {
		return nil, s.DefErr("", "", fmt.Errorf("%s is not a struct", typ))
	}
	if err := t.CheckLayout(); err != nil {
		return nil, s.DefErr("", "", err)
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
	s.setName(tags)
	if err := s.dataFields(); err != nil {
		return nil, err
	}
	if err := s.tableKey(tags); err != nil {
		return nil, err
	}
	for n := 1; n <= MaxGSIs; n++ {
		if err := s.gsi(tags, n); err != nil {
			return nil, err
		}
	}
	if err := s.declaredIndexes(tags); err != nil {
		return nil, err
	}
	for _, k := range tags.Keys {
		if !KnownTag(k) {
			return nil, s.DefErr("_", k, fmt.Errorf("unknown tablemap tag %q (index tags are gsi1pk … gsi%dsk)", k, MaxGSIs))
		}
	}
	if err := s.matchTag(tags); err != nil {
		return nil, err
	}
	if err := s.reservedFields(); err != nil {
		return nil, err
	}
	s.TableAttrs = s.OwnAttrs()
	s.keyBits = s.keyFieldBits()
	return s, nil
}

// setName sets the entity type name (the tablemap tag, else the Go type's
// name) and what derives from it.
func (s *Schema) setName(tags BlankTags) {
	s.Name = tags.Get("tablemap")
	if s.Name == "" {
		s.Name = s.Typ.Name()
	}
	s.TypeValue = &types.AttributeValueMemberS{Value: s.Name}
}

// dataFields checks the data attributes, none of which may take a key or
// type attribute's name, and finds the fields with library-managed
// options.
func (s *Schema) dataFields() error {
	for _, f := range s.Codec.Fields {
		if p := NestedEncrypted(f.Type, map[reflect.Type]bool{}); p != "" && !f.HasOption("encrypted") {
			return s.fieldErr(f, fmt.Errorf("nested field %s is tagged encrypted, but only top-level attributes can be; tag %s encrypted instead", p, f.Path))
		}
		for _, opt := range f.Options {
			if err := s.managedField(f, opt); err != nil {
				return err
			}
		}
	}
	return nil
}

// managedField records f as the entity's field of option opt (version,
// created, updated, ttl, encrypted), checking its type and that no other
// field has the option; other options are the codec's.
func (s *Schema) managedField(f *codec.Field, opt string) error {
	var slot **codec.Field
	switch opt {
	case "version":
		slot = &s.Version
		if !IsInt(f.Type) {
			return s.fieldErr(f, fmt.Errorf("a version field must be an integer, not %s", f.Type))
		}
	case "created", "updated":
		slot = &s.Created
		if opt == "updated" {
			slot = &s.Updated
		}
		if f.Type != TimeType {
			return s.fieldErr(f, fmt.Errorf("a %s field must be a time.Time, not %s", opt, f.Type))
		}
	case "ttl":
		slot = &s.TTL
		if f.Type != TimeType && !IsInt(f.Type) {
			return s.fieldErr(f, fmt.Errorf("a ttl field must be a time.Time or an integer, not %s", f.Type))
		}
		s.TTLEpoch = f.Type == TimeType && !f.UnixTime
	case "encrypted":
		return s.encryptedField(f)
	default:
		return nil
	}
	if *slot != nil {
		return s.fieldErr(f, fmt.Errorf("a second %s field (the first is %s)", opt, (*slot).Path))
	}
	*slot = f
	return nil
}

// encryptedField records f as sealed by the table's cipher.
func (s *Schema) encryptedField(f *codec.Field) error {
	if managed := f.HasOption("version") || f.HasOption("created") || f.HasOption("updated") || f.HasOption("ttl"); managed {
		return s.fieldErr(f, errors.New("an encrypted field cannot be a version, created, updated or ttl field: DynamoDB must read those"))
	}
	if s.Table.Cipher == nil {
		return s.fieldErr(f, fmt.Errorf("%w: give NewTable the option WithCipher", ErrNoCipher))
	}
	if !slices.Contains(s.Encrypted, f) {
		s.Encrypted = append(s.Encrypted, f)
	}
	return nil
}

// tableKey compiles the pk and sk templates into the table's key (and the
// inverted index, which swaps them).
func (s *Schema) tableKey(tags BlankTags) error {
	t := s.Table
	pkSrc, ok := tags.Lookup("pk")
	if !ok || pkSrc == "" {
		return s.DefErr("_", `pk`, errors.New("missing pk template (declare it on a blank field: _ struct{} `pk:\"...\"`)"))
	}
	skSrc, ok := tags.Lookup("sk")
	skKey := "sk"
	if !ok {
		skSrc, skKey = pkSrc, "pk"
	}
	if t.SK == "" {
		if ok {
			return s.DefErr("_", fmt.Sprintf("sk:%q", skSrc), fmt.Errorf("table %s has a partition key only, so an entity declares no sk template", t.Name))
		}
		pk, err := s.keyPartFor("pk", pkSrc, t.PK)
		if err != nil {
			return err
		}
		s.Primary = &Index{PKAttr: t.PK, PK: pk}
		s.keyFields(pk)
		return nil
	}
	pk, err := s.keyPartFor("pk", pkSrc, t.PK)
	if err != nil {
		return err
	}
	sk, err := s.keyPartFor(skKey, skSrc, t.SK)
	if err != nil {
		return err
	}
	s.Primary = &Index{PKAttr: t.PK, SKAttr: t.SK, PK: pk, SK: sk}
	sk.Pin(pk)
	s.keyFields(pk, sk)
	if t.Inverted {
		s.Inverted = &Index{Name: t.InvertedIndexName(), PKAttr: t.SK, SKAttr: t.PK, PK: sk, SK: pk}
		pk.Pin(sk)
	}
	return nil
}

// gsi compiles the templates of GSI n, if the entity declares it.
func (s *Schema) gsi(tags BlankTags, n int) error {
	pkKey, skKey := fmt.Sprintf("gsi%dpk", n), fmt.Sprintf("gsi%dsk", n)
	pkSrc, hasPK := tags.Lookup(pkKey)
	skSrc, hasSK := tags.Lookup(skKey)
	if !hasPK && !hasSK {
		return nil
	}
	if !hasPK {
		return s.DefErr("_", fmt.Sprintf("%s:%q", skKey, skSrc), fmt.Errorf("index GSI%d has a sort key template but no %s", n, pkKey))
	}
	g := &Index{Name: GSIName(n), Number: n}
	g.PKAttr, g.SKAttr = s.Table.GSIAttrs(n)
	var err error
	if g.PK, err = s.KeyPart(pkKey, pkSrc); err != nil {
		return err
	}
	if hasSK {
		if g.SK, err = s.KeyPart(skKey, skSrc); err != nil {
			return err
		}
		g.SK.Pin(g.PK)
	}
	s.addGSI(g)
	return nil
}

// addGSI adds g to the entity's secondary indexes, and its fields to
// GSIOf: an Update that sets one recomputes the index's keys. A part that
// is its field itself (Identity) is not recomputed: the field's attribute
// is the key attribute, set like any other.
func (s *Schema) addGSI(g *Index) {
	s.GSIs = append(s.GSIs, g)
	seen := map[string]bool{}
	for _, k := range []*KeyPart{g.PK, g.SK} {
		if k == nil || k.Identity || g.Local && k == g.PK {
			continue
		}
		for _, f := range k.Fields {
			if !seen[f.Name] {
				seen[f.Name] = true
				s.GSIOf[f.Name] = append(s.GSIOf[f.Name], g)
			}
		}
	}
}

// OwnAttrs returns the table's attributes an item of the entity may hold
// (see schema.tableAttrs).
func (s *Schema) OwnAttrs() []string {
	t := s.Table
	var attrs []string
	add := func(attr string, k *KeyPart) {
		if k != nil && !k.Identity && attr != "" {
			attrs = append(attrs, attr)
		}
	}
	add(t.PK, s.Primary.PK)
	add(t.SK, s.Primary.SK)
	if t.TypeAttr != "" {
		attrs = append(attrs, t.TypeAttr)
	}
	if s.Match.Attr != "" {
		attrs = append(attrs, s.Match.Attr)
	}
	for _, g := range s.GSIs {
		add(g.PKAttr, g.PK)
		add(g.SKAttr, g.SK)
	}
	slices.Sort(attrs)
	return slices.Compact(attrs)
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
