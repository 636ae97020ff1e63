package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrInvalidTx reports a transaction DynamoDB would reject, found before any
// request is sent: no actions, more than MaxTxActions, two actions on one
// item, or a malformed idempotency token.
var ErrInvalidTx = errors.New("invalid transaction")

// A TxError reports a transaction that failed once sent. When DynamoDB
// cancelled it (a *types.TransactionCanceledException), Actions lists the
// actions it gave a reason for, in request order; the actions it lists as
// "None" took no part in the failure and are left out. Nothing of a
// cancelled transaction is applied.
//
// A TxError unwraps to every listed action and to the SDK's error, so
//
//	errors.Is(err, ErrNotFound)        // an action needs an item that is missing (Update, Incr, Exists)
//	errors.Is(err, ErrConditionFailed) // an action's condition failed on a stored item, and in particular
//	errors.Is(err, ErrExists)          // … an item exists where none may (IfNotExists, NotExists)
//	errors.Is(err, ErrVersionConflict) // … the stored version is another one
//	errors.Is(err, ErrWrongEntity)     // an action's key holds an item of another entity type
//	errors.Is(err, ErrTxConflict)      // another write touched an item at the same time
//
// and errors.As(err, &actionErr) finds the first listed *TxActionError.
// A transaction that was sent and got no definitive answer wraps
// ErrUnknownOutcome instead (run it again with its token), and a token
// given again with another request ErrTokenReused.
// DynamoDB does not retry a cancelled transaction, nor does the SDK's
// default retryer: a conflict is the caller's to retry (run the WriteTx
// again).
type TxError struct {
	Op      string           // "WriteTx" or "ReadTx"
	Actions []*TxActionError // the actions DynamoDB gave a reason for; empty unless cancelled
	Err     error            // the SDK's error
}

func (e *TxError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tablemap: %s", e.Op)
	if len(e.Actions) == 0 {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
		return b.String()
	}
	b.WriteString(" cancelled")
	for i, a := range e.Actions {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(a.Error())
	}
	return b.String()
}

// Unwrap returns the listed actions and the SDK's error.
func (e *TxError) Unwrap() []error {
	errs := make([]error, 0, len(e.Actions)+1)
	for _, a := range e.Actions {
		errs = append(errs, a)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// A TxActionError is the reason DynamoDB gave for cancelling a transaction
// at one of its actions.
type TxActionError struct {
	Index  int    // the action's position in the transaction, from 0
	Op     string // "Put", "Update", "Delete", "Check" or "Get"
	Entity string // entity type name
	Key    Key    // the item's table key
	// Code is DynamoDB's cancellation reason: "ConditionalCheckFailed",
	// "TransactionConflict", "ItemCollectionSizeLimitExceeded",
	// "ProvisionedThroughputExceeded", "ThrottlingError", "ValidationError".
	Code    string
	Message string // DynamoDB's message, if any
	// Item is the stored item a failed condition was evaluated against
	// (every action asks for it, ReturnValuesOnConditionCheckFailure
	// ALL_OLD); nil when there was no item or another reason. Decode it
	// with the entity's Decode.
	Item map[string]types.AttributeValue
	// Err is the action's error as the single operation would report it:
	// an *ItemError whose Kind is ErrExists, ErrNotFound,
	// ErrVersionConflict or ErrConditionFailed for a failed condition, and
	// ErrTxConflict for a conflict.
	Err error
}

func (e *TxActionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "action %d: %s %s", e.Index, e.Op, e.Entity)
	if e.Key != (Key{}) {
		fmt.Fprintf(&b, " {%s}", e.Key)
	}
	var ie *ItemError
	if errors.As(e.Err, &ie) && ie.Kind != nil {
		fmt.Fprintf(&b, ": %s", ie.Kind)
	}
	fmt.Fprintf(&b, " (%s", e.Code)
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	b.WriteString(")")
	return b.String()
}

// Unwrap returns the action's error.
func (e *TxActionError) Unwrap() error { return e.Err }

// A txAction is what a transaction knows of one of its actions to report
// it: the operation, the entity and key, and, for writes, how the single
// operation maps a failed condition.
type TxAction struct {
	Op     string
	Entity string
	Key    Key
	Table  *Table
	// Failed maps a failed condition (nil for gets, which have none).
	Failed func(cause error, old map[string]types.AttributeValue) error
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
			ae.Err = a.Failed(err, r.Item)
		case code == "TransactionConflict":
			ae.Err = &ItemError{Op: a.Op, Entity: a.Entity, Key: a.Key, Kind: ErrTxConflict, Err: err}
		default:
			ae.Err = &ItemError{Op: a.Op, Entity: a.Entity, Key: a.Key, Err: err}
		}
		te.Actions = append(te.Actions, ae)
	}
	return te
}
