package engine

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A Batch holds the items of one response of a parallel scan's segment,
// decoded in the segment's goroutine and handed on in the caller's.
type Batch interface {
	// Add decodes an item of the entity at position typ (ctx is the
	// scan's, for decrypting); it runs in the segment's goroutine.
	Add(ctx context.Context, item map[string]types.AttributeValue, typ int) error
	// Len returns the number of items added.
	Len() int
	// Yield hands on the i-th item added, in the caller's goroutine; false
	// stops the scan.
	Yield(i int) bool
}

// A batchOrErr is one segment's batch, or its error.
type batchOrErr struct {
	batch Batch
	err   error
}

// Parallel reads the scan's segments in parallel goroutines, each running
// the paging loop and decoding each response's items into a new Batch
// before handing it on; the caller's goroutine yields the batches' items
// as they come, at most Limit of them. A Yield returning false, an error or
// the context's end stops every goroutine before Parallel returns. It
// returns the error that ended the scan, nil when Yield stopped it.
func (r *Read) Parallel(parent context.Context, newBatch func() Batch) error {
	ctx, cancel := context.WithCancel(parent)
	batches := make(chan batchOrErr)
	var wg sync.WaitGroup
	for seg := range r.Segments {
		wg.Go(func() { r.segment(ctx, seg, newBatch, batches) })
	}
	go func() {
		wg.Wait()
		close(batches)
	}()
	defer func() {
		// Stop the segments and wait for them: no goroutine outlives the scan.
		cancel()
		for range batches {
		}
	}()
	n := 0
	for b := range batches {
		if b.err != nil {
			if parent.Err() != nil {
				return r.Wrap(parent.Err())
			}
			return b.err
		}
		for i := range b.batch.Len() {
			if !b.batch.Yield(i) {
				return nil
			}
			if n++; r.Limit > 0 && n == r.Limit {
				return nil
			}
		}
	}
	if err := parent.Err(); err != nil {
		return r.Wrap(err)
	}
	return nil
}

// segment reads segment seg, sending each response's items as a batch
// (none for a response without items of the scan's entities) and its
// error, if any, until it ends or ctx does.
func (r *Read) segment(ctx context.Context, seg int, newBatch func() Batch, out chan<- batchOrErr) {
	send := func(b batchOrErr) bool {
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	batch := newBatch()
	_, err := r.run(ctx, walk{
		seg: seg,
		item: func(item map[string]types.AttributeValue, typ int) (bool, error) {
			return true, batch.Add(ctx, item, typ)
		},
		page: func(Response) (bool, error) {
			if batch.Len() == 0 {
				return true, nil
			}
			sent := send(batchOrErr{batch: batch})
			batch = newBatch()
			return sent, nil
		},
	}, nil)
	if err != nil {
		send(batchOrErr{err: err})
	}
}
