package engine

import (
	"bytes"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A valueRoom holds a Params request's values that are not its own: a
// shape's values (the entity types it filters on) are shared by every
// read of the shape, and a read's filter values by its requests, so a
// caller changing one in place would change what later requests send. It
// holds the key values too, saving their allocations. The room is
// allocated with the request; values that do not fit are allocated on
// their own.
type valueRoom struct {
	s            [3]types.AttributeValueMemberS // the partition key, a sort key, an entity type
	n            [1]types.AttributeValueMemberN
	usedS, usedN uint8 // the members used
}

// nextS and nextN return the next free member, nil if none.
func (m *valueRoom) nextS() *types.AttributeValueMemberS {
	if int(m.usedS) == len(m.s) {
		return nil
	}
	m.usedS++
	return &m.s[m.usedS-1]
}

func (m *valueRoom) nextN() *types.AttributeValueMemberN {
	if int(m.usedN) == len(m.n) {
		return nil
	}
	m.usedN++
	return &m.n[m.usedN-1]
}

// own returns a copy of v for a caller, or v with no room (nil: a request
// whose values are shared read-only).
func (m *valueRoom) own(v types.AttributeValue) types.AttributeValue {
	if m == nil {
		return v
	}
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		if c := m.nextS(); c != nil {
			*c = *v
			return c
		}
	case *types.AttributeValueMemberN:
		if c := m.nextN(); c != nil {
			*c = *v
			return c
		}
	}
	return CopyValue(v)
}

// key returns KeyValueOf(typ, s), in the room when it fits.
func (m *valueRoom) key(typ types.ScalarAttributeType, s string) types.AttributeValue {
	if m != nil {
		switch typ {
		case types.ScalarAttributeTypeN:
			if c := m.nextN(); c != nil {
				c.Value = s
				return c
			}
		case types.ScalarAttributeTypeB:
		default:
			if c := m.nextS(); c != nil {
				c.Value = s
				return c
			}
		}
	}
	return KeyValueOf(typ, s)
}

// CopyValue returns a deep copy of v: no pointer, slice or map of v is
// in it.
func CopyValue(v types.AttributeValue) types.AttributeValue {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		c := *v
		return &c
	case *types.AttributeValueMemberN:
		c := *v
		return &c
	case *types.AttributeValueMemberB:
		return &types.AttributeValueMemberB{Value: bytes.Clone(v.Value)}
	case *types.AttributeValueMemberBOOL:
		c := *v
		return &c
	case *types.AttributeValueMemberNULL:
		c := *v
		return &c
	case *types.AttributeValueMemberSS:
		return &types.AttributeValueMemberSS{Value: slices.Clone(v.Value)}
	case *types.AttributeValueMemberNS:
		return &types.AttributeValueMemberNS{Value: slices.Clone(v.Value)}
	case *types.AttributeValueMemberBS:
		bs := make([][]byte, len(v.Value))
		for i, b := range v.Value {
			bs[i] = bytes.Clone(b)
		}
		return &types.AttributeValueMemberBS{Value: bs}
	case *types.AttributeValueMemberL:
		l := make([]types.AttributeValue, len(v.Value))
		for i, e := range v.Value {
			l[i] = CopyValue(e)
		}
		return &types.AttributeValueMemberL{Value: l}
	case *types.AttributeValueMemberM:
		m := maps.Clone(v.Value)
		for k, e := range m {
			m[k] = CopyValue(e)
		}
		return &types.AttributeValueMemberM{Value: m}
	}
	return v // nil, or a type the SDK adds later: nothing to copy into
}
