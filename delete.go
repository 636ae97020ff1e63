package tablemap

import (
	"context"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/tablemap/tablemap/internal/engine"
)

// A Delete removes one item by its key and returns the item it removed.
// Make one with Entity.Delete, add options, then Run it (or read its
// Params). It keeps the first error an option meets and returns it from Run
// or Params.
//
// Deleting a missing item is ErrNotFound (DynamoDB deletes nothing and
// reports no error; the library tells you); an item of another entity type
// at the key is not deleted but ErrWrongEntity. With a version field, a key
// value with a non-zero version deletes only that version: another stored
// version is ErrVersionConflict.
type Delete[T any] struct {
	write[T]
	key T
}

// Delete returns a Delete of the item whose key fields are those of key.
func (e *Entity[T]) Delete(key T) *Delete[T] {
	op := &Delete[T]{key: key}
	op.write = write[T]{e: e, spec: func() engine.WriteSpec {
		return engine.WriteSpec{Kind: engine.WriteDelete, P: unsafe.Pointer(&op.key)}
	}}
	return op
}

// If makes the Delete conditional on cond, evaluated against the stored
// item; a failed condition is ErrConditionFailed (ErrNotFound when there is
// no item). Several If calls are ANDed.
func (op *Delete[T]) If(cond expression.ConditionBuilder) *Delete[T] { op.and(cond); return op }

// Params returns the DeleteItem request Run sends, without sending it.
// It is the caller's to change: its ExpressionAttributeNames map is a copy
// of the one every request of the same shape shares.
func (op *Delete[T]) Params() (*dynamodb.DeleteItemInput, error) {
	r, err := op.params()
	return r.Delete, err
}

// Run deletes the item and returns it as it was.
func (op *Delete[T]) Run(ctx context.Context) (T, error) {
	var zero T
	op.build(context.Background())
	if op.err != nil {
		return zero, op.err
	}
	out, err := engine.Write(ctx, op.e.s.Table.Client.DeleteItem, op.req.Delete)
	if err != nil {
		return zero, op.req.Fail.Wrap(err, nil)
	}
	if len(out.Attributes) == 0 {
		return zero, &ItemError{Op: "Delete", Entity: op.e.s.Name, Key: op.req.Fail.Key, Kind: ErrNotFound}
	}
	old, err := op.e.decode(ctx, out.Attributes)
	if err != nil {
		return old, &ItemError{Op: "Delete", Entity: op.e.s.Name, Key: op.req.Fail.Key, Err: err}
	}
	return old, nil
}
