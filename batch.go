package tablemap

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrUnprocessed reports keys a batch did not read or writes it did not do
// because DynamoDB kept returning them unprocessed (throttling) until the
// retries ran out. A *BatchError carries them.
var ErrUnprocessed = errors.New("unprocessed after retries")

// Batch limits of DynamoDB.
const (
	maxBatchGet   = 100
	maxBatchWrite = 25
)

// Default retry policy of batches: each item is retried at most
// defaultRetries times, the delay doubling from defaultBackoff up to
// defaultMaxBackoff, with jitter.
const (
	defaultRetries    = 8
	defaultBackoff    = 25 * time.Millisecond
	defaultMaxBackoff = 2 * time.Second
)

// A BatchError reports a batch that did not complete. Unprocessed holds
// exactly the keys it did not read or the writes it did not do, in the
// order they were given; everything else was done.
type BatchError struct {
	Op          string      // "BatchGet" or "BatchWrite"
	Unprocessed []BatchItem // what was not done
	Err         error       // ErrUnprocessed when retries ran out; else the request's or the context's error
}

// A BatchItem is one key or write of a batch.
type BatchItem struct {
	Entity string                          // entity type name
	Key    Key                             // the item's table key
	Delete bool                            // a delete (BatchWrite); false for a put or a get
	Item   map[string]types.AttributeValue // the item of a put, nil otherwise
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
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *BatchError) Unwrap() error { return e.Err }

// retryPolicy bounds how a batch retries unprocessed items.
type retryPolicy struct {
	retries   int
	base, max time.Duration
}

func defaultRetry() retryPolicy {
	return retryPolicy{retries: defaultRetries, base: defaultBackoff, max: defaultMaxBackoff}
}

// delay returns the pause after the n-th response in a row (from 1) that
// left items unprocessed: exponential, with jitter over its upper half.
func (r retryPolicy) delay(n int) time.Duration {
	d := r.base
	for i := 1; i < n && d < r.max; i++ {
		d *= 2
	}
	d = min(d, r.max)
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// drain sends the batch's n items in requests of at most size, through
// send, which returns the indexes of the items left unprocessed. It sends
// those again after a backoff, each at most r.retries times, and goes on
// with the others when one runs out of retries. It returns the indexes of
// the items not done (in list order) and why: ErrUnprocessed, or the error
// of a request (which ends the batch).
func drain(ctx context.Context, n, size int, r retryPolicy, send func(ctx context.Context, idx []int) (unprocessed []int, err error)) (notDone []int, err error) {
	queue := make([]int, n)
	for i := range queue {
		queue[i] = i
	}
	var failed []int
	tries := make([]int, n)
	streak := 0 // responses in a row that left items unprocessed
	giveUp := func(err error) ([]int, error) {
		notDone := append(failed, queue...)
		slices.Sort(notDone)
		return notDone, err
	}
	for len(queue) > 0 {
		k := min(size, len(queue))
		left, err := send(ctx, slices.Clone(queue[:k]))
		if err != nil {
			return giveUp(err)
		}
		queue = queue[k:]
		if len(left) == 0 {
			streak = 0
			continue
		}
		retry := make([]int, 0, len(left)+len(queue))
		for _, i := range left {
			if tries[i]++; tries[i] > r.retries {
				failed = append(failed, i)
			} else {
				retry = append(retry, i)
			}
		}
		queue = append(retry, queue...)
		streak++
		if len(retry) > 0 {
			if err := sleep(ctx, r.delay(streak)); err != nil {
				return giveUp(err)
			}
		}
	}
	if len(failed) > 0 {
		return giveUp(ErrUnprocessed)
	}
	return nil, nil
}

// keyOfItem returns the table key of an item or key map.
func (t *Table) keyOfItem(item map[string]types.AttributeValue) Key {
	var k Key
	if v, ok := item[t.pk].(*types.AttributeValueMemberS); ok {
		k.PK = v.Value
	}
	if v, ok := item[t.sk].(*types.AttributeValueMemberS); ok {
		k.SK = v.Value
	}
	return k
}

// A BatchGet reads items of one entity by their keys, in BatchGetItem
// requests of up to 100 keys. Run it alone, or with the BatchGets of other
// entities in one Table.BatchGet, then read its Items.
type BatchGet[T any] struct {
	e          *Entity[T]
	keys       []Key
	consistent bool
	expiredOK  bool // IncludeExpired
	err        error
	found      map[Key]T
}

// BatchGet returns a BatchGet of the items whose key fields are those of
// keys (their other fields are ignored).
func (e *Entity[T]) BatchGet(keys ...T) *BatchGet[T] {
	b := &BatchGet[T]{e: e, keys: make([]Key, 0, len(keys))}
	for i := range keys {
		k, err := e.s.key(unsafe.Pointer(&keys[i]))
		if err != nil {
			if b.err == nil {
				b.err = itemErr("BatchGet", e.s, k, err)
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
	err := b.e.s.table.BatchGet(b).Run(ctx)
	return b.Items(), err
}

// Items returns the items the last Run found, in the order of the keys.
func (b *BatchGet[T]) Items() []T {
	out := make([]T, 0, len(b.found))
	for _, k := range b.keys {
		if v, ok := b.found[k]; ok {
			out = append(out, v)
		}
	}
	return out
}

// A BatchGetPart is a BatchGet of some entity (see Entity.BatchGet).
type BatchGetPart interface {
	batchGetPart() *batchGetPart
}

// batchGetPart is the type-erased face of a BatchGet.
type batchGetPart struct {
	s          *schema
	keys       []Key
	consistent bool
	expiredOK  bool
	err        error
	reset      func()
	take       func(ctx context.Context, k Key, item map[string]types.AttributeValue) error
}

func (b *BatchGet[T]) batchGetPart() *batchGetPart {
	return &batchGetPart{
		s: b.e.s, keys: b.keys, consistent: b.consistent, expiredOK: b.expiredOK, err: b.err,
		reset: func() { b.found = make(map[Key]T, len(b.keys)) },
		take: func(ctx context.Context, k Key, item map[string]types.AttributeValue) error {
			v, err := b.e.decode(ctx, item)
			if err != nil {
				return &ItemError{Op: "BatchGet", Entity: b.e.s.name, Key: k, Err: err}
			}
			b.found[k] = v
			return nil
		},
	}
}

// A TableBatchGet reads the items of several BatchGets, of any entities of
// one table, in BatchGetItem requests of up to 100 keys, retrying the keys
// DynamoDB leaves unprocessed.
type TableBatchGet struct {
	t          *Table
	parts      []*batchGetPart
	consistent bool
	retry      retryPolicy
}

// BatchGet returns a batch reading the keys of gets, made by
// Entity.BatchGet. After Run, each get's Items holds what it found.
func (t *Table) BatchGet(gets ...BatchGetPart) *TableBatchGet {
	b := &TableBatchGet{t: t, retry: defaultRetry()}
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

// Retries sets how many times a key DynamoDB returns unprocessed is sent
// again before the batch gives up (default 8).
func (b *TableBatchGet) Retries(n int) *TableBatchGet {
	b.retry.retries = max(n, 0)
	return b
}

// Backoff sets the pause after a response that left keys unprocessed: it
// starts at base and doubles with every such response in a row, up to max,
// with random jitter (default 25ms to 2s).
func (b *TableBatchGet) Backoff(base, max time.Duration) *TableBatchGet {
	b.retry.base, b.retry.max = base, max
	return b
}

// Run reads every key once (a key asked for twice is read once). An item
// found is decoded into each BatchGet that asked for its key and is of its
// entity type, unless it has expired (see BatchGet.IncludeExpired). When
// not every key could be read, the error is a *BatchError holding exactly
// the keys not read; the BatchGets hold what was read.
func (b *TableBatchGet) Run(ctx context.Context) error {
	t := b.t
	type want struct {
		key   Key
		parts []*batchGetPart
	}
	var keys []want
	at := map[Key]int{}
	consistent := b.consistent
	for _, p := range b.parts {
		if p.err != nil {
			return p.err
		}
		if p.s.table != t {
			return fmt.Errorf("tablemap: BatchGet: entity %s is defined on table %s, not %s", p.s.name, p.s.table.name, t.name)
		}
		consistent = consistent || p.consistent
		p.reset()
		for _, k := range p.keys {
			i, ok := at[k]
			if !ok {
				i = len(keys)
				at[k] = i
				keys = append(keys, want{key: k})
			}
			if w := &keys[i]; len(w.parts) == 0 || w.parts[len(w.parts)-1] != p {
				w.parts = append(w.parts, p)
			}
		}
	}
	var decodeErr error
	send := func(ctx context.Context, idx []int) ([]int, error) {
		ka := types.KeysAndAttributes{Keys: make([]map[string]types.AttributeValue, len(idx))}
		for j, i := range idx {
			ka.Keys[j] = t.keyItem(keys[i].key)
		}
		if consistent {
			ka.ConsistentRead = aws.Bool(true)
		}
		out, err := t.client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{
			RequestItems: map[string]types.KeysAndAttributes{t.name: ka},
		})
		if err != nil {
			return nil, err
		}
		now := t.epoch()
		for _, item := range out.Responses[t.name] {
			k := t.keyOfItem(item)
			i, ok := at[k]
			if !ok {
				continue
			}
			typ := t.typeOf(item)
			for _, p := range keys[i].parts {
				if p.s.name != typ {
					continue // another entity's item: not found for this one
				}
				if !p.expiredOK && p.s.expiredAt(item, now) {
					continue // expired: not found
				}
				if err := p.take(ctx, k, item); err != nil && decodeErr == nil {
					decodeErr = err
				}
			}
		}
		var left []int
		for _, m := range out.UnprocessedKeys[t.name].Keys {
			if i, ok := at[t.keyOfItem(m)]; ok {
				left = append(left, i)
			}
		}
		return left, nil
	}
	notDone, err := drain(ctx, len(keys), maxBatchGet, b.retry, send)
	if err != nil {
		be := &BatchError{Op: "BatchGet", Err: err}
		for _, i := range notDone {
			for _, p := range keys[i].parts {
				be.Unprocessed = append(be.Unprocessed, BatchItem{Entity: p.s.name, Key: keys[i].key})
			}
		}
		return be
	}
	return decodeErr
}

// A BatchWrite puts and deletes items of any entities of one table, in
// BatchWriteItem requests of up to 25 writes, retrying the writes DynamoDB
// leaves unprocessed. A batch is not a transaction: each write succeeds or
// fails alone, and none is conditional — a Put with IfNotExists or If, a
// Put of an entity with a version field, or a Delete with a condition is
// an error. Deletes of missing items are not reported.
type BatchWrite struct {
	t      *Table
	writes []BatchItem
	err    error
	retry  retryPolicy
}

// BatchWrite returns an empty batch of writes.
func (t *Table) BatchWrite() *BatchWrite {
	return &BatchWrite{t: t, retry: defaultRetry()}
}

// A BatchPut is a Put (see Entity.Put) that a BatchWrite can carry.
type BatchPut interface {
	batchPut() (BatchItem, *Table, error)
}

// A BatchDelete is a Delete (see Entity.Delete) that a BatchWrite can carry.
type BatchDelete interface {
	batchDelete() (BatchItem, *Table, error)
}

// Put adds puts to the batch.
func (b *BatchWrite) Put(puts ...BatchPut) *BatchWrite {
	for _, p := range puts {
		b.add(p.batchPut())
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

func (b *BatchWrite) add(w BatchItem, t *Table, err error) {
	if err == nil && t != b.t {
		err = fmt.Errorf("tablemap: BatchWrite: entity %s is defined on table %s, not %s", w.Entity, t.name, b.t.name)
	}
	if err != nil {
		if b.err == nil {
			b.err = err
		}
		return
	}
	b.writes = append(b.writes, w)
}

// Retries sets how many times a write DynamoDB returns unprocessed is sent
// again before the batch gives up (default 8).
func (b *BatchWrite) Retries(n int) *BatchWrite {
	b.retry.retries = max(n, 0)
	return b
}

// Backoff sets the pause after a response that left writes unprocessed
// (see TableBatchGet.Backoff).
func (b *BatchWrite) Backoff(base, max time.Duration) *BatchWrite {
	b.retry.base, b.retry.max = base, max
	return b
}

// Len returns the number of writes in the batch.
func (b *BatchWrite) Len() int { return len(b.writes) }

// Run sends the writes. Two writes of one key are an error, before any
// request. When not every write could be done, the error is a *BatchError
// holding exactly the writes not done.
func (b *BatchWrite) Run(ctx context.Context) error {
	if b.err != nil {
		return b.err
	}
	t := b.t
	at := make(map[Key]int, len(b.writes))
	for i, w := range b.writes {
		if j, dup := at[w.Key]; dup {
			return fmt.Errorf("tablemap: BatchWrite: writes %d and %d are both of key {%s}; a batch writes a key once", j, i, w.Key)
		}
		at[w.Key] = i
	}
	send := func(ctx context.Context, idx []int) ([]int, error) {
		reqs := make([]types.WriteRequest, len(idx))
		for j, i := range idx {
			reqs[j] = b.writes[i].request(t)
		}
		out, err := t.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{t.name: reqs},
		})
		if err != nil {
			return nil, err
		}
		var left []int
		for _, r := range out.UnprocessedItems[t.name] {
			var k Key
			switch {
			case r.PutRequest != nil:
				k = t.keyOfItem(r.PutRequest.Item)
			case r.DeleteRequest != nil:
				k = t.keyOfItem(r.DeleteRequest.Key)
			}
			if i, ok := at[k]; ok {
				left = append(left, i)
			}
		}
		return left, nil
	}
	notDone, err := drain(ctx, len(b.writes), maxBatchWrite, b.retry, send)
	if err != nil {
		be := &BatchError{Op: "BatchWrite", Err: err}
		for _, i := range notDone {
			be.Unprocessed = append(be.Unprocessed, b.writes[i])
		}
		return be
	}
	return nil
}

func (w BatchItem) request(t *Table) types.WriteRequest {
	if w.Delete {
		return types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: t.keyItem(w.Key)}}
	}
	return types.WriteRequest{PutRequest: &types.PutRequest{Item: w.Item}}
}

var errConditionalBatch = errors.New("a batch write cannot be conditional (IfNotExists, If, or the version check of an entity with a version field); use Run or a transaction")

func (op *Put[T]) batchPut() (BatchItem, *Table, error) {
	in, err := op.Params()
	if err != nil {
		return BatchItem{}, nil, err
	}
	return batchItem(op.e.s, op.fail.key, op.conditional, BatchItem{Item: in.Item})
}

func (op *Delete[T]) batchDelete() (BatchItem, *Table, error) {
	_, err := op.Params()
	if err != nil {
		return BatchItem{}, nil, err
	}
	return batchItem(op.e.s, op.fail.key, op.conditional, BatchItem{Delete: true})
}

// batchItem returns w, a put or delete of entity s at key k, as a write of
// a batch, with its entity and key; a write with a condition of its own is
// an error. The entity guard of Put and Delete (see schema.absentOrOwn) is
// dropped: a batch cannot send it, and Define's rule that two entities'
// table keys never coincide keeps a batch from touching another entity's
// item.
func batchItem(s *schema, k Key, conditional bool, w BatchItem) (BatchItem, *Table, error) {
	if conditional {
		return BatchItem{}, nil, &ItemError{Op: "BatchWrite", Entity: s.name, Key: k, Err: errConditionalBatch}
	}
	w.Entity, w.Key = s.name, k
	return w, s.table, nil
}
