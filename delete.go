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
	e    *Entity[T]
	key  T
	cond *expression.ConditionBuilder
	err  error

	built bool
	req   engine.WriteRequest
}

// Delete returns a Delete of the item whose key fields are those of key.
func (e *Entity[T]) Delete(key T) *Delete[T] {
	return &Delete[T]{e: e, key: key}
}

// If makes the Delete conditional on cond, evaluated against the stored
// item; a failed condition is ErrConditionFailed (ErrNotFound when there is
// no item). Several If calls are ANDed.
func (op *Delete[T]) If(cond expression.ConditionBuilder) *Delete[T] {
	op.cond = engine.And(op.cond, cond)
	return op
}

// Params returns the DeleteItem request Run sends, without sending it.
// It is the caller's to change: its ExpressionAttributeNames map is a copy
// of the one every request of the same shape shares.
func (op *Delete[T]) Params() (*dynamodb.DeleteItemInput, error) {
	op.build()
	return op.req.Copy().Delete, op.err
}

// Run deletes the item and returns it as it was.
func (op *Delete[T]) Run(ctx context.Context) (T, error) {
	var zero T
	op.build()
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

func (op *Delete[T]) build() {
	if op.built {
		return
	}
	op.built = true
	if op.err != nil {
		return
	}
	w := engine.WriteSpec{Kind: engine.WriteDelete, S: op.e.s, P: unsafe.Pointer(&op.key), Cond: op.cond}
	op.req, op.err = w.Compile(context.Background())
}

// txRequest compiles the Delete as Params does. Inside a transaction a
// missing item is not an error unless a condition says so.
func (op *Delete[T]) txRequest() (*engine.WriteRequest, error) {
	op.build()
	return &op.req, op.err
}
