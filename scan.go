package tablemap

import (
	"context"
	"fmt"
	"iter"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/engine"
)

// A Scan reads every item of one entity in the table or in an index,
// optionally in parallel segments. Make one with Entity.Scan, add options,
// then read it with All, Page or Count (or look at its Params). It keeps
// the first error an option meets and returns it from the terminal call.
//
// A scan reads the whole table (or index) and returns the entity's items
// only: it filters on the type attribute, and capacity is consumed for
// every item read. Prefer a Query wherever an access pattern allows one.
// Like a Query, it hides expired items unless IncludeExpired.
//
// As with Query, every option applies to every call made after it: a
// terminal call or Params after an option builds the request again.
type Scan[T any] struct {
	reading[T]
	first engine.Read // the room of the first read built (see Query)
}

// Scan returns a scan of the entity's items.
func (e *Entity[T]) Scan() *Scan[T] {
	sc := &Scan[T]{reading: reading[T]{e: e}}
	sc.first.ReadOptions = engine.ReadOptions{Kind: engine.KindScan, Segments: 1}
	sc.next = &sc.first
	return sc
}

// newRead builds the read of the options in sc.next.
func (sc *Scan[T]) newRead() (*engine.Read, error) { return engine.NewScanIn(sc.next, sc.e.s) }

// ready returns the scan's read (see reading.ready).
func (sc *Scan[T]) ready() (*engine.Read, error) { return sc.reading.ready(sc.newRead) }

// Index makes the scan read a global secondary index ("GSI1" …) or the
// inverted index (InvertedIndex): only items in that index.
func (sc *Scan[T]) Index(name string) *Scan[T] { sc.options().Index = name; return sc }

// Filter keeps only the items for which cond holds. Several Filter calls
// are ANDed. Filters are checked as Query.Filter says.
func (sc *Scan[T]) Filter(cond expression.ConditionBuilder) *Scan[T] { sc.filter(cond); return sc }

// Project reads only the named attributes (see Query.Project).
func (sc *Scan[T]) Project(attrs ...string) *Scan[T] { sc.project(attrs); return sc }

// Consistent makes the scan strongly consistent; global secondary indexes
// do not support it (an error).
func (sc *Scan[T]) Consistent() *Scan[T] { sc.options().Consistent = true; return sc }

// IncludeExpired returns items whose ttl has passed too (see
// Query.IncludeExpired).
func (sc *Scan[T]) IncludeExpired() *Scan[T] { sc.options().ExpiredOK = true; return sc }

// Segments makes All scan n segments of the table in parallel, one
// goroutine each, merging their items into one iterator (in no particular
// order). Page reads one segment only, so it needs n = 1, the default.
func (sc *Scan[T]) Segments(n int) *Scan[T] {
	if n < 1 || n > 1_000_000 {
		sc.fail(fmt.Errorf("segments %d, want 1 to 1000000", n))
	}
	sc.options().Segments = n
	return sc
}

// Limit makes the scan return at most n items: All stops after n, Page
// returns pages of exactly n items (fewer only on the last page).
func (sc *Scan[T]) Limit(n int) *Scan[T] { sc.limit(n); return sc }

// Params returns the Scan request of the first page (of segment 0 for a
// parallel scan), without sending it.
func (sc *Scan[T]) Params() (*dynamodb.ScanInput, error) {
	r, err := sc.ready()
	if err != nil {
		return nil, err
	}
	return r.ScanInput(0, nil, r.Limit), nil
}

// Page reads one page of a single-segment scan, starting after cursor (""
// for the first page); see Query.Page. A cursor of another scan or query,
// or an altered one, is ErrInvalidCursor before any request is sent.
func (sc *Scan[T]) Page(ctx context.Context, cursor string) (*Page[T], error) {
	return sc.page(ctx, cursor, sc.newRead)
}

// All returns an iterator over the scan's items. With Segments(n > 1) it
// scans the segments in parallel goroutines, each holding one page, and
// yields their items as they come; breaking out of the loop, an error or
// the context's end stops every goroutine before All returns.
func (sc *Scan[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		r, err := sc.ready()
		if err == nil && r.Segments == 1 {
			yieldItems(ctx, r, sc.e, yield)
			return
		}
		if err == nil {
			err = r.Parallel(ctx, func() engine.Batch { return &scanBatch[T]{e: sc.e, read: r, yield: yield} })
		}
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}

// A scanBatch is one response's items of a segment of a parallel scan.
type scanBatch[T any] struct {
	e     *Entity[T]
	read  *engine.Read
	yield func(T, error) bool
	items []T
	v     T // scratch for decoding
}

func (b *scanBatch[T]) Add(ctx context.Context, item map[string]types.AttributeValue, _ int) error {
	return appendAs(ctx, b.e, b.read, item, &b.v, &b.items)
}

func (b *scanBatch[T]) Len() int { return len(b.items) }

func (b *scanBatch[T]) Yield(i int) bool { return b.yield(b.items[i], nil) }

// Count returns the number of items the scan matches, reading every page
// of every segment in turn (with Select COUNT). Limit does not apply.
func (sc *Scan[T]) Count(ctx context.Context) (int, error) { return sc.count(ctx, sc.newRead) }
