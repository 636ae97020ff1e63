package tablemap

import (
	"context"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/engine"
)

// A Get reads one item by its key. Make one with Entity.Get, add options,
// then Run it (or read its Params). It keeps the first error an option
// meets and returns it from Run or Params.
type Get[T any] struct {
	e    *Entity[T]
	key  T
	opts engine.ReadOptions // Consistent, Project, ExpiredOK

	built bool
	get   *engine.GetRead
	err   error
}

// Get returns a Get of the item whose key fields are those of key (its
// other fields are ignored).
func (e *Entity[T]) Get(key T) *Get[T] {
	return &Get[T]{e: e, key: key}
}

// Consistent makes the read strongly consistent.
func (op *Get[T]) Consistent() *Get[T] {
	op.opts.Consistent = true
	return op
}

// IncludeExpired returns the item even when its ttl has passed (see
// Entity); by default an expired item is ErrNotFound, in a ReadTx too.
func (op *Get[T]) IncludeExpired() *Get[T] {
	op.opts.ExpiredOK = true
	return op
}

// Project reads only the named attributes, top-level attribute names or
// document paths below them (see Query.Project); the result's other fields
// are zero, except its table key fields, which are those of the key value.
// An unknown attribute or path is an error. An
// encrypted attribute brings the table's key attributes into the
// projection: its value is bound to them.
func (op *Get[T]) Project(attrs ...string) *Get[T] {
	op.opts.Project = append(op.opts.Project, attrs...)
	return op
}

// Params returns the GetItem request Run sends, without sending it.
func (op *Get[T]) Params() (*dynamodb.GetItemInput, error) {
	if !op.built {
		op.get, op.err = engine.NewGet(op.e.s, unsafe.Pointer(&op.key), op.opts)
		op.built = true
	}
	return op.get.In, op.err
}

// Run reads the item. No item at the key is ErrNotFound, as is an item of
// another entity type and an expired item (unless IncludeExpired).
func (op *Get[T]) Run(ctx context.Context) (T, error) {
	if _, err := op.Params(); err != nil {
		var zero T
		return zero, err
	}
	item, err := op.get.Fetch(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return op.decodeResult(ctx, item)
}

// decodeResult decodes the item a GetItem (or a transaction's get)
// returned; ctx is for decrypting.
func (op *Get[T]) decodeResult(ctx context.Context, item map[string]types.AttributeValue) (T, error) {
	var v T
	err := op.get.Decode(ctx, item, unsafe.Pointer(&v), unsafe.Pointer(&op.key))
	return v, err
}
