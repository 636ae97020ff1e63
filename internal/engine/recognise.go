package engine

import (
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// On a table without type attribute (Table.TypeAttr ""), an item's entity
// is the first (in definition order) that recognises it: by its match tag's
// attribute and value, else by the shape of its table key.

// Recognises reports whether item is one of the entity's, on a table
// without type attribute: its match attribute holds the match value, or
// (without match tag) each table key attribute has the part's type and,
// for a template, parses with it (its literal text in place).
func (s *Schema) Recognises(item map[string]types.AttributeValue) bool {
	if s.Match.Attr != "" {
		v, ok := item[s.Match.Attr].(*types.AttributeValueMemberS)
		return ok && v.Value == s.Match.Value
	}
	var buf [8]string
	for _, part := range s.tableKeyParts() {
		if part.k == nil {
			continue
		}
		av := item[part.attr]
		if attrKind(av) != storedKind(part.k.Kind) {
			return false
		}
		if rawKind(part.k.Kind) {
			continue
		}
		key, _ := KeyString(av)
		var vals []string
		if n := part.k.Tmpl.NumAttrs(); n <= len(buf) {
			vals = buf[:n]
		} else {
			vals = make([]string, n)
		}
		if part.k.Tmpl.Split(key, vals) != nil {
			return false
		}
	}
	return true
}

// attrKind returns the scalar type of a key attribute value, "" for others.
func attrKind(av types.AttributeValue) ScalarKind {
	switch av.(type) {
	case *types.AttributeValueMemberS:
		return types.ScalarAttributeTypeS
	case *types.AttributeValueMemberN:
		return types.ScalarAttributeTypeN
	case *types.AttributeValueMemberB:
		return types.ScalarAttributeTypeB
	}
	return ""
}

// recognise returns the name of the first entity that recognises item, or
// "".
func (t *Table) recognise(item map[string]types.AttributeValue) string {
	t.Mu.RLock()
	defer t.Mu.RUnlock()
	for _, s := range t.Order {
		if s.Recognises(item) {
			return s.Name
		}
	}
	return ""
}

// OwnCondition returns the condition that the stored item at a key of the
// entity is one of its items, for the write guards (attribute_not_exists
// of the partition key OR this; see AbsentOrOwn): the type attribute
// equals the entity's name, or on a table without one its match attribute
// equals its match value. ok is false when no condition is needed or can
// be expressed: an entity recognised by the shape of its keys owns every
// item at a key it builds, since Register refuses two entities whose keys
// can be equal.
func (s *Schema) OwnCondition() (cond expression.ConditionBuilder, ok bool) {
	switch {
	case s.Table.TypeAttr != "":
		return expression.Name(s.Table.TypeAttr).Equal(expression.Value(s.TypeValue)), true
	case s.Match.Attr != "":
		return expression.Name(s.Match.Attr).Equal(expression.Value(s.Match.Value)), true
	}
	return expression.ConditionBuilder{}, false
}

// recognitionFilter is the filter keeping a read's items to schemas'
// entities: their type attribute, or on a table without one their match
// attributes; ok is false when an entity is recognised by its key shape,
// which a filter may not read (DynamoDB refuses key attributes in a
// query's filter): such reads tell entities apart when decoding (TypeOf).
func recognitionFilter(t *Table, schemas []*Schema) (expression.ConditionBuilder, bool) {
	if t.TypeAttr != "" {
		return TypeFilter(t, schemas, nil), true
	}
	var c expression.ConditionBuilder
	for i, s := range schemas {
		own, ok := s.OwnCondition()
		if !ok {
			return expression.ConditionBuilder{}, false
		}
		if i == 0 {
			c = own
		} else {
			c = expression.Or(c, own)
		}
	}
	return c, len(schemas) > 0
}

// recognitionAttrs returns the attributes a projection must read to tell
// an item's entity: the type attribute, or the table's key and the
// entities' match attributes.
func (t *Table) recognitionAttrs() []string {
	if t.TypeAttr != "" {
		return []string{t.TypeAttr}
	}
	attrs := []string{t.PK}
	if t.SK != "" {
		attrs = append(attrs, t.SK)
	}
	t.Mu.RLock()
	defer t.Mu.RUnlock()
	for _, s := range t.Order {
		if s.Match.Attr != "" {
			attrs = append(attrs, s.Match.Attr)
		}
	}
	return attrs
}

// ownAttr is the attribute the write guards read to tell the entity's
// items (see OwnCondition): the type attribute, else the match attribute;
// "" for an entity recognised by the shape of its keys.
func (s *Schema) ownAttr() string {
	if s.Table.TypeAttr != "" {
		return s.Table.TypeAttr
	}
	return s.Match.Attr
}

// ownValue is the value ownAttr holds in the entity's items.
func (s *Schema) ownValue() types.AttributeValue {
	if s.Table.TypeAttr != "" {
		return s.TypeValue
	}
	return &types.AttributeValueMemberS{Value: s.Match.Value}
}

// A keyPartAttr is one part of the table's key and the attribute holding it.
type keyPartAttr struct {
	k    *KeyPart
	attr string
}

// tableKeyParts returns the entity's table key parts with their
// attributes; the sort key part is nil on a table without one.
func (s *Schema) tableKeyParts() [2]keyPartAttr {
	t := s.Table
	return [2]keyPartAttr{{s.Primary.PK, t.PK}, {s.Primary.SK, t.SK}}
}
