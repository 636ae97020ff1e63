package tablemap

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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
	value       T
	ifNotExists bool
	cond        *expression.ConditionBuilder
	err         error

	built       bool
	in          *dynamodb.PutItemInput
	fail        engine.Failure
	conditional bool // a condition beyond the entity guard (for batches)
}

// A txWriter is a write that joins a TransactWriteItems request: Put,
// Update, Delete and Check. txWriteItem builds the request item from the
// same code path as Params, so a transaction sends exactly the request the
// single operation would. txFailure is the write's failure, built with it:
// the entity and key it writes (to check the transaction and name it in
// errors), and how its conditionFailed turns a cancellation reason
// "ConditionalCheckFailed" for this item (with the item the reason
// carries, ReturnValuesOnConditionCheckFailure being ALL_OLD) into the
// error the single operation would report: ErrNotFound, ErrExists,
// ErrVersionConflict or ErrConditionFailed.
type txWriter interface {
	txWriteItem() (types.TransactWriteItem, error)
	txFailure() *engine.Failure
}

var (
	_ txWriter = (*Put[struct{}])(nil)
	_ txWriter = (*Update[struct{}])(nil)
	_ txWriter = (*Delete[struct{}])(nil)
	_ txWriter = (*Check[struct{}])(nil)
)

// Put returns a Put of item v.
func (e *Entity[T]) Put(v T) *Put[T] {
	return &Put[T]{e: e, value: v}
}

// IfNotExists makes the Put fail with ErrExists (a kind of
// ErrConditionFailed) when an item exists at the key. An expired item (its
// ttl at or before the table's clock; see Entity) counts as absent and the
// Put replaces it, as does a Put of version 0 of an entity with a version
// field.
func (op *Put[T]) IfNotExists() *Put[T] {
	op.ifNotExists = true
	return op
}

// If makes the Put conditional on cond, evaluated against the stored item;
// a failed condition is ErrConditionFailed. Several If calls are ANDed. A
// condition is checked before sending as Query.Filter says
// (ErrInvalidCondition); so are those of Update, Delete and Check.
func (op *Put[T]) If(cond expression.ConditionBuilder) *Put[T] {
	op.cond = engine.And(op.cond, cond)
	return op
}

// Params returns the PutItem request Run sends, without sending it.
func (op *Put[T]) Params() (*dynamodb.PutItemInput, error) {
	op.build(context.Background())
	return op.in, op.err
}

// Value returns the item as Run writes it, with its new version and
// timestamps, without sending anything.
func (op *Put[T]) Value() (T, error) {
	op.build(context.Background())
	return op.value, op.err
}

// Run writes the item.
func (op *Put[T]) Run(ctx context.Context) error {
	op.build(ctx)
	in, err := op.in, op.err
	if err != nil {
		return err
	}
	if _, err := engine.Write(ctx, op.e.s.Table.Client.PutItem, in); err != nil {
		return op.fail.Wrap(err, nil)
	}
	return nil
}

func (op *Put[T]) build(ctx context.Context) {
	if op.built {
		return
	}
	op.built = true
	if op.err != nil {
		return
	}
	s := op.e.s
	t := s.Table
	p := unsafe.Pointer(&op.value)
	op.fail = engine.Failure{Op: "Put", S: s, Absent: op.ifNotExists}

	var conds []expression.ConditionBuilder
	free := op.ifNotExists // a condition requires no item at the key
	if op.ifNotExists {
		conds = append(conds, op.fail.NoItem())
	}
	if s.Version != nil {
		cur := s.VersionOf(p)
		op.fail.Versioned, op.fail.Expected = true, cur
		switch {
		case cur == 0 && !op.ifNotExists:
			conds = append(conds, op.fail.NoItem())
			free = true
		case cur != 0:
			conds = append(conds, s.VersionIs(cur))
		}
		s.SetVersion(p, cur+1)
	}
	if s.Created != nil || s.Updated != nil {
		now := reflect.ValueOf(t.Now())
		if s.Created != nil {
			if v := s.Created.Value(p); v.IsZero() {
				v.Set(now)
			}
		}
		if s.Updated != nil {
			s.Updated.Value(p).Set(now)
		}
	}
	op.conditional = len(conds) > 0
	if !free {
		// Without a condition that the key is free, the Put must not
		// replace another entity's item; ErrWrongEntity says it would have.
		conds = append(conds, s.AbsentOrOwn())
	}
	if op.cond != nil {
		conds = append(conds, *op.cond)
	}

	item, key, err := s.Encode(ctx, p)
	op.fail.Key = key
	if err != nil {
		op.err = engine.ItemErr("Put", s, key, err)
		return
	}
	if size := engine.ItemSize(item); size > MaxItemSize {
		op.err = &ItemError{Op: "Put", Entity: s.Name, Key: key, Kind: ErrItemTooLarge,
			Err: fmt.Errorf("%d bytes, over the limit of %d", size, MaxItemSize)}
		return
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(t.Name), Item: item}
	if len(conds) > 0 {
		build := expression.NewBuilder().WithCondition(engine.AndAll(conds)).Build
		if len(conds) == 1 && !free && op.cond == nil {
			build = s.PutGuard // the guard alone: built once per entity
		}
		expr, err := build()
		if err != nil {
			op.err = &ItemError{Op: "Put", Entity: s.Name, Key: key, Err: err}
			return
		}
		if op.err = s.CheckCond("Put", key, op.cond, expr); op.err != nil {
			return
		}
		in.ConditionExpression = expr.Condition()
		// Copies: the built maps of a shared expression are not the
		// request's to hand out.
		in.ExpressionAttributeNames = maps.Clone(expr.Names())
		in.ExpressionAttributeValues = maps.Clone(expr.Values())
		in.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	op.in = in
}

// txWriteItem returns the Put as an item of a TransactWriteItems request.
func (op *Put[T]) txWriteItem() (types.TransactWriteItem, error) {
	in, err := op.Params()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName:                           in.TableName,
		Item:                                in.Item,
		ConditionExpression:                 in.ConditionExpression,
		ExpressionAttributeNames:            in.ExpressionAttributeNames,
		ExpressionAttributeValues:           in.ExpressionAttributeValues,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailure(in.ReturnValuesOnConditionCheckFailure),
	}}, nil
}
