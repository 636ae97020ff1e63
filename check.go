package tablemap

import (
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/engine"
)

// A Check is a condition on one item that a write transaction requires
// without writing the item (a ConditionCheck action). Make one with
// Entity.Check, give it a condition, and add it to a WriteTx:
//
//	tx.Check(users.Check(User{Username: "bob"}).Exists())
//
// With a version field, a key value with a non-zero version also requires
// that version stored: another one is ErrVersionConflict.
type Check[T any] struct {
	write[T]
	key       T
	exists    bool
	notExists bool
}

// Check returns a condition check of the item whose key fields are those
// of key.
func (e *Entity[T]) Check(key T) *Check[T] {
	op := &Check[T]{key: key}
	op.write = write[T]{e: e, spec: func() engine.WriteSpec {
		return engine.WriteSpec{Kind: engine.WriteCheck, P: unsafe.Pointer(&op.key), Absent: op.notExists, Exists: op.exists}
	}}
	return op
}

// Exists requires an item of this entity at the key; a missing item is
// ErrNotFound, and so is an expired one (see Entity: its ttl is at or
// before the table's clock), an item of another entity type ErrWrongEntity
// (as Get does not read it). A Check with only If conditions requires no
// item or one of this entity, likewise.
func (op *Check[T]) Exists() *Check[T] { op.exists = true; return op }

// NotExists requires that no item exists at the key; an item there is
// ErrExists, unless it has expired (see Exists).
func (op *Check[T]) NotExists() *Check[T] { op.notExists = true; return op }

// If requires cond to hold on the stored item; a failed condition is
// ErrConditionFailed. Several If calls are ANDed.
func (op *Check[T]) If(cond expression.ConditionBuilder) *Check[T] { op.and(cond); return op }

// Params returns the ConditionCheck action the Check adds to a
// transaction. It is the caller's to change: its ExpressionAttributeNames
// map is a copy of the one every request of the same shape shares.
func (op *Check[T]) Params() (*types.ConditionCheck, error) {
	r, err := op.params()
	return r.Check, err
}
