package tablemap

import (
	"context"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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

	built       bool
	in          *dynamodb.DeleteItemInput
	fail        engine.Failure
	conditional bool // a condition beyond the entity guard (for batches)
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
func (op *Delete[T]) Params() (*dynamodb.DeleteItemInput, error) {
	op.build()
	return op.in, op.err
}

// Run deletes the item and returns it as it was.
func (op *Delete[T]) Run(ctx context.Context) (T, error) {
	var zero T
	in, err := op.Params()
	if err != nil {
		return zero, err
	}
	out, err := engine.Write(ctx, op.e.s.Table.Client.DeleteItem, in)
	if err != nil {
		return zero, op.fail.Wrap(err, nil)
	}
	if len(out.Attributes) == 0 {
		return zero, &ItemError{Op: "Delete", Entity: op.e.s.Name, Key: op.fail.Key, Kind: ErrNotFound}
	}
	old, err := op.e.decode(ctx, out.Attributes)
	if err != nil {
		return old, &ItemError{Op: "Delete", Entity: op.e.s.Name, Key: op.fail.Key, Err: err}
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
	s := op.e.s
	t := s.Table
	p := unsafe.Pointer(&op.key)
	k, err := s.Key(p)
	op.fail = engine.Failure{Op: "Delete", S: s, Key: k, NeedsItem: true}
	if err != nil {
		op.err = engine.ItemErr("Delete", s, k, err)
		return
	}
	conds := []expression.ConditionBuilder{s.AbsentOrOwn()}
	if c, ok := op.fail.ExpectVersion(p); ok {
		conds = append(conds, c)
	}
	if op.cond != nil {
		conds = append(conds, *op.cond)
	}
	op.conditional = len(conds) > 1
	expr, err := expression.NewBuilder().WithCondition(engine.AndAll(conds)).Build()
	if err != nil {
		op.err = &ItemError{Op: "Delete", Entity: s.Name, Key: k, Err: err}
		return
	}
	if op.err = s.CheckCond("Delete", k, op.cond, expr); op.err != nil {
		return
	}
	in := &dynamodb.DeleteItemInput{
		TableName:                           aws.String(t.Name),
		Key:                                 t.KeyItem(k),
		ReturnValues:                        types.ReturnValueAllOld,
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	op.in = in
}

// txWriteItem returns the Delete as an item of a TransactWriteItems
// request. Inside a transaction a missing item is not an error unless a
// condition says so.
func (op *Delete[T]) txWriteItem() (types.TransactWriteItem, error) {
	in, err := op.Params()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Delete: &types.Delete{
		TableName:                           in.TableName,
		Key:                                 in.Key,
		ConditionExpression:                 in.ConditionExpression,
		ExpressionAttributeNames:            in.ExpressionAttributeNames,
		ExpressionAttributeValues:           in.ExpressionAttributeValues,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailure(in.ReturnValuesOnConditionCheckFailure),
	}}, nil
}
