package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/codec"
)

// Sentinel errors, grouped by what they say of the request; their
// user-facing docs are the root package's.

// DynamoDB answered: the item is not as the request needs it.
var (
	ErrNotFound        = errors.New("item not found")
	ErrConditionFailed = errors.New("condition failed")
	ErrVersionConflict = errors.New("version conflict") // also ErrConditionFailed
	ErrExists          = errors.New("item exists")      // also ErrConditionFailed
	ErrWrongEntity     = errors.New("item of another entity type")
)

// DynamoDB answered: nothing of the request was applied.
var (
	ErrTxConflict    = errors.New("transaction conflict")
	ErrMissingParent = errors.New("missing parent of a document path")
)

// Refused before sending: the request could not mean what it says.
var (
	ErrItemTooLarge     = errors.New("item too large")
	ErrInvalidKey       = errors.New("invalid key")
	ErrInvalidCursor    = errors.New("invalid cursor")
	ErrInvalidCondition = errors.New("invalid condition")
	ErrInvalidValue     = codec.ErrInvalidValue
)

// Refused before sending: the table cannot serve the request.
var (
	ErrNoClient = errors.New("no client")
	ErrNoCipher = errors.New("the table has no cipher")
)

// Reading an item: an encrypted attribute that did not open.
var ErrDecrypt = errors.New("cannot decrypt")

// A DefinitionError is a refusal of Define (see the root package).
type DefinitionError struct {
	Struct string // Go type name, with package: "social.Photo"
	Field  string // Go field path ("Taken", "Meta.Owner"); "_" for the entity tags
	Tag    string // the tag at fault, with its value: `sk:"PHOTO#{taken}"`
	Err    error
}

func (e *DefinitionError) Error() string {
	var b strings.Builder
	b.WriteString("tablemap: define ")
	b.WriteString(e.Struct)
	if e.Field != "" {
		b.WriteString(": field ")
		b.WriteString(e.Field)
	}
	if e.Tag != "" {
		b.WriteString(": tag ")
		b.WriteString(e.Tag)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *DefinitionError) Unwrap() error { return e.Err }

// An ItemError is the failure of an operation on one item.
type ItemError struct {
	Op     string // "Put", "Get", "Update", "Delete"
	Entity string // entity type name
	Key    Key    // the item's table key, as far as it was built
	Kind   error  // a sentinel such as ErrNotFound; nil for other failures
	Err    error  // the cause; may be nil when Kind says it all
}

func (e *ItemError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tablemap: %s %s", e.Op, e.Entity)
	if e.Key != (Key{}) {
		fmt.Fprintf(&b, " {%s}", e.Key)
	}
	if e.Kind != nil && (e.Err == nil || !errors.Is(e.Err, e.Kind)) {
		b.WriteString(": ")
		b.WriteString(e.Kind.Error())
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the sentinel and the cause. A version conflict also
// unwraps to ErrConditionFailed: it is a condition that failed.
func (e *ItemError) Unwrap() []error {
	errs := make([]error, 0, 3)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
		if e.Kind == ErrVersionConflict || e.Kind == ErrExists {
			errs = append(errs, ErrConditionFailed)
		}
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// A QueryError is the failure of a query, scan or collection.
type QueryError struct {
	Op     string // "Query", "Scan", "Collection"
	Entity string // entity type name; "A+B" for a collection
	Index  string // "" for the table
	Key    Key    // the table key of the item at fault, if any
	Err    error
}

func (e *QueryError) Error() string {
	msg := "tablemap: " + e.Op + " " + e.Entity
	if e.Index != "" {
		msg += " on index " + e.Index
	}
	if e.Key != (Key{}) {
		msg += " {" + e.Key.String() + "}"
	}
	return msg + ": " + e.Err.Error()
}

func (e *QueryError) Unwrap() error { return e.Err }

// ErrUnprocessed: batch keys or writes left unprocessed after the retries.
var ErrUnprocessed = errors.New("unprocessed after retries")

// A BatchError is a batch that did not complete.
type BatchError struct {
	Op          string      // "BatchGet" or "BatchWrite"
	Unprocessed []BatchItem // what was certainly not done
	Unknown     []BatchItem // writes that may have been done (BatchWrite only)
	Err         error       // ErrUnprocessed when retries ran out; else the request's or the context's error
}

func (e *BatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tablemap: %s: %d not done", e.Op, len(e.Unprocessed))
	for i, it := range e.Unprocessed {
		if i == 3 {
			b.WriteString(", …")
			break
		}
		sep := " ("
		if i > 0 {
			sep = ", "
		}
		fmt.Fprintf(&b, "%s%s {%s}", sep, it.Entity, it.Key)
		if i == len(e.Unprocessed)-1 {
			b.WriteString(")")
		}
	}
	if len(e.Unknown) > 0 {
		fmt.Fprintf(&b, ", %d perhaps done (%s)", len(e.Unknown), ErrUnknownOutcome)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns Err, and ErrUnknownOutcome when some writes may have
// been done.
func (e *BatchError) Unwrap() []error {
	if len(e.Unknown) > 0 {
		return []error{e.Err, ErrUnknownOutcome}
	}
	return []error{e.Err}
}

// Sentinel errors of a write's outcome.
var (
	// ErrUnknownOutcome: a write that may have been applied.
	ErrUnknownOutcome = errors.New("outcome unknown: the write may have been applied")
	// ErrTokenReused: an idempotency token given again with another request.
	ErrTokenReused = errors.New("idempotency token reused with a different request")
)

// An OutcomeError marks the SDK's error of a write with what it means:
// ErrUnknownOutcome or ErrTokenReused.
type OutcomeError struct {
	Kind error
	Err  error
}

func (e *OutcomeError) Error() string { return e.Kind.Error() + ": " + e.Err.Error() }

func (e *OutcomeError) Unwrap() []error { return []error{e.Kind, e.Err} }

// ErrInvalidTx: a transaction DynamoDB would reject, refused before sending.
var ErrInvalidTx = errors.New("invalid transaction")

// A TxError is a transaction that failed once sent.
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

// A TxActionError is DynamoDB's reason for cancelling a transaction at one action.
type TxActionError struct {
	Index   int                             // the action's position in the transaction, from 0
	Op      string                          // "Put", "Update", "Delete", "Check" or "Get"
	Entity  string                          // entity type name
	Key     Key                             // the item's table key
	Code    string                          // DynamoDB's cancellation reason: "ConditionalCheckFailed", …
	Message string                          // DynamoDB's message, if any
	Item    map[string]types.AttributeValue // the stored item a failed condition saw (ALL_OLD), or nil
	Err     error                           // the action's error as the single operation would report it
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

// ErrMigrationIncomplete: a migration ended with items left unmigrated.
var ErrMigrationIncomplete = errors.New("migration incomplete")

// ErrInvalidMigration: a migration refused before sending anything.
var ErrInvalidMigration = errors.New("invalid migration")
