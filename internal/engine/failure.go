package engine

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A failure turns the error of a single-item write into the error the
// operation returns, telling a missing item, a version conflict and another
// failed condition apart by the item DynamoDB returns on a failed condition
// (ReturnValuesOnConditionCheckFailure ALL_OLD).
type Failure struct {
	Kind      WriteKind
	NeedsItem bool // the write requires an existing item (Update, Delete)
	Absent    bool // the write requires no item (IfNotExists)
	Versioned bool // the write checks the stored version
	S         *Schema
	Key       Key
	Expected  int64 // the version it expects stored; 0 for no item
	TtlNow    int64 // the epoch second its conditions took an expired item as absent at; 0: none did (ttl.go)
	// extra is what only some Updates have; nil for the others, which
	// keeps a Failure, held in every write builder, small.
	extra *failureExtra
}

// A failureExtra is what the Failure of some Updates has beyond the others.
type failureExtra struct {
	// Indexed are the index keys an Update requires stored, because it
	// rewrites the other key of their index but cannot build them.
	Indexed []IndexedAttr
	// Paths are the nested document paths an Update changes, named when
	// DynamoDB refuses it for a missing parent.
	Paths []DocPath
}

// ext returns f.extra, made if nil.
func (f *Failure) ext() *failureExtra {
	if f.extra == nil {
		f.extra = new(failureExtra)
	}
	return f.extra
}

// indexed returns f.extra.Indexed, nil without extra.
func (f *Failure) indexed() []IndexedAttr {
	if f.extra == nil {
		return nil
	}
	return f.extra.Indexed
}

// Op is the name of the write's operation, for errors.
func (f *Failure) Op() string { return f.Kind.String() }

// An IndexedAttr is a key attribute of an index.
type IndexedAttr struct{ Index, Attr string }

// Wrap returns err as an *ItemError. old is the stored item a failed
// condition reported (nil if none, or if err is not a failed condition).
func (f *Failure) Wrap(err error, old map[string]types.AttributeValue) error {
	ie := &ItemError{Op: f.Op(), Entity: f.S.Name, Key: f.Key, Err: err}
	if errors.Is(err, ErrUnknownOutcome) {
		// A failed condition may be the write's own earlier attempt.
		ie.Kind = ErrUnknownOutcome
		return ie
	}
	if f.extra != nil && len(f.extra.Paths) > 0 && MissingParent(err) {
		ie.Kind, ie.Err = ErrMissingParent, MissingParentErr(f.extra.Paths, err)
		return ie
	}
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		if old == nil {
			old = ccf.Item
		}
		ie.Kind = f.ConditionKind(old)
	}
	return ie
}

// ConditionKind says why a condition failed, given the stored item.
func (f *Failure) ConditionKind(old map[string]types.AttributeValue) error {
	if f.Expired(old) {
		old = nil // the condition saw no item
	}
	switch {
	case f.NeedsItem && len(old) == 0:
		return ErrNotFound
	case f.Absent && len(old) > 0:
		return ErrExists
	case len(old) > 0 && f.S.Table.TypeOf(old) != f.S.Name:
		return ErrWrongEntity
	case f.Versioned && f.S.StoredVersion(old) != f.Expected:
		return ErrVersionConflict
	}
	for _, ia := range f.indexed() {
		if _, ok := old[ia.Attr]; !ok {
			return fmt.Errorf("%w: the item is not in index %s (it has no %s), so the update cannot change one of its index keys alone; give the fields of the other key in the key value", ErrConditionFailed, ia.Index, ia.Attr)
		}
	}
	return ErrConditionFailed
}

// ConditionFailed returns the error of a write whose condition failed
// inside a transaction: cause is the transaction's error, old the item the
// cancellation reason carries.
func (f *Failure) ConditionFailed(cause error, old map[string]types.AttributeValue) error {
	return &ItemError{Op: f.Op(), Entity: f.S.Name, Key: f.Key, Kind: f.ConditionKind(old), Err: cause}
}

// Expired reports whether old, the item a failed condition found, is one
// the write's conditions treated as absent.
func (f *Failure) Expired(old map[string]types.AttributeValue) bool {
	return f.TtlNow != 0 && len(old) > 0 && f.S.ExpiredAt(old, f.TtlNow)
}
