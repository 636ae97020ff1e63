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
	Op     string
	Entity string
	Key    Key
	Table  *Table
	// Failed maps a failed condition (nil for gets, which have none).
	Failed *Failure
}

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
		a := actions[i]
		ae := &TxActionError{
			Index: i, Op: a.Op, Entity: a.Entity, Key: a.Key,
			Code: code, Message: aws.ToString(r.Message), Item: r.Item,
		}
		switch {
		case code == "ConditionalCheckFailed" && a.Failed != nil:
			ae.Err = a.Failed.ConditionFailed(err, r.Item)
		case code == "TransactionConflict":
			ae.Err = &ItemError{Op: a.Op, Entity: a.Entity, Key: a.Key, Kind: ErrTxConflict, Err: err}
		default:
			ae.Err = &ItemError{Op: a.Op, Entity: a.Entity, Key: a.Key, Err: err}
		}
		te.Actions = append(te.Actions, ae)
	}
	return te
}
