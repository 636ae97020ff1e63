package engine

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Batch limits of DynamoDB.
const (
	MaxBatchGet   = 100
	MaxBatchWrite = 25
)

// Default retry policy of batches: each item is retried at most
// defaultRetries times, the delay doubling from defaultBackoff up to
// defaultMaxBackoff, with jitter; defaultConcurrency requests at a time.
// A batch's request is one attempt (the SDK's retryer is off for it), so
// the batch's budget is the whole of it: 24 retries are about the 27
// attempts the SDK's three per request made of the 8 batch retries before,
// and with half the requests failing, a chunk runs out once in 3·10^7.
const (
	DefaultRetries     = 24
	DefaultBackoff     = 25 * time.Millisecond
	DefaultMaxBackoff  = 2 * time.Second
	DefaultConcurrency = 4
)

// A BatchItem is one key or write of a batch.
type BatchItem struct {
	Entity string                          // entity type name
	Key    Key                             // the item's table key
	Delete bool                            // a delete (BatchWrite); false for a put or a get
	Item   map[string]types.AttributeValue // the item of a put, nil otherwise
}

// RetryPolicy bounds how a batch retries unprocessed items and failed
// requests, and how many requests it has in flight.
type RetryPolicy struct {
	Retries     int
	Base, Max   time.Duration
	Concurrency int
}

func DefaultRetry() RetryPolicy {
	return RetryPolicy{Retries: DefaultRetries, Base: DefaultBackoff, Max: DefaultMaxBackoff, Concurrency: DefaultConcurrency}
}

// SetRetries, SetBackoff and SetConcurrency are the batch builders'
// options: no negative retries, at least one request in flight.
func (r *RetryPolicy) SetRetries(n int)                   { r.Retries = max(n, 0) }
func (r *RetryPolicy) SetBackoff(base, max time.Duration) { r.Base, r.Max = base, max }
func (r *RetryPolicy) SetConcurrency(n int)               { r.Concurrency = max(n, 1) }

// Delay returns the pause after the n-th response in a row (from 1) that
// made no progress: exponential, with jitter over its upper half.
func (r RetryPolicy) Delay(n int) time.Duration {
	d := r.Base
	for i := 1; i < n && d < r.Max; i++ {
		d *= 2
	}
	d = min(d, r.Max)
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2)
}

func Sleep(ctx context.Context, d time.Duration) error {
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

// RetryableBatch reports whether a batch request's error is worth sending
// its items again: throttling, a server error, a lost response or another
// transport error, as the SDK's default retryer judges them — not a
// validation error, nor the end of the context.
func RetryableBatch(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	return errors.Is(err, ErrUnknownOutcome) || retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}

// OneAttempt makes a batch's request a single attempt: the batch retries
// it under its own policy (Retries, Backoff), which, unlike the SDK's,
// falls back as the batch makes progress and spends no retry quota shared
// with the client's other requests.
func OneAttempt(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }

// A drainer sends the n items of a batch in requests of at most size,
// r.concurrency at a time, through send, which returns the indexes of the
// items left unprocessed. It sends those again after a backoff, and all
// the items of a request that failed retryably, each item at most
// r.retries times, and goes on with the others when one runs out.
type Drainer struct {
	R    RetryPolicy
	Size int
	Send func(ctx context.Context, idx []int) (unprocessed []int, err error)

	Mu     sync.Mutex
	Wake   *sync.Cond // nil with a single worker, which never waits
	Queue  []int
	Busy   int    // requests in flight or backing off
	N      int    // items
	Tries  []int  // by item; nil until an item is to be sent again
	Maybe  []bool // by item: sent in a request that may have been applied, not done since; nil until one is
	Failed []int  // out of retries
	Err    error  // the error that ended the batch
}

// Drain runs the batch and returns the indexes of the items certainly not
// done and of those perhaps done (in list order), and why: ErrUnprocessed,
// or the error of a request (which ends the batch).
func Drain(ctx context.Context, n, size int, r RetryPolicy, send func(ctx context.Context, idx []int) ([]int, error)) (notDone, unknown []int, err error) {
	d := &Drainer{R: r, Size: size, Send: send, N: n, Queue: make([]int, n)}
	for i := range d.Queue {
		d.Queue[i] = i
	}
	if workers := max(1, min(r.Concurrency, (n+size-1)/size)); workers == 1 {
		// One worker never waits for another (see Take): it runs on the
		// caller's goroutine, which spares a goroutine, whose stack the
		// SDK's call would grow, and the condition variable.
		d.Work(ctx)
	} else {
		d.Wake = sync.NewCond(&d.Mu)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() { d.Work(ctx) })
		}
		wg.Wait()
	}
	left := append(d.Failed, d.Queue...)
	slices.Sort(left)
	for _, i := range left {
		if d.Maybe != nil && d.Maybe[i] {
			unknown = append(unknown, i)
		} else {
			notDone = append(notDone, i)
		}
	}
	switch {
	case d.Err != nil:
		return notDone, unknown, d.Err
	case len(left) > 0:
		return notDone, unknown, ErrUnprocessed
	}
	return nil, nil, nil
}

// Take returns the next request's items, waiting while the queue is empty
// and items may still come back to it; false when there is nothing left.
func (d *Drainer) Take() ([]int, bool) {
	d.Mu.Lock()
	defer d.Mu.Unlock()
	for len(d.Queue) == 0 && d.Busy > 0 && d.Err == nil {
		d.Wake.Wait() // Busy > 0: another worker's request is out
	}
	if d.Err != nil || len(d.Queue) == 0 {
		return nil, false
	}
	k := min(d.Size, len(d.Queue))
	// No copy: the queue only drops items at its front and appends after
	// its end, so it never writes where idx lies; its capacity stops an
	// append to idx from writing into the queue.
	idx := d.Queue[:k:k]
	d.Queue = d.Queue[k:]
	d.Busy++
	return idx, true
}

// Work sends requests until the batch is done or ended. Its backoff grows
// with each response in a row that made no progress and falls back to the
// base as soon as one does.
func (d *Drainer) Work(ctx context.Context) {
	streak := 0
	for {
		idx, ok := d.Take()
		if !ok {
			return
		}
		left, err := d.Send(ctx, idx)
		retry, progress := d.Settle(ctx, idx, left, err)
		switch {
		case len(retry) == 0:
			streak = 0
		case progress:
			streak = 1
		default:
			streak++
		}
		if len(retry) > 0 {
			if err := Sleep(ctx, d.R.Delay(streak)); err != nil {
				d.End(err)
			}
		}
		d.Mu.Lock()
		d.Queue = append(d.Queue, retry...)
		d.Busy--
		d.wake()
		d.Mu.Unlock()
	}
}

// Settle books the outcome of one request and returns the items to send
// again, and whether the request did any.
func (d *Drainer) Settle(ctx context.Context, idx, left []int, err error) (retry []int, progress bool) {
	d.Mu.Lock()
	defer d.Mu.Unlock()
	if err != nil {
		if errors.Is(err, ErrUnknownOutcome) {
			if d.Maybe == nil {
				d.Maybe = make([]bool, d.N)
			}
			for _, i := range idx {
				d.Maybe[i] = true
			}
		}
		if !RetryableBatch(ctx, err) {
			d.Failed = append(d.Failed, idx...)
			if d.Err == nil {
				d.Err = err
			}
			d.wake()
			return nil, false
		}
		left = idx
	} else {
		if d.Maybe != nil {
			held := make(map[int]bool, len(left))
			for _, i := range left {
				held[i] = true
			}
			for _, i := range idx {
				if !held[i] {
					d.Maybe[i] = false // done
				}
			}
		}
		progress = len(left) < len(idx)
	}
	if len(left) > 0 && d.Tries == nil {
		d.Tries = make([]int, d.N)
	}
	for _, i := range left {
		if d.Tries[i]++; d.Tries[i] > d.R.Retries {
			d.Failed = append(d.Failed, i)
		} else {
			retry = append(retry, i)
		}
	}
	return retry, progress
}

// wake wakes the workers waiting in Take, if any can be.
func (d *Drainer) wake() {
	if d.Wake != nil {
		d.Wake.Broadcast()
	}
}

// End ends the batch with err, unless it has ended already.
func (d *Drainer) End(err error) {
	d.Mu.Lock()
	defer d.Mu.Unlock()
	if d.Err == nil {
		d.Err = err
	}
	d.wake()
}

// BatchGetPart is the type-erased face of a BatchGet. Reset readies it for
// a run; Take decodes the item found for Keys[i] (for each i asking for
// it), one call at a time; Done ends the run, whatever its error.
type BatchGetPart struct {
	S          *Schema
	Keys       []Key
	Consistent bool
	ExpiredOK  bool
	Err        error
	Reset      func()
	Take       func(ctx context.Context, i int, item map[string]types.AttributeValue) error
	Done       func()
}

func (w BatchItem) Request(t *Table) types.WriteRequest {
	if w.Delete {
		return types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: t.KeyItem(w.Key)}}
	}
	return types.WriteRequest{PutRequest: &types.PutRequest{Item: w.Item}}
}

var ErrConditionalBatch = errors.New("a batch write cannot be conditional (IfNotExists, If, or the version check of an entity with a version field); use Run or a transaction")

// NewBatchItem returns w, a put or delete of entity s at key k, as a write of
// a batch, with its entity and key; a write with a condition of its own is
// an error. The entity guard of Put and Delete (see schema.absentOrOwn) is
// dropped: a batch cannot send it, and Define's rule that two entities'
// table keys never coincide keeps a batch from touching another entity's
// item.
func NewBatchItem(s *Schema, k Key, conditional bool, w BatchItem) (BatchItem, *Table, error) {
	if conditional {
		return BatchItem{}, nil, &ItemError{Op: "BatchWrite", Entity: s.Name, Key: k, Err: ErrConditionalBatch}
	}
	w.Entity, w.Key = s.Name, k
	return w, s.Table, nil
}
