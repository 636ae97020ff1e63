package tablemap

import (
	"context"
	"fmt"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/codec"
	"github.com/tablemap/tablemap/internal/engine"
)

// A BatchGet reads items of one entity by their keys, in BatchGetItem
// requests of up to 100 keys. Run it alone, or with the BatchGets of other
// entities in one Table.BatchGet, then read its Items.
type BatchGet[T any] struct {
	e          *Entity[T]
	keys       []Key
	consistent bool
	expiredOK  bool // IncludeExpired
	err        error

	// What the last Run found. During a Run, vals holds an item by the
	// index of its key, decoded in place (no map, no copy per item), and
	// has says which were found; then vals is compacted to those alone.
	vals []T
	has  []bool
}

// BatchGet returns a BatchGet of the items whose key fields are those of
// keys (their other fields are ignored).
func (e *Entity[T]) BatchGet(keys ...T) *BatchGet[T] {
	b := &BatchGet[T]{e: e, keys: make([]Key, 0, len(keys))}
	for i := range keys {
		k, err := e.s.Key(unsafe.Pointer(&keys[i]))
		if err != nil {
			if b.err == nil {
				b.err = engine.ItemErr("BatchGet", e.s, k, err)
			}
			continue
		}
		b.keys = append(b.keys, k)
	}
	return b
}

// Consistent makes the reads strongly consistent.
func (b *BatchGet[T]) Consistent() *BatchGet[T] {
	b.consistent = true
	return b
}

// IncludeExpired returns items whose ttl has passed too (see Entity); by
// default they are absent from the result, like missing ones.
func (b *BatchGet[T]) IncludeExpired() *BatchGet[T] {
	b.expiredOK = true
	return b
}

// Run reads the items and returns those found, in the order of the keys.
// Missing keys (and items of another entity type, and expired items unless
// IncludeExpired) are absent from the result. When not every key could be
// read, the error is a *BatchError naming the keys not read, and the items
// read are returned with it.
func (b *BatchGet[T]) Run(ctx context.Context) ([]T, error) {
	err := b.e.t.BatchGet(b).Run(ctx)
	return b.Items(), err
}

// Items returns the items the last Run found, in the order of the keys.
// It returns the same slice until the next Run, which makes a new one.
func (b *BatchGet[T]) Items() []T {
	return b.vals
}

// compact keeps the items found, in the order of the keys, in vals (once:
// a BatchGet given twice to a Table.BatchGet ends its run twice).
func (b *BatchGet[T]) compact() {
	if b.has == nil {
		return
	}
	n := 0
	for i, ok := range b.has {
		if ok {
			if n != i {
				b.vals[n] = b.vals[i]
			}
			n++
		}
	}
	clear(b.vals[n:])
	b.vals, b.has = b.vals[:n:n], nil // an append by the caller copies
}

// A BatchGetPart is a BatchGet of some entity (see Entity.BatchGet).
type BatchGetPart interface {
	batchGetPart() *engine.BatchGetPart
}

func (b *BatchGet[T]) batchGetPart() *engine.BatchGetPart {
	return &engine.BatchGetPart{
		S: b.e.s, Keys: b.keys, Consistent: b.consistent, ExpiredOK: b.expiredOK, Err: b.err,
		Reset: func() { b.vals, b.has = make([]T, len(b.keys)), make([]bool, len(b.keys)) },
		Take: func(ctx context.Context, i int, item map[string]types.AttributeValue) error {
			if err := b.e.s.DecodeInto(ctx, item, unsafe.Pointer(&b.vals[i])); err != nil {
				return &ItemError{Op: "BatchGet", Entity: b.e.s.Name, Key: b.keys[i], Err: err}
			}
			b.has[i] = true
			return nil
		},
		Done: b.compact,
	}
}

// A TableBatchGet reads the items of several BatchGets, of any entities of
// one table, in BatchGetItem requests of up to 100 keys, retrying the keys
// DynamoDB leaves unprocessed.
type TableBatchGet struct {
	t          *Table
	parts      []*engine.BatchGetPart
	consistent bool
	retry      engine.RetryPolicy
}

// BatchGet returns a batch reading the keys of gets, made by
// Entity.BatchGet. After Run, each get's Items holds what it found.
func (t *Table) BatchGet(gets ...BatchGetPart) *TableBatchGet {
	b := &TableBatchGet{t: t, retry: engine.DefaultRetry()}
	for _, g := range gets {
		b.parts = append(b.parts, g.batchGetPart())
	}
	return b
}

// Consistent makes every read strongly consistent (as does one part's
// Consistent).
func (b *TableBatchGet) Consistent() *TableBatchGet {
	b.consistent = true
	return b
}

// Retries sets how many times a key is sent again before the batch gives
// up on it (default 24): a key DynamoDB returns unprocessed, or one of a
// request that failed for throttling, a server error or a lost response.
// A batch sends each request once (with a *dynamodb.Client, it turns the
// client's retryer off for its requests) and retries under this policy
// alone.
func (b *TableBatchGet) Retries(n int) *TableBatchGet { b.retry.SetRetries(n); return b }

// Backoff sets the pause before keys are sent again: it starts at base and
// doubles with every response in a row that read nothing, up to max, with
// random jitter, and falls back to base once a response makes progress
// (default 25ms to 2s).
func (b *TableBatchGet) Backoff(base, max time.Duration) *TableBatchGet {
	b.retry.SetBackoff(base, max)
	return b
}

// Concurrency sets how many requests the batch has in flight at once
// (default 4, at least 1). Results and a *BatchError's lists keep the
// order of the keys whatever it is.
func (b *TableBatchGet) Concurrency(n int) *TableBatchGet { b.retry.SetConcurrency(n); return b }

// Run reads every key once (a key asked for twice is read once). An item
// found is decoded into each BatchGet that asked for its key and is of its
// entity type, unless it has expired (see BatchGet.IncludeExpired). When
// not every key could be read, the error is a *BatchError holding exactly
// the keys not read; the BatchGets hold what was read. Requests go out
// concurrently (see Concurrency).
func (b *TableBatchGet) Run(ctx context.Context) error {
	return engine.RunBatchGet(ctx, b.t.core, b.parts, b.consistent, b.retry)
}

// A BatchWrite puts and deletes items of any entities of one table, in
// BatchWriteItem requests of up to 25 writes, retrying the writes DynamoDB
// leaves unprocessed. A batch is not a transaction: each write succeeds or
// fails alone, and none is conditional — a Put with IfNotExists or If, a
// Put of an entity with a version field, or a Delete with a condition is
// an error. Deletes of missing items are not reported.
//
// A batch holds its puts' values, not their items: Run checks every item
// before the first request (a value that cannot be stored is an error
// then, and nothing is written), and encodes each again as it sends it,
// as Put.Run encodes when it runs. So a batch of many items does not keep
// them all in memory, and with a *dynamodb.Client each request reuses
// the maps of the one before it (the client keeps nothing of a request
// once it has returned; a middleware of yours that keeps a request's
// input past its return would see them change). Puts of entities with
// encrypted fields, or of types with their own
// MarshalDynamoDBAttributeValue, are encoded when added.
type BatchWrite struct {
	t      *Table
	writes engine.BatchList
	err    error
	retry  engine.RetryPolicy
	enc    codec.Encoder // of the puts' items
}

// BatchWrite returns an empty batch of writes.
func (t *Table) BatchWrite() *BatchWrite {
	return &BatchWrite{t: t, retry: engine.DefaultRetry()}
}

// A BatchPut is a Put (see Entity.Put) that a BatchWrite can carry.
type BatchPut interface {
	batchPut(enc *codec.Encoder) (engine.BatchEntry, *engine.Table, error)
}

// A BatchDelete is a Delete (see Entity.Delete) that a BatchWrite can carry.
type BatchDelete interface {
	batchDelete() (engine.BatchEntry, *engine.Table, error)
}

// Put adds puts to the batch.
func (b *BatchWrite) Put(puts ...BatchPut) *BatchWrite {
	for _, p := range puts {
		b.add(p.batchPut(&b.enc))
	}
	return b
}

// Delete adds deletes to the batch.
func (b *BatchWrite) Delete(deletes ...BatchDelete) *BatchWrite {
	for _, d := range deletes {
		b.add(d.batchDelete())
	}
	return b
}

func (b *BatchWrite) add(w engine.BatchEntry, t *engine.Table, err error) {
	if err == nil && t != b.t.core {
		err = fmt.Errorf("tablemap: BatchWrite: entity %s is defined on table %s, not %s", w.Item.Entity, t.Name, b.t.core.Name)
	}
	if err != nil {
		if b.err == nil {
			b.err = err
		}
		return
	}
	b.writes.Add(w)
}

// Retries sets how many times a write is sent again before the batch
// gives up on it (default 24; see TableBatchGet.Retries). Puts and deletes
// are idempotent, so sending one again after a lost response is safe.
func (b *BatchWrite) Retries(n int) *BatchWrite { b.retry.SetRetries(n); return b }

// Backoff sets the pause before writes are sent again (see
// TableBatchGet.Backoff).
func (b *BatchWrite) Backoff(base, max time.Duration) *BatchWrite {
	b.retry.SetBackoff(base, max)
	return b
}

// Concurrency sets how many requests the batch has in flight at once
// (default 4, at least 1). A *BatchError's lists keep the order of the
// writes whatever it is.
func (b *BatchWrite) Concurrency(n int) *BatchWrite { b.retry.SetConcurrency(n); return b }

// Len returns the number of writes in the batch.
func (b *BatchWrite) Len() int { return b.writes.Len() }

// Run sends the writes. Two writes of one key are an error, before any
// request. When not every write could be done, the error is a *BatchError
// holding the writes certainly not done (Unprocessed) and those that may
// have been done (Unknown; the error then wraps ErrUnknownOutcome).
func (b *BatchWrite) Run(ctx context.Context) error {
	if b.err != nil {
		return b.err
	}
	return engine.RunBatchWrite(ctx, b.t.core, &b.writes, b.retry)
}

// batchPut builds only the item of a Put without a condition whose entity
// changes nothing in the value (see engine.Schema.PlainPut); any other Put
// is compiled as Run would, so that its conditions are refused and what it
// wrote (version, timestamps) is what its Value says.
func (op *Put[T]) batchPut(enc *codec.Encoder) (engine.BatchEntry, *engine.Table, error) {
	if s := op.e.s; op.w == nil && !op.ifNotExists && op.cond == nil && s.PlainPut() {
		return s.BatchPut(context.Background(), enc, unsafe.Pointer(&op.value))
	}
	r, err := op.txRequest()
	if err != nil {
		return engine.BatchEntry{}, nil, err
	}
	return engine.Entry(r.BatchItem())
}

func (op *Delete[T]) batchDelete() (engine.BatchEntry, *engine.Table, error) {
	r, err := op.txRequest()
	if err != nil {
		return engine.BatchEntry{}, nil, err
	}
	return engine.Entry(r.BatchItem())
}
