package tablemap

import "github.com/tablemap/tablemap/internal/engine"

// Sentinel errors. Errors returned by operations wrap them, so test with
// errors.Is:
//
//	if errors.Is(err, tablemap.ErrNotFound) { ... }
var (
	ErrNotFound         = engine.ErrNotFound
	ErrConditionFailed  = engine.ErrConditionFailed
	ErrVersionConflict  = engine.ErrVersionConflict
	ErrExists           = engine.ErrExists
	ErrItemTooLarge     = engine.ErrItemTooLarge
	ErrInvalidKey       = engine.ErrInvalidKey
	ErrInvalidCursor    = engine.ErrInvalidCursor
	ErrTxConflict       = engine.ErrTxConflict
	ErrDecrypt          = engine.ErrDecrypt
	ErrNoCipher         = engine.ErrNoCipher
	ErrWrongEntity      = engine.ErrWrongEntity
	ErrInvalidCondition = engine.ErrInvalidCondition
	ErrInvalidValue     = engine.ErrInvalidValue
	ErrNoClient         = engine.ErrNoClient
	ErrUnknownOutcome   = engine.ErrUnknownOutcome
	ErrTokenReused      = engine.ErrTokenReused
	ErrInvalidTx        = engine.ErrInvalidTx
	ErrUnprocessed      = engine.ErrUnprocessed
)

type (
	DefinitionError = engine.DefinitionError
	ItemError       = engine.ItemError
	QueryError      = engine.QueryError
	TxError         = engine.TxError
	TxActionError   = engine.TxActionError
	BatchError      = engine.BatchError
	BatchItem       = engine.BatchItem
	Key             = engine.Key
	Client          = engine.Client
	Cipher          = engine.Cipher
)

const (
	MaxPartitionKeyBytes = engine.MaxPartitionKeyBytes
	MaxSortKeyBytes      = engine.MaxSortKeyBytes
	MaxItemSize          = engine.MaxItemSize
	MaxGSIs              = engine.MaxGSIs
	InvertedIndex        = engine.InvertedIndex
	MaxTxActions         = engine.MaxTxActions
)

// A Table is one DynamoDB table holding the items of several entities. It
// knows the client, the table's name and the names of its key attributes,
// and collects the entities defined on it (see Define), from which it can
// create the table. A Table is safe for concurrent use.
type Table struct {
	core *engine.Table
}
