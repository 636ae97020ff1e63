package tablemap

import (
	"context"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/tablemap/tablemap/internal/engine"
)

// A Put writes one item, replacing any item of its entity at its key. Make
// one with Entity.Put, add options, then Run it (or read its Params). It
// keeps the first error an option meets and returns it from Run or Params.
//
// A Put never replaces an item of another entity type (or one without a
// type attribute): its condition requires no item at the key or one of its
// own type, in the same request, and an item of another type is
// ErrWrongEntity, the stored item untouched. (Define already refuses
// entities whose table keys could coincide; this guards items written by
// other code.) In a batch, which cannot be conditional, the guard is
// dropped.
//
// With a version field, a Put is optimistic locking: the value's version is
// the one it expects stored (0: no item at the key), the item is written
// with version+1, and a mismatch is ErrVersionConflict. A created field that
// is zero is set to the time of the Put (a non-zero one is kept, so reading
// an item and putting it back keeps it); an updated field is always set.
//
// The item is built once, on the first Params, Value or Run, so all three
// agree (timestamps included, and the ciphertexts of encrypted attributes,
// sealed with the context of Run, or context.Background() when Params or
// Value comes first).
type Put[T any] struct {
	e           *Entity[T]
	cond        *expression.ConditionBuilder
	w           *write[T] // compiled on first use: a batch that takes the item alone never makes it
	value       T
	ifNotExists bool
}

// A txWriter is a write that joins a TransactWriteItems request: Put,
// Update, Delete and Check. txRequest compiles it as Params does, so a
// transaction sends exactly the request the single operation would, with
// the write's failure: the entity and key it writes (to check the
// transaction and name it in errors), and how a cancellation reason
// "ConditionalCheckFailed" for this item (with the item the reason
// carries, ReturnValuesOnConditionCheckFailure being ALL_OLD) turns into
// the error the single operation would report: ErrNotFound, ErrExists,
// ErrVersionConflict or ErrConditionFailed.
type txWriter interface {
	txRequest() (*engine.WriteRequest, error)
}

var (
	_ txWriter = (*Put[struct{}])(nil)
	_ txWriter = (*Update[struct{}])(nil)
	_ txWriter = (*Delete[struct{}])(nil)
	_ txWriter = (*Check[struct{}])(nil)
)

// Put returns a Put of item v.
func (e *Entity[T]) Put(v T) *Put[T] { return &Put[T]{e: e, value: v} }

// compiled returns the Put's write, compiling it the first time; ctx is
// for sealing encrypted attributes.
func (op *Put[T]) compiled(ctx context.Context) *write[T] {
	if op.w == nil {
		op.w = &write[T]{e: op.e}
		if op.cond != nil {
			op.w.and(*op.cond)
		}
		op.w.compile(ctx, engine.WriteSpec{Kind: engine.WritePut, P: unsafe.Pointer(&op.value), Absent: op.ifNotExists})
	}
	return op.w
}

// IfNotExists makes the Put fail with ErrExists (a kind of
// ErrConditionFailed) when an item exists at the key. An expired item (its
// ttl at or before the table's clock; see Entity) counts as absent and the
// Put replaces it, as does a Put of version 0 of an entity with a version
// field.
func (op *Put[T]) IfNotExists() *Put[T] { op.ifNotExists = true; return op }

// If makes the Put conditional on cond, evaluated against the stored item;
// a failed condition is ErrConditionFailed. Several If calls are ANDed. A
// condition is checked before sending as Query.Filter says
// (ErrInvalidCondition); so are those of Update, Delete and Check.
func (op *Put[T]) If(cond expression.ConditionBuilder) *Put[T] {
	op.cond = engine.And(op.cond, cond)
	return op
}

// Params returns the PutItem request Run sends, without sending it.
// It is the caller's to change: its ExpressionAttributeNames map is a copy
// of the one every request of the same shape shares.
func (op *Put[T]) Params() (*dynamodb.PutItemInput, error) {
	r, err := op.compiled(context.Background()).params()
	return r.Put, err
}

// Value returns the item as Run writes it, with its new version and
// timestamps, without sending anything.
func (op *Put[T]) Value() (T, error) {
	w := op.compiled(context.Background())
	return op.value, w.err
}

// Run writes the item.
func (op *Put[T]) Run(ctx context.Context) error {
	w := op.compiled(ctx)
	if w.err != nil {
		return w.err
	}
	if _, err := engine.Write(ctx, op.e.s.Table.Client.PutItem, w.req.Put); err != nil {
		return w.req.Fail.Wrap(err, nil)
	}
	return nil
}

// txRequest compiles the Put as Params does (see txWriter).
func (op *Put[T]) txRequest() (*engine.WriteRequest, error) {
	return op.compiled(context.Background()).txRequest()
}
