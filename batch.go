package tablemap

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
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
// defaultMaxBackoff, with jitter; defaultConcurrency requests at a time.
// A batch's request is one attempt (the SDK's retryer is off for it), so
// the batch's budget is the whole of it: 24 retries are about the 27
// attempts the SDK's three per request made of the 8 batch retries before,
// and with half the requests failing, a chunk runs out once in 3·10^7.
const (
	defaultRetries     = 24
	defaultBackoff     = 25 * time.Millisecond
	defaultMaxBackoff  = 2 * time.Second
	defaultConcurrency = 4
)

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

// retryPolicy bounds how a batch retries unprocessed items and failed
// requests, and how many requests it has in flight.
type retryPolicy struct {
	retries     int
	base, max   time.Duration
	concurrency int
}

func defaultRetry() retryPolicy {
	return retryPolicy{retries: defaultRetries, base: defaultBackoff, max: defaultMaxBackoff, concurrency: defaultConcurrency}
}

// delay returns the pause after the n-th response in a row (from 1) that
// made no progress: exponential, with jitter over its upper half.
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

// retryableBatch reports whether a batch request's error is worth sending
// its items again: throttling, a server error, a lost response or another
// transport error, as the SDK's default retryer judges them — not a
// validation error, nor the end of the context.
func retryableBatch(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	return errors.Is(err, ErrUnknownOutcome) || retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}

// oneAttempt makes a batch's request a single attempt: the batch retries
// it under its own policy (Retries, Backoff), which, unlike the SDK's,
// falls back as the batch makes progress and spends no retry quota shared
// with the client's other requests.
func oneAttempt(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }

// A drainer sends the n items of a batch in requests of at most size,
// r.concurrency at a time, through send, which returns the indexes of the
// items left unprocessed. It sends those again after a backoff, and all
// the items of a request that failed retryably, each item at most
// r.retries times, and goes on with the others when one runs out.
type drainer struct {
	r    retryPolicy
	size int
	send func(ctx context.Context, idx []int) (unprocessed []int, err error)

	mu     sync.Mutex
	wake   *sync.Cond
	queue  []int
	busy   int    // requests in flight or backing off
	tries  []int  // by item
	maybe  []bool // by item: sent in a request that may have been applied, not done since
	failed []int  // out of retries
	err    error  // the error that ended the batch
}

// drain runs the batch and returns the indexes of the items certainly not
// done and of those perhaps done (in list order), and why: ErrUnprocessed,
// or the error of a request (which ends the batch).
func drain(ctx context.Context, n, size int, r retryPolicy, send func(ctx context.Context, idx []int) ([]int, error)) (notDone, unknown []int, err error) {
	d := &drainer{r: r, size: size, send: send, queue: make([]int, n), tries: make([]int, n), maybe: make([]bool, n)}
	d.wake = sync.NewCond(&d.mu)
	for i := range d.queue {
		d.queue[i] = i
	}
	var wg sync.WaitGroup
	for range max(1, min(r.concurrency, (n+size-1)/size)) {
		wg.Go(func() { d.work(ctx) })
	}
	wg.Wait()
	left := append(d.failed, d.queue...)
	slices.Sort(left)
	for _, i := range left {
		if d.maybe[i] {
			unknown = append(unknown, i)
		} else {
			notDone = append(notDone, i)
		}
	}
	switch {
	case d.err != nil:
		return notDone, unknown, d.err
	case len(left) > 0:
		return notDone, unknown, ErrUnprocessed
	}
	return nil, nil, nil
}

// take returns the next request's items, waiting while the queue is empty
// and items may still come back to it; false when there is nothing left.
func (d *drainer) take() ([]int, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(d.queue) == 0 && d.busy > 0 && d.err == nil {
		d.wake.Wait()
	}
	if d.err != nil || len(d.queue) == 0 {
		return nil, false
	}
	k := min(d.size, len(d.queue))
	idx := slices.Clone(d.queue[:k])
	d.queue = d.queue[k:]
	d.busy++
	return idx, true
}

// work sends requests until the batch is done or ended. Its backoff grows
// with each response in a row that made no progress and falls back to the
// base as soon as one does.
func (d *drainer) work(ctx context.Context) {
	streak := 0
	for {
		idx, ok := d.take()
		if !ok {
			return
		}
		left, err := d.send(ctx, idx)
		retry, progress := d.settle(ctx, idx, left, err)
		switch {
		case len(retry) == 0:
			streak = 0
		case progress:
			streak = 1
		default:
			streak++
		}
		if len(retry) > 0 {
			if err := sleep(ctx, d.r.delay(streak)); err != nil {
				d.end(err)
			}
		}
		d.mu.Lock()
		d.queue = append(d.queue, retry...)
		d.busy--
		d.wake.Broadcast()
		d.mu.Unlock()
	}
}

// settle books the outcome of one request and returns the items to send
// again, and whether the request did any.
func (d *drainer) settle(ctx context.Context, idx, left []int, err error) (retry []int, progress bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		maybe := errors.Is(err, ErrUnknownOutcome)
		for _, i := range idx {
			d.maybe[i] = d.maybe[i] || maybe
		}
		if !retryableBatch(ctx, err) {
			d.failed = append(d.failed, idx...)
			if d.err == nil {
				d.err = err
			}
			d.wake.Broadcast()
			return nil, false
		}
		left = idx
	} else {
		held := make(map[int]bool, len(left))
		for _, i := range left {
			held[i] = true
		}
		for _, i := range idx {
			if !held[i] {
				d.maybe[i] = false // done
			}
		}
		progress = len(left) < len(idx)
	}
	for _, i := range left {
		if d.tries[i]++; d.tries[i] > d.r.retries {
			d.failed = append(d.failed, i)
		} else {
			retry = append(retry, i)
		}
	}
	return retry, progress
}

// end ends the batch with err, unless it has ended already.
func (d *drainer) end(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err == nil {
		d.err = err
	}
	d.wake.Broadcast()
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

// Retries sets how many times a key is sent again before the batch gives
// up on it (default 24): a key DynamoDB returns unprocessed, or one of a
// request that failed for throttling, a server error or a lost response.
// A batch sends each request once (with a *dynamodb.Client, it turns the
// client's retryer off for its requests) and retries under this policy
// alone.
func (b *TableBatchGet) Retries(n int) *TableBatchGet {
	b.retry.retries = max(n, 0)
	return b
}

// Backoff sets the pause before keys are sent again: it starts at base and
// doubles with every response in a row that read nothing, up to max, with
// random jitter, and falls back to base once a response makes progress
// (default 25ms to 2s).
func (b *TableBatchGet) Backoff(base, max time.Duration) *TableBatchGet {
	b.retry.base, b.retry.max = base, max
	return b
}

// Concurrency sets how many requests the batch has in flight at once
// (default 4, at least 1). Results and a *BatchError's lists keep the
// order of the keys whatever it is.
func (b *TableBatchGet) Concurrency(n int) *TableBatchGet {
	b.retry.concurrency = max(n, 1)
	return b
}

// Run reads every key once (a key asked for twice is read once). An item
// found is decoded into each BatchGet that asked for its key and is of its
// entity type, unless it has expired (see BatchGet.IncludeExpired). When
// not every key could be read, the error is a *BatchError holding exactly
// the keys not read; the BatchGets hold what was read. Requests go out
// concurrently (see Concurrency).
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
	var mu sync.Mutex // requests go out concurrently; their items are taken one response at a time
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
		}, oneAttempt)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		defer mu.Unlock()
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
	notDone, _, err := drain(ctx, len(keys), maxBatchGet, b.retry, send)
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

// Retries sets how many times a write is sent again before the batch
// gives up on it (default 24; see TableBatchGet.Retries). Puts and deletes
// are idempotent, so sending one again after a lost response is safe.
func (b *BatchWrite) Retries(n int) *BatchWrite {
	b.retry.retries = max(n, 0)
	return b
}

// Backoff sets the pause before writes are sent again (see
// TableBatchGet.Backoff).
func (b *BatchWrite) Backoff(base, max time.Duration) *BatchWrite {
	b.retry.base, b.retry.max = base, max
	return b
}

// Concurrency sets how many requests the batch has in flight at once
// (default 4, at least 1). A *BatchError's lists keep the order of the
// writes whatever it is.
func (b *BatchWrite) Concurrency(n int) *BatchWrite {
	b.retry.concurrency = max(n, 1)
	return b
}

// Len returns the number of writes in the batch.
func (b *BatchWrite) Len() int { return len(b.writes) }

// Run sends the writes. Two writes of one key are an error, before any
// request. When not every write could be done, the error is a *BatchError
// holding the writes certainly not done (Unprocessed) and those that may
// have been done (Unknown; the error then wraps ErrUnknownOutcome).
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
		out, err := write(ctx, t.client.BatchWriteItem, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{t.name: reqs},
		}, oneAttempt)
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
	notDone, unknown, err := drain(ctx, len(b.writes), maxBatchWrite, b.retry, send)
	if err != nil {
		be := &BatchError{Op: "BatchWrite", Err: err}
		for _, i := range notDone {
			be.Unprocessed = append(be.Unprocessed, b.writes[i])
		}
		for _, i := range unknown {
			be.Unknown = append(be.Unknown, b.writes[i])
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
