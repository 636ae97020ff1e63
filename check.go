package tablemap

import (
	"errors"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	e         *Entity[T]
	key       T
	exists    bool
	notExists bool
	cond      *expression.ConditionBuilder
	err       error

	built bool
	cc    *types.ConditionCheck
	fail  engine.Failure
}

// Check returns a condition check of the item whose key fields are those
// of key.
func (e *Entity[T]) Check(key T) *Check[T] {
	return &Check[T]{e: e, key: key}
}

// Exists requires an item of this entity at the key; a missing item is
// ErrNotFound, and so is an expired one (see Entity: its ttl is at or
// before the table's clock), an item of another entity type ErrWrongEntity
// (as Get does not read it). A Check with only If conditions requires no
// item or one of this entity, likewise.
func (op *Check[T]) Exists() *Check[T] {
	op.exists = true
	return op
}

// NotExists requires that no item exists at the key; an item there is
// ErrExists, unless it has expired (see Exists).
func (op *Check[T]) NotExists() *Check[T] {
	op.notExists = true
	return op
}

// If requires cond to hold on the stored item; a failed condition is
// ErrConditionFailed. Several If calls are ANDed.
func (op *Check[T]) If(cond expression.ConditionBuilder) *Check[T] {
	op.cond = engine.And(op.cond, cond)
	return op
}

// Params returns the ConditionCheck action the Check adds to a
// transaction.
func (op *Check[T]) Params() (*types.ConditionCheck, error) {
	op.build()
	return op.cc, op.err
}

func (op *Check[T]) build() {
	if op.built {
		return
	}
	op.built = true
	s := op.e.s
	t := s.Table
	p := unsafe.Pointer(&op.key)
	k, err := s.Key(p)
	op.fail = engine.Failure{Op: "Check", S: s, Key: k, NeedsItem: op.exists, Absent: op.notExists}
	switch {
	case op.err != nil:
		return
	case err != nil:
		op.err = engine.ItemErr("Check", s, k, err)
		return
	case op.exists && op.notExists:
		op.err = &ItemError{Op: "Check", Entity: s.Name, Key: k, Err: errors.New("both Exists and NotExists")}
		return
	}
	var conds []expression.ConditionBuilder
	switch {
	case op.exists:
		conds = append(conds, s.IsOwn()) // an item of another entity is not this one
		if s.TTL != nil {
			conds = append(conds, op.fail.AnItem()) // nor is an expired one
		}
	case op.notExists:
		conds = append(conds, op.fail.NoItem())
	}
	if !op.notExists {
		if c, ok := op.fail.ExpectVersion(p); ok {
			conds = append(conds, c)
		}
	}
	if op.cond != nil {
		conds = append(conds, *op.cond)
	}
	if len(conds) == 0 {
		op.err = &ItemError{Op: "Check", Entity: s.Name, Key: k, Err: errors.New("no condition (use Exists, NotExists or If)")}
		return
	}
	if !op.exists && !op.notExists {
		conds = append(conds, s.AbsentOrOwn())
	}
	expr, err := expression.NewBuilder().WithCondition(engine.AndAll(conds)).Build()
	if err != nil {
		op.err = &ItemError{Op: "Check", Entity: s.Name, Key: k, Err: err}
		return
	}
	if op.err = s.CheckCond("Check", k, op.cond, expr); op.err != nil {
		return
	}
	op.cc = &types.ConditionCheck{
		TableName:                           aws.String(t.Name),
		Key:                                 t.KeyItem(k),
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
}

// txWriteItem returns the Check as an item of a TransactWriteItems request.
func (op *Check[T]) txWriteItem() (types.TransactWriteItem, error) {
	cc, err := op.Params()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{ConditionCheck: cc}, nil
}
