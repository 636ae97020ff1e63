package engine

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// An IndexDecl is a secondary index a table declares by name (see the
// root's WithIndex and WithLocalIndex): its key attribute names. A local
// index's partition key is the table's.
type IndexDecl struct {
	Name   string
	PK, SK string // SK "" for a global index without sort key
	Local  bool
}

// Layout is what a table declares of its key schema beyond PK and SK
// (see NewTable): the types of key attributes, the indexes it names and
// the name of its inverted index. The zero Layout is the default
// single-table layout.
type Layout struct {
	AttrTypes    map[string]types.ScalarAttributeType // absent: S
	Indexes      []*IndexDecl                         // in declaration order
	InvertedName string                               // "": InvertedIndex
}

// AttrType returns the declared type of key attribute attr (S unless
// declared otherwise).
func (t *Table) AttrType(attr string) types.ScalarAttributeType {
	if typ, ok := t.Layout.AttrTypes[attr]; ok {
		return typ
	}
	return types.ScalarAttributeTypeS
}

// InvertedIndexName returns the name of the table's inverted index.
func (t *Table) InvertedIndexName() string {
	if t.Layout.InvertedName != "" {
		return t.Layout.InvertedName
	}
	return InvertedIndex
}

// Declared returns the index the table declares by name, or nil.
func (t *Table) Declared(name string) *IndexDecl {
	for _, d := range t.Layout.Indexes {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// KeyValue returns the attribute value of key attribute attr holding the
// encoded key s: a string, or for an attribute declared N or B the number
// (s is its decimal text) or the bytes (s holds them). engine.Key keeps
// the encoded strings; this is where they become a request's values.
func (t *Table) KeyValue(attr, s string) types.AttributeValue {
	return KeyValueOf(t.AttrType(attr), s)
}

// KeyValueOf is KeyValue for an attribute of type typ.
func KeyValueOf(typ types.ScalarAttributeType, s string) types.AttributeValue {
	switch typ {
	case types.ScalarAttributeTypeN:
		return &types.AttributeValueMemberN{Value: s}
	case types.ScalarAttributeTypeB:
		return &types.AttributeValueMemberB{Value: []byte(s)}
	}
	return &types.AttributeValueMemberS{Value: s}
}

// KeyString returns the encoded key a stored key attribute value holds
// (the inverse of KeyValue): ok is false when av is not a string, number
// or binary value.
func KeyString(av types.AttributeValue) (string, bool) {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return v.Value, true
	case *types.AttributeValueMemberN:
		return v.Value, true
	case *types.AttributeValueMemberB:
		return string(v.Value), true
	}
	return "", false
}

// CheckLayout refuses a declaration that DynamoDB would refuse or that
// tablemap cannot serve: an index without a name or partition key, a name
// used twice, a local index on a table without sort key, an unknown
// attribute type.
func (t *Table) CheckLayout() error {
	seen := map[string]bool{}
	if t.Inverted {
		seen[t.InvertedIndexName()] = true
		if t.SK == "" {
			return fmt.Errorf("table %s has an inverted index but no sort key to invert", t.Name)
		}
	}
	for _, d := range t.Layout.Indexes {
		switch {
		case d.Name == "":
			return fmt.Errorf("table %s declares an index without name", t.Name)
		case seen[d.Name] || strings.HasPrefix(d.Name, "GSI") && KnownTag(strings.ToLower(d.Name)+"pk"):
			return fmt.Errorf("table %s declares index %q twice (or with a name of the default layout)", t.Name, d.Name)
		case d.Local && t.SK == "":
			return fmt.Errorf("table %s has no sort key, so it can have no local index (%s)", t.Name, d.Name)
		case !d.Local && d.PK == "":
			return fmt.Errorf("index %s of table %s has no partition key attribute", d.Name, t.Name)
		}
		seen[d.Name] = true
	}
	for attr, typ := range t.Layout.AttrTypes {
		switch typ {
		case types.ScalarAttributeTypeS, types.ScalarAttributeTypeN, types.ScalarAttributeTypeB:
		default:
			return fmt.Errorf("attribute %s of table %s has type %q; key attributes are S, N or B", attr, t.Name, typ)
		}
	}
	return nil
}

// storedKind is the attribute type of a part of kind k.
func storedKind(k ScalarKind) ScalarKind {
	if k == "" {
		return types.ScalarAttributeTypeS
	}
	return k
}
