package engine

import (
	"errors"
	"fmt"
	"strings"

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
