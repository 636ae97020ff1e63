package tablemap

import "github.com/tablemap/tablemap/internal/engine"

// Sentinel errors. Errors returned by operations wrap them, so test with
// errors.Is:
//
//	if errors.Is(err, tablemap.ErrNotFound) { ... }
var (
	// ErrNotFound reports that no item exists at a key: a Get found nothing,
	// an Update or Delete addressed a missing item.
	ErrNotFound error = engine.ErrNotFound
	// ErrConditionFailed reports that DynamoDB rejected a write because its
	// condition did not hold. The error also wraps the SDK's
	// *types.ConditionalCheckFailedException, for errors.As.
	ErrConditionFailed error = engine.ErrConditionFailed
	// ErrVersionConflict reports that the stored item's version is not the
	// one the write expected: someone else wrote it in between. An error that
	// wraps ErrVersionConflict also wraps ErrConditionFailed.
	ErrVersionConflict error = engine.ErrVersionConflict
	// ErrExists reports that a write requiring no item at its key (Put's
	// IfNotExists, Check's NotExists) found one. An error that wraps
	// ErrExists also wraps ErrConditionFailed.
	ErrExists error = engine.ErrExists
	// ErrItemTooLarge reports an item over DynamoDB's 400 KB limit
	// (MaxItemSize), found before any request is sent.
	ErrItemTooLarge error = engine.ErrItemTooLarge
	// ErrInvalidKey reports a value whose key fields cannot make a key: an
	// empty key field, a value that does not encode, a key that does not
	// parse back.
	ErrInvalidKey error = engine.ErrInvalidKey
	// ErrInvalidCursor reports a page cursor that this table and query did
	// not produce.
	ErrInvalidCursor error = engine.ErrInvalidCursor
	// ErrTxConflict reports a transaction cancelled because another
	// transaction or write touched one of its items at the same time.
	ErrTxConflict error = engine.ErrTxConflict
	// ErrDecrypt reports an encrypted attribute that did not decrypt: a
	// wrong key, a value moved from another item or attribute, a value
	// altered or not encrypted at all. The error names the attribute; the
	// operation's error around it names the entity and the item's key.
	ErrDecrypt error = engine.ErrDecrypt
	// ErrNoCipher reports an entity with encrypted fields defined on a table
	// without a cipher (see WithCipher).
	ErrNoCipher error = engine.ErrNoCipher
	// ErrWrongEntity reports a write or check refused because the item
	// stored at its key is of another entity type (or has no type
	// attribute): a Put never replaces, and an Update, Delete or Check
	// never applies to, another entity's item. DynamoDB answered
	// definitively; nothing was written. It is not a kind of
	// ErrConditionFailed: the caller's own conditions were not the cause.
	ErrWrongEntity error = engine.ErrWrongEntity
	// ErrInvalidCondition reports a condition or filter refused before
	// sending because it could never mean what it says: it names an
	// attribute the entity does not have, reads an encrypted attribute
	// (DynamoDB sees only its ciphertext), or compares an attribute with a
	// value of another type than the attribute is stored as (a time.Time
	// value, stored as a string, against a ttl attribute in epoch seconds).
	ErrInvalidCondition error = engine.ErrInvalidCondition
	// ErrMissingParent reports an Update of a nested document path
	// ("reactions.heart") that DynamoDB refused because the stored item
	// lacks a map or list above it (a nil map or pointer is stored as
	// NULL). DynamoDB answered definitively; nothing was applied. Put the
	// item with the parent non-nil (an empty map is stored as an empty
	// map), or Set the parent whole.
	ErrMissingParent error = engine.ErrMissingParent
	// ErrInvalidTx reports a transaction DynamoDB would reject, found
	// before any request is sent: no actions, more than MaxTxActions, two
	// actions on one item, or a malformed idempotency token.
	ErrInvalidTx error = engine.ErrInvalidTx
	// ErrUnprocessed reports keys a batch did not read or writes it did
	// not do because DynamoDB kept returning them unprocessed (throttling)
	// until the retries ran out. A *BatchError carries them.
	ErrUnprocessed error = engine.ErrUnprocessed
	// ErrMigrationIncomplete reports a migration that ran to its end but left
	// items unmigrated, or whose verification found mismatches; the report
	// lists them. Running the migration again retries what failed.
	ErrMigrationIncomplete error = engine.ErrMigrationIncomplete
	// ErrInvalidMigration reports a migration refused before sending anything:
	// entities of different tables, a bad option, a checkpoint of another
	// migration.
	ErrInvalidMigration error = engine.ErrInvalidMigration

	// Errors of values refused before any request is sent.

	// ErrInvalidValue reports a value that would not be stored or read back
	// as it is: a string, set element, map key or attribute name that is
	// not valid UTF-8 (the SDK would silently send U+FFFD in place of the
	// bad bytes), a value nested deeper than 100 levels (a pointer, map or
	// slice that holds itself, where attributevalue overflows the stack), a
	// nil *types.AttributeValueMember… inside an item. The error names the
	// struct and the field; nothing was sent.
	ErrInvalidValue error = engine.ErrInvalidValue
	// ErrNoClient reports a table made by NewTable with a nil client.
	// Nothing was sent.
	ErrNoClient error = engine.ErrNoClient
	// ErrTableMismatch: Verify found the live table different from its
	// declaration; the error is a *MismatchError listing every difference.
	ErrTableMismatch error = engine.ErrTableMismatch

	// Errors of a write's outcome.

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
	ErrUnknownOutcome error = engine.ErrUnknownOutcome
	// ErrTokenReused reports an idempotency token given again with a
	// different request (DynamoDB's IdempotentParameterMismatchException).
	// DynamoDB remembers a transaction's token for ten minutes: within
	// them, the same token with the same request answers success without
	// applying it again, even when the items have changed since — Follow
	// with token T, Unfollow, Follow with T again succeeds and makes no
	// new edge. Use a new token for each new intent.
	ErrTokenReused error = engine.ErrTokenReused
)

// A DefinitionError reports a struct that cannot define an entity; Define
// returns it. Its fields name what is at fault: Struct the Go type, with
// its package ("social.Photo"); Field the Go field path ("Taken",
// "Meta.Owner"), "_" for the entity tags; Tag the tag with its value
// (`sk:"PHOTO#{taken}"`); Err the reason, which Unwrap returns.
type DefinitionError = engine.DefinitionError

// A MismatchError is Verify's answer when the live table differs from
// its declaration: Mismatches lists every difference (a missing index, a
// key attribute of another name or type, a projection, the ttl
// attribute). It wraps ErrTableMismatch.
type MismatchError = engine.MismatchError

// An ItemError reports an operation on one item that failed. Its fields:
// Op the operation ("Put", "Get", "Update", "Delete", …), Entity the
// entity type name, Key the item's table key as far as it was built, Kind
// a sentinel such as ErrNotFound or ErrConditionFailed (nil for other
// failures), Err the cause, such as the SDK's
// *types.ConditionalCheckFailedException (nil when Kind says it all).
// It unwraps to Kind and Err, so both errors.Is and errors.As see through
// it; a version conflict or ErrExists also unwraps to ErrConditionFailed,
// being a condition that failed. A write that may have been applied has
// Kind ErrUnknownOutcome, never a failed condition.
type ItemError = engine.ItemError

// A QueryError reports a query, scan or collection that failed. Its
// fields: Op ("Query", "Scan", "Collection"), Entity the entity type name
// ("A+B" for a collection), Index the index ("" for the table), Key the
// table key of the item at fault, if any, and Err the cause, which Unwrap
// returns: a bad cursor is ErrInvalidCursor, an item of the expected type
// that does not decode is the codec's error.
type QueryError = engine.QueryError

// A BatchError reports a batch that did not complete. Op is "BatchGet" or
// "BatchWrite". Unprocessed holds the keys it did not read or the writes
// it certainly did not do, Unknown the writes that may have been done
// (sent in a request whose response was lost or was a server error, and
// not done since), both in the order they were given; everything else was
// done. Err is ErrUnprocessed when retries ran out, else the request's or
// the context's error. A BatchError unwraps to Err, and with Unknown
// writes to ErrUnknownOutcome too: puts and deletes of a batch are
// idempotent, so sending them again is safe.
type BatchError = engine.BatchError

// A BatchItem is one key or write of a batch, in a BatchError: Entity the
// entity type name, Key the item's table key, Delete true for a delete of
// a BatchWrite (false for a put or a get), Item the item of a put (nil
// otherwise).
type BatchItem = engine.BatchItem

// A TxError reports a transaction that failed once sent. Op is "WriteTx"
// or "ReadTx" and Err the SDK's error. When DynamoDB cancelled it (a
// *types.TransactionCanceledException), Actions lists the actions it gave
// a reason for, as *TxActionError, in request order; the actions it lists
// as "None" took no part in the failure and are left out. Nothing of a
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
type TxError = engine.TxError

// A TxActionError is the reason DynamoDB gave for cancelling a transaction
// at one of its actions. Its fields: Index the action's position in the
// transaction, from 0; Op "Put", "Update", "Delete", "Check" or "Get";
// Entity the entity type name; Key the item's table key; Code DynamoDB's
// cancellation reason ("ConditionalCheckFailed", "TransactionConflict",
// "ItemCollectionSizeLimitExceeded", "ProvisionedThroughputExceeded",
// "ThrottlingError", "ValidationError") and Message its message, if any;
// Item the stored item a failed condition was evaluated against (every
// action asks for it, ReturnValuesOnConditionCheckFailure ALL_OLD), nil
// when there was none or another reason, to decode with the entity's
// Decode; Err, which Unwrap returns, the action's error as the single
// operation would report it: an *ItemError whose Kind is ErrExists,
// ErrNotFound, ErrVersionConflict or ErrConditionFailed for a failed
// condition, and ErrTxConflict for a conflict.
type TxActionError = engine.TxActionError

// MaxItemSize is DynamoDB's limit on the size of an item: 400 KB.
const MaxItemSize = engine.MaxItemSize

// MaxTxActions is the most actions one transaction may hold, DynamoDB's
// limit for TransactWriteItems and TransactGetItems: 100.
const MaxTxActions = engine.MaxTxActions
