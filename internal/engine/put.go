package engine

import (
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
)

func And(prev *expression.ConditionBuilder, c expression.ConditionBuilder) *expression.ConditionBuilder {
	if prev != nil {
		c = expression.And(*prev, c)
	}
	return &c
}

// IsOwn is the condition that the stored item is of this entity: its type
// attribute holds the entity's name.
func (s *Schema) IsOwn() expression.ConditionBuilder {
	return expression.Name(s.Table.TypeAttr).Equal(expression.Value(s.TypeValue))
}

// AbsentOrOwn is the condition that no item is stored at the key, or one of
// this entity: what keeps a write from touching another entity's item, in
// the same request.
func (s *Schema) AbsentOrOwn() expression.ConditionBuilder {
	return expression.Name(s.Table.PK).AttributeNotExists().Or(s.IsOwn())
}

// ItemErr wraps an error met while building a request; key errors report
// ErrInvalidKey.
func ItemErr(op string, s *Schema, key Key, err error) error {
	ie := &ItemError{Op: op, Entity: s.Name, Key: key, Err: err}
	if IsKeyErr(err) {
		ie.Kind = ErrInvalidKey
	}
	return ie
}
