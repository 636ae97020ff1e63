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

// ItemErr wraps an error met while building a request; key errors report
// ErrInvalidKey.
func ItemErr(op string, s *Schema, key Key, err error) error {
	ie := &ItemError{Op: op, Entity: s.Name, Key: key, Err: err}
	if IsKeyErr(err) {
		ie.Kind = ErrInvalidKey
	}
	return ie
}
