package tablemap

import (
	"reflect"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap/internal/codec"
	"github.com/tablemap/tablemap/internal/engine"
)

// A Design is a table's single-table design as plain data: the table's key
// schema, indexes, time to live and billing, each entity's key templates
// and attributes, and named access patterns with the requests that serve
// them. Table.Design builds it from the entities defined on the table, so
// it cannot drift from what the code reads and writes; Pattern adds the
// access patterns. The package design renders it as a NoSQL Workbench
// model, CloudFormation, Terraform or a Markdown sheet.
type Design struct {
	Table    TableDesign
	Entities []EntityDesign // in definition order
	Patterns []AccessPattern
}

// A TableDesign is the table part of a Design: what CreateTable creates.
type TableDesign struct {
	Name          string
	PartitionKey  KeyAttribute
	SortKey       KeyAttribute // Name is "" when the table has none
	TypeAttribute string       // the attribute holding each item's entity type name
	// AttributeDefinitions are the key attributes of the table and its
	// indexes, each once, as CreateTable defines them.
	AttributeDefinitions []KeyAttribute
	Indexes              []IndexDesign
	TTL                  string // the time-to-live attribute, "" when no entity has one
	BillingMode          string // PAY_PER_REQUEST or PROVISIONED
	// ReadCapacity and WriteCapacity are the provisioned capacity units of
	// a PROVISIONED table (0 otherwise).
	ReadCapacity, WriteCapacity int64
}

// A KeyAttribute is a key attribute's name and scalar type (S, N or B).
type KeyAttribute struct {
	Name, Type string
}

// An IndexDesign is one secondary index of the table.
type IndexDesign struct {
	Name string
	// Kind is GSI (global) or LSI (local). The inverted index is a GSI
	// named InvertedIndex.
	Kind             string
	PartitionKey     KeyAttribute
	SortKey          KeyAttribute // Name is "" when the index has none
	Projection       string       // ALL, KEYS_ONLY or INCLUDE
	NonKeyAttributes []string     // the attributes an INCLUDE projection adds
	// ReadCapacity and WriteCapacity are the index's provisioned capacity
	// units on a PROVISIONED table.
	ReadCapacity, WriteCapacity int64
}

// An EntityDesign is one entity defined on the table.
type EntityDesign struct {
	Name   string // the entity type name, stored in the type attribute
	GoType string // the Go type, as reflect prints it ("social.Photo")
	// Keys are the entity's key templates: the table's key first, then
	// each global secondary index the entity declares, then the inverted
	// index.
	Keys       []EntityKey
	Attributes []AttributeDesign // the data attributes, in field order
	// The attributes of the fields the library manages ("" when none).
	Version, Created, Updated, TTL string
	Encrypted                      []string // attributes sealed by the table's cipher
}

// An EntityKey is how an entity's items are addressed in one index: the
// key templates of its partition and sort key attributes.
type EntityKey struct {
	Index        string // "" for the table's key, else the index name
	PartitionKey KeyTemplate
	SortKey      KeyTemplate // Attribute is "" when the index has no sort key
	// Sparse is true for a global secondary index: an item whose fields
	// of the index's templates are empty is not in it.
	Sparse bool
}

// A KeyTemplate is a key attribute and the template of its values, such as
// "USER#{username}" (see Define).
type KeyTemplate struct {
	Attribute, Template string
}

// An AttributeDesign is one data attribute of an entity.
type AttributeDesign struct {
	Name   string
	GoType string
	// Type is the DynamoDB type the value is stored as (S, N, B, BOOL, SS,
	// NS, BS, L, M), or "" when it depends on the value (an interface, or
	// a type with its own marshaler).
	Type    string
	Options []string // the tag options after the name (omitempty, version …)
}

// Design returns the table's design: the key schema, indexes and billing of
// CreateTableInput, the time-to-live attribute CreateTable enables, and the
// entities defined so far. It has no access patterns; add them with
// Design.Pattern.
func (t *Table) Design() Design {
	in := t.CreateTableInput()
	attrType := map[string]string{}
	var defs []KeyAttribute
	for _, a := range in.AttributeDefinitions {
		attrType[aws.ToString(a.AttributeName)] = string(a.AttributeType)
		defs = append(defs, KeyAttribute{Name: aws.ToString(a.AttributeName), Type: string(a.AttributeType)})
	}
	keyAttrs := func(ks []types.KeySchemaElement) (pk, sk KeyAttribute) {
		for _, k := range ks {
			a := KeyAttribute{Name: aws.ToString(k.AttributeName), Type: attrType[aws.ToString(k.AttributeName)]}
			if k.KeyType == types.KeyTypeHash {
				pk = a
			} else {
				sk = a
			}
		}
		return pk, sk
	}
	d := Design{Table: TableDesign{
		Name:          aws.ToString(in.TableName),
		TypeAttribute: t.core.TypeAttr,
		TTL:           t.core.TtlAttr(),
		BillingMode:   string(in.BillingMode),
	}}
	d.Table.AttributeDefinitions = defs
	d.Table.PartitionKey, d.Table.SortKey = keyAttrs(in.KeySchema)
	d.Table.ReadCapacity, d.Table.WriteCapacity = capacity(in.ProvisionedThroughput)
	for _, g := range in.GlobalSecondaryIndexes {
		x := IndexDesign{Name: aws.ToString(g.IndexName), Kind: "GSI"}
		x.PartitionKey, x.SortKey = keyAttrs(g.KeySchema)
		x.Projection, x.NonKeyAttributes = projection(g.Projection)
		x.ReadCapacity, x.WriteCapacity = capacity(g.ProvisionedThroughput)
		d.Table.Indexes = append(d.Table.Indexes, x)
	}
	for _, l := range in.LocalSecondaryIndexes {
		x := IndexDesign{Name: aws.ToString(l.IndexName), Kind: "LSI"}
		x.PartitionKey, x.SortKey = keyAttrs(l.KeySchema)
		x.Projection, x.NonKeyAttributes = projection(l.Projection)
		d.Table.Indexes = append(d.Table.Indexes, x)
	}
	t.core.Mu.RLock()
	schemas := slices.Clone(t.core.Order)
	t.core.Mu.RUnlock()
	for _, s := range schemas {
		d.Entities = append(d.Entities, entityDesign(s))
	}
	return d
}

func capacity(p *types.ProvisionedThroughput) (read, write int64) {
	if p == nil {
		return 0, 0
	}
	return aws.ToInt64(p.ReadCapacityUnits), aws.ToInt64(p.WriteCapacityUnits)
}

func projection(p *types.Projection) (string, []string) {
	if p == nil {
		return string(types.ProjectionTypeAll), nil
	}
	return string(p.ProjectionType), slices.Clone(p.NonKeyAttributes)
}

// entityDesign describes the entity.
func entityDesign(s *engine.Schema) EntityDesign {
	e := EntityDesign{Name: s.Name, GoType: s.Typ.String()}
	e.Keys = append(e.Keys, keyDesign(s.Primary, false))
	for _, g := range s.GSIs {
		e.Keys = append(e.Keys, keyDesign(g, true))
	}
	if s.Inverted != nil {
		e.Keys = append(e.Keys, keyDesign(s.Inverted, false))
	}
	for _, f := range s.Codec.Fields {
		e.Attributes = append(e.Attributes, AttributeDesign{
			Name:    f.Name,
			GoType:  f.Type.String(),
			Type:    attrType(s, f),
			Options: slices.Clone(f.Options),
		})
	}
	name := func(f *codec.Field) string {
		if f == nil {
			return ""
		}
		return f.Name
	}
	e.Version, e.Created, e.Updated, e.TTL = name(s.Version), name(s.Created), name(s.Updated), name(s.TTL)
	for _, f := range s.Encrypted {
		e.Encrypted = append(e.Encrypted, f.Name)
	}
	return e
}

func keyDesign(g *engine.Index, sparse bool) EntityKey {
	k := EntityKey{Index: g.Name, Sparse: sparse,
		PartitionKey: KeyTemplate{Attribute: g.PKAttr, Template: g.PK.Tmpl.String()}}
	if g.SK != nil {
		k.SortKey = KeyTemplate{Attribute: g.SKAttr, Template: g.SK.Tmpl.String()}
	}
	return k
}

// attrType returns the DynamoDB type a field is stored as, as the codec
// writes it ("" when the value decides).
func attrType(s *engine.Schema, f *codec.Field) string {
	switch {
	case slices.Contains(s.Encrypted, f):
		return "B" // the sealed ciphertext
	case f == s.TTL:
		return "N" // epoch seconds
	}
	t := f.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == engine.TimeType {
		if f.UnixTime {
			return "N"
		}
		return "S"
	}
	if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		return ""
	}
	switch t.Kind() {
	case reflect.String:
		return "S"
	case reflect.Bool:
		return "BOOL"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		if f.HasOption("string") {
			return "S"
		}
		return "N"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "B"
		}
		if f.Set {
			return setType(t.Elem(), f)
		}
		return "L"
	case reflect.Map:
		if f.Set {
			return setType(t.Key(), f)
		}
		return "M"
	case reflect.Struct:
		return "M"
	}
	return ""
}

// setType returns the set type of a set field whose elements have type t.
func setType(t reflect.Type, f *codec.Field) string {
	switch {
	case f.HasOption("stringset"):
		return "SS"
	case f.HasOption("numberset"):
		return "NS"
	case f.HasOption("binaryset"):
		return "BS"
	case t.Kind() == reflect.String:
		return "SS"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "BS"
	}
	return "NS"
}

// marshalerType is the codec's own-marshaler interface, as attributevalue
// defines it: a value of such a type decides its attribute type.
var marshalerType = reflect.TypeFor[interface {
	MarshalDynamoDBAttributeValue() (types.AttributeValue, error)
}]()

// Entity returns the design of the entity of the given type name, or nil.
func (d *Design) Entity(name string) *EntityDesign {
	for i := range d.Entities {
		if d.Entities[i].Name == name {
			return &d.Entities[i]
		}
	}
	return nil
}

// KeyOf returns the entity's key templates of the index ("" for the
// table's key), or false when the entity is not in that index.
func (e *EntityDesign) KeyOf(index string) (EntityKey, bool) {
	for _, k := range e.Keys {
		if k.Index == index {
			return k, true
		}
	}
	return EntityKey{}, false
}
