package engine

import (
	"unsafe"

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

// VersionIs is the condition that the stored version is n.
func (s *Schema) VersionIs(n int64) expression.ConditionBuilder {
	return expression.Name(s.Version.Name).Equal(expression.Value(VersionValue(n)))
}

// ExpectVersion returns the condition that the stored version is that of
// the key value at p, when the entity has a version field and the key
// value's version is not 0 (ok false otherwise), and makes f report another
// stored version as ErrVersionConflict: how Update, Delete and Check apply
// only to the version they were given.
func (f *Failure) ExpectVersion(p unsafe.Pointer) (cond expression.ConditionBuilder, ok bool) {
	if f.S.Version == nil {
		return cond, false
	}
	cur := f.S.VersionOf(p)
	if cur == 0 {
		return cond, false
	}
	f.Versioned, f.Expected = true, cur
	return f.S.VersionIs(cur), true
}

func AndAll(conds []expression.ConditionBuilder) expression.ConditionBuilder {
	if len(conds) == 1 {
		return conds[0]
	}
	return expression.And(conds[0], conds[1], conds[2:]...)
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
