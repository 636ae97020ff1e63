package engine

import (
	"bytes"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A valueRoom holds the copies of a Params request's values that are not
// its own: a shape's values (the entity types it filters on) are shared
// by every read of the shape, and a read's filter values by its requests,
// so a caller changing one in place would change what later requests
// send. The room is allocated with the request; values that do not fit
// are copied on their own.
type valueRoom struct {
	s [1]types.AttributeValueMemberS
	n [1]types.AttributeValueMemberN
	// used counts the S and N members used.
	usedS, usedN uint8
}

// own returns a copy of v for a caller, or v with no room (nil: a request
// whose values are shared read-only).
func (m *valueRoom) own(v types.AttributeValue) types.AttributeValue {
	if m == nil {
		return v
	}
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		if int(m.usedS) < len(m.s) {
			c := &m.s[m.usedS]
			m.usedS++
			*c = *v
			return c
		}
	case *types.AttributeValueMemberN:
		if int(m.usedN) < len(m.n) {
			c := &m.n[m.usedN]
			m.usedN++
			*c = *v
			return c
		}
	}
	return CopyValue(v)
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
