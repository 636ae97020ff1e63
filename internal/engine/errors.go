package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/codec"
)

// Sentinel errors. Errors returned by operations wrap them, so test with
// errors.Is:
//
//	if errors.Is(err, tablemap.ErrNotFound) { ... }
var (
	// ErrNotFound reports that no item exists at a key: a Get found nothing,
	// an Update or Delete addressed a missing item.
	ErrNotFound = errors.New("item not found")
	// ErrConditionFailed reports that DynamoDB rejected a write because its
	// condition did not hold. The error also wraps the SDK's
	// *types.ConditionalCheckFailedException, for errors.As.
	ErrConditionFailed = errors.New("condition failed")
	// ErrVersionConflict reports that the stored item's version is not the
	// one the write expected: someone else wrote it in between. An error that
	// wraps ErrVersionConflict also wraps ErrConditionFailed.
	ErrVersionConflict = errors.New("version conflict")
	// ErrExists reports that a write requiring no item at its key (Put's
	// IfNotExists, Check's NotExists) found one. An error that wraps
	// ErrExists also wraps ErrConditionFailed.
	ErrExists = errors.New("item exists")
	// ErrItemTooLarge reports an item over DynamoDB's 400 KB limit, found
	// before any request is sent.
	ErrItemTooLarge = errors.New("item too large")
	// ErrInvalidKey reports a value whose key fields cannot make a key: an
	// empty key field, a value that does not encode, a key that does not
	// parse back.
	ErrInvalidKey = errors.New("invalid key")
	// ErrInvalidCursor reports a page cursor that this table and query did
	// not produce.
	ErrInvalidCursor = errors.New("invalid cursor")
	// ErrTxConflict reports a transaction cancelled because another
	// transaction or write touched one of its items at the same time.
	ErrTxConflict = errors.New("transaction conflict")
	// ErrDecrypt reports an encrypted attribute that did not decrypt: a
	// wrong key, a value moved from another item or attribute, a value
	// altered or not encrypted at all. The error names the attribute; the
	// operation's error around it names the entity and the item's key.
	ErrDecrypt = errors.New("cannot decrypt")
	// ErrNoCipher reports an entity with encrypted fields defined on a table
	// without a cipher (see WithCipher).
	ErrNoCipher = errors.New("the table has no cipher")
	// ErrWrongEntity reports a write or check refused because the item
	// stored at its key is of another entity type (or has no type
	// attribute): a Put never replaces, and an Update, Delete or Check
	// never applies to, another entity's item. DynamoDB answered
	// definitively; nothing was written. It is not a kind of
	// ErrConditionFailed: the caller's own conditions were not the cause.
	ErrWrongEntity = errors.New("item of another entity type")
	// ErrInvalidCondition reports a condition or filter refused before
	// sending because it could never mean what it says: it names an
	// attribute the entity does not have, reads an encrypted attribute
	// (DynamoDB sees only its ciphertext), or compares an attribute with a
	// value of another type than the attribute is stored as (a time.Time
	// value, stored as a string, against a ttl attribute in epoch seconds).
	ErrInvalidCondition = errors.New("invalid condition")
)

// Sentinel errors of values refused before any request is sent.
var (
	// ErrInvalidValue reports a value that would not be stored or read back
	// as it is: a string, set element, map key or attribute name that is
	// not valid UTF-8 (the SDK would silently send U+FFFD in place of the
	// bad bytes), a value nested deeper than 100 levels (a pointer, map or
	// slice that holds itself, where attributevalue overflows the stack), a
	// nil *types.AttributeValueMember… inside an item. The error names the
	// struct and the field; nothing was sent.
	ErrInvalidValue = codec.ErrInvalidValue
	// ErrNoClient reports a table made by NewTable with a nil client.
	// Nothing was sent.
	ErrNoClient = errors.New("no client")
)

// A DefinitionError reports a struct that cannot define an entity. It names
// the struct, the field and the tag at fault; Define returns it.
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

// An ItemError reports an operation on one item that failed. It names the
// operation, the entity and the item's key, and wraps a sentinel (Kind: for
// example ErrNotFound or ErrConditionFailed) and the underlying error (Err,
// such as the SDK's *types.ConditionalCheckFailedException), so both
// errors.Is and errors.As see through it. A write that may have been
// applied has Kind ErrUnknownOutcome, never a failed condition.
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

// A QueryError reports a query, scan or collection that failed, naming the
// entity (or entities) and the index. It wraps the cause; a bad cursor is
// ErrInvalidCursor, an item of the expected type that does not decode is
// the codec's error.
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

// ErrUnprocessed reports keys a batch did not read or writes it did not do
// because DynamoDB kept returning them unprocessed (throttling) until the
// retries ran out. A *BatchError carries them.
var ErrUnprocessed = errors.New("unprocessed after retries")

// A BatchError reports a batch that did not complete. Unprocessed holds
// the keys it did not read or the writes it certainly did not do, Unknown
// the writes that may have been done (sent in a request whose response was
// lost or was a server error, and not done since), both in the order they
// were given; everything else was done. A BatchError with Unknown writes
// wraps ErrUnknownOutcome: puts and deletes of a batch are idempotent, so
// sending them again is safe.
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
	// ErrUnknownOutcome reports a write that may have been applied: a
	// request was sent and no definitive answer came back — the response
	// was lost, the server failed (5xx) or the context ended while waiting
	// — and no later attempt settled it. A failed condition on a retry of
	// such an attempt may be the write's own effect (an IfNotExists finding
	// the item it just wrote), so it is an unknown outcome too, not
	// ErrExists. It never holds when DynamoDB answered the only attempt
	// definitively (a failed condition, a validation error) nor when the
	// request was refused before sending. The SDK's error stays reachable
	// with errors.As.
	//
	// What to do: a write with an idempotency token (WriteTx.Token, the
	// Token options of the social and notes packages) is run again with
	// the same token, which applies it at most once. A write without one
	// is read back to find out, or made idempotent first.
	ErrUnknownOutcome = errors.New("outcome unknown: the write may have been applied")
	// ErrTokenReused reports an idempotency token given again with a
	// different request (DynamoDB's IdempotentParameterMismatchException).
	// DynamoDB remembers a transaction's token for ten minutes: within
	// them, the same token with the same request answers success without
	// applying it again, even when the items have changed since — Follow
	// with token T, Unfollow, Follow with T again succeeds and makes no
	// new edge. Use a new token for each new intent.
	ErrTokenReused = errors.New("idempotency token reused with a different request")
)

// An outcomeError marks the SDK's error of a write with what it means:
// ErrUnknownOutcome or ErrTokenReused.
type OutcomeError struct {
	Kind error
	Err  error
}

func (e *OutcomeError) Error() string { return e.Kind.Error() + ": " + e.Err.Error() }

func (e *OutcomeError) Unwrap() []error { return []error{e.Kind, e.Err} }

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
