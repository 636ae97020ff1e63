package engine

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// MaxTxActions is the most actions one transaction may hold, DynamoDB's
// limit for TransactWriteItems and TransactGetItems.
const MaxTxActions = 100

// MaxTokenLen is the longest ClientRequestToken DynamoDB accepts.
const MaxTokenLen = 36

// A txAction is what a transaction knows of one of its actions to report
// it: the operation, the entity and key, and, for writes, how the single
// operation maps a failed condition.
type TxAction struct {
	Key Key
	S   *Schema // the entity
	// Failed maps a failed condition (nil for gets, which have none).
	Failed *Failure
}

// Op returns the action's operation: a write's, or Get.
func (a *TxAction) Op() string {
	if a.Failed == nil {
		return "Get"
	}
	return a.Failed.Op()
}

// Entity returns the name of the action's entity.
func (a *TxAction) Entity() string { return a.S.Name }

// Table returns the table of the action's entity.
func (a *TxAction) Table() *Table { return a.S.Table }

// WrapTxError turns the error of a TransactWriteItems or TransactGetItems
// request into a *TxError, mapping each cancellation reason to its action.
func WrapTxError(op string, err error, actions []TxAction) error {
	te := &TxError{Op: op, Err: err}
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return te
	}
	for i, r := range tce.CancellationReasons {
		code := aws.ToString(r.Code)
		if code == "" || code == "None" || i >= len(actions) {
			continue
		}
		a := &actions[i]
		op, entity := a.Op(), a.Entity()
		ae := &TxActionError{
			Index: i, Op: op, Entity: entity, Key: a.Key,
			Code: code, Message: aws.ToString(r.Message), Item: r.Item,
		}
		switch {
		case code == "ConditionalCheckFailed" && a.Failed != nil:
			ae.Err = a.Failed.ConditionFailed(err, r.Item)
		case code == "TransactionConflict":
			ae.Err = &ItemError{Op: op, Entity: entity, Key: a.Key, Kind: ErrTxConflict, Err: err}
		default:
			ae.Err = &ItemError{Op: op, Entity: entity, Key: a.Key, Err: err}
		}
		te.Actions = append(te.Actions, ae)
	}
	return te
}
