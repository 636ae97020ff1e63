package tablemap

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	e          *Entity[T]
	index      string
	filter     *expression.ConditionBuilder
	project    []string
	consistent bool
	segments   int
	limit      int
	expiredOK  bool // IncludeExpired
	err        error

	built    bool // the fields below are of the options as they are
	buildErr error
	in       *dynamodb.ScanInput
	spec     *engine.QuerySpec // for decoding and errors
	ident    string            // cursor identity
	keyAttrs []string
	nowSlot  string // the placeholder of the expiry filter's now, set per request
}

// Scan returns a scan of the entity's items.
func (e *Entity[T]) Scan() *Scan[T] {
	return &Scan[T]{e: e, segments: 1}
}

func (sc *Scan[T]) fail(err error) {
	if sc.err == nil {
		sc.err = &QueryError{Op: "Scan", Entity: sc.e.s.Name, Index: sc.index, Err: err}
	}
}

// Index makes the scan read a global secondary index ("GSI1" …) or the
// inverted index (InvertedIndex): only items in that index.
func (sc *Scan[T]) Index(name string) *Scan[T] {
	sc.index = name
	sc.built = false
	return sc
}

// Filter keeps only the items for which cond holds. Several Filter calls
// are ANDed. Filters are checked as Query.Filter says.
func (sc *Scan[T]) Filter(cond expression.ConditionBuilder) *Scan[T] {
	sc.filter = engine.And(sc.filter, cond)
	sc.built = false
	return sc
}

// Project reads only the named attributes (see Query.Project).
func (sc *Scan[T]) Project(attrs ...string) *Scan[T] {
	if err := sc.e.s.CheckProject(attrs); err != nil {
		sc.fail(err)
	}
	sc.project = append(sc.project, attrs...)
	sc.built = false
	return sc
}

// Consistent makes the scan strongly consistent; global secondary indexes
// do not support it (an error).
func (sc *Scan[T]) Consistent() *Scan[T] {
	sc.consistent = true
	sc.built = false
	return sc
}

// IncludeExpired returns items whose ttl has passed too (see
// Query.IncludeExpired).
func (sc *Scan[T]) IncludeExpired() *Scan[T] {
	sc.expiredOK = true
	sc.built = false
	return sc
}

// Segments makes All scan n segments of the table in parallel, one
// goroutine each, merging their items into one iterator (in no particular
// order). Page reads one segment only, so it needs n = 1, the default.
func (sc *Scan[T]) Segments(n int) *Scan[T] {
	if n < 1 || n > 1_000_000 {
		sc.fail(fmt.Errorf("segments %d, want 1 to 1000000", n))
	}
	sc.segments = n
	sc.built = false
	return sc
}

// Limit makes the scan return at most n items: All stops after n, Page
// returns pages of exactly n items (fewer only on the last page).
func (sc *Scan[T]) Limit(n int) *Scan[T] {
	if n < 0 {
		sc.fail(fmt.Errorf("negative limit %d", n))
	}
	sc.limit = n
	sc.built = false
	return sc
}

// Params returns the Scan request of the first page (of segment 0 for a
// parallel scan), without sending it.
func (sc *Scan[T]) Params() (*dynamodb.ScanInput, error) {
	if err := sc.ready(); err != nil {
		return nil, err
	}
	return sc.segment(0).Params(nil, sc.limit), nil
}

// ready builds the request from the options as they are, unless it is
// built already, and returns the first option error or the build's.
func (sc *Scan[T]) ready() error {
	if sc.err != nil {
		return sc.err
	}
	if !sc.built {
		sc.buildErr = nil
		if err := sc.build(); err != nil {
			sc.buildErr = &QueryError{Op: "Scan", Entity: sc.e.s.Name, Index: sc.index, Err: err}
		}
		sc.built = true
	}
	return sc.buildErr
}

func (sc *Scan[T]) build() error {
	s := sc.e.s
	t := s.Table
	g := s.IndexNamed(sc.index)
	if g == nil {
		return fmt.Errorf("entity %s has no index %q", s.Name, sc.index)
	}
	if sc.consistent && g.Name != "" {
		return fmt.Errorf("index %s is a global secondary index, which has no consistent reads", g.Name)
	}
	schemas := []*engine.Schema{s}
	sc.spec = &engine.QuerySpec{T: t, Op: "Scan", Ident: s.Name, Types: schemas, G: g, Project: sc.project}
	sc.ident = s.Name + " scan"
	sc.keyAttrs = engine.KeyAttrs(t, g)
	b := expression.NewBuilder().WithFilter(engine.ReadFilter(t, schemas, sc.expiredOK, expression.Value(engine.NowMark), sc.filter))
	if len(sc.project) > 0 {
		b = b.WithProjection(t.Projection(sc.keyAttrs, sc.project))
	}
	expr, err := b.Build()
	if err != nil {
		return err
	}
	if sc.filter != nil {
		if err := engine.CheckCondition(t, schemas, "the filter", expr.Filter(), expr.Names(), expr.Values()); err != nil {
			return err
		}
	}
	in := &dynamodb.ScanInput{
		TableName:                 aws.String(t.Name),
		FilterExpression:          expr.Filter(),
		ProjectionExpression:      expr.Projection(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}
	if sc.nowSlot = engine.NowSlot(in.ExpressionAttributeValues); sc.nowSlot != "" {
		in.ExpressionAttributeValues[sc.nowSlot] = engine.EpochValue(t.Epoch())
	}
	if g.Name != "" {
		in.IndexName = aws.String(g.Name)
	}
	if sc.consistent {
		in.ConsistentRead = aws.Bool(true)
	}
	sc.in = in
	return nil
}

func (sc *Scan[T]) segment(i int) *engine.ScanSegment {
	in := *sc.in
	if sc.segments > 1 {
		in.Segment, in.TotalSegments = aws.Int32(int32(i)), aws.Int32(int32(sc.segments))
	}
	return &engine.ScanSegment{T: sc.e.s.Table, In: &in, Schemas: sc.spec.Types, KeyAttrs: sc.keyAttrs, NowSlot: sc.nowSlot, Wrap: sc.spec.Wrap}
}

// Page reads one page of a single-segment scan, starting after cursor (""
// for the first page); see Query.Page. A cursor of another scan or query,
// or an altered one, is ErrInvalidCursor before any request is sent.
func (sc *Scan[T]) Page(ctx context.Context, cursor string) (*Page[T], error) {
	if err := sc.ready(); err != nil {
		return nil, err
	}
	if sc.segments > 1 {
		return nil, sc.spec.Wrap(errors.New("Page reads one segment; use All for a parallel scan"))
	}
	t := sc.e.s.Table
	start, err := t.DecodeCursor(cursor, sc.ident, sc.index, "", sc.keyAttrs)
	if err != nil {
		return nil, sc.spec.Wrap(err)
	}
	page := &Page[T]{}
	var next map[string]types.AttributeValue
	page.Items, next, err = readPage(ctx, sc.segment(0), sc.e, sc.spec, start, sc.limit, nil)
	if err != nil {
		return nil, err
	}
	if page.Next, err = t.EncodeCursor(sc.ident, sc.index, "", sc.keyAttrs, next); err != nil {
		return nil, sc.spec.Wrap(err)
	}
	return page, nil
}

// All returns an iterator over the scan's items. With Segments(n > 1) it
// scans the segments in parallel goroutines, each holding one page, and
// yields their items as they come; breaking out of the loop, an error or
// the context's end stops every goroutine before All returns.
func (sc *Scan[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if err := sc.ready(); err != nil {
			var zero T
			yield(zero, err)
			return
		}
		if sc.segments == 1 {
			yieldItems(ctx, sc.segment(0), sc.e, sc.spec, sc.limit, yield)
			return
		}
		sc.parallel(ctx, yield)
	}
}

// scanPage is one segment's page of decoded items, or its error.
type scanPage[T any] struct {
	items []T
	err   error
}

func (sc *Scan[T]) parallel(parent context.Context, yield func(T, error) bool) {
	var zero T
	ctx, cancel := context.WithCancel(parent)
	pages := make(chan scanPage[T])
	var wg sync.WaitGroup
	for i := range sc.segments {
		seg := sc.segment(i)
		wg.Go(func() {
			send := func(p scanPage[T]) bool {
				select {
				case pages <- p:
					return true
				case <-ctx.Done():
					return false
				}
			}
			var start map[string]types.AttributeValue
			scratch := new(T)
			for {
				out, err := seg.Fetch(ctx, start, 0)
				if err != nil {
					send(scanPage[T]{err: err})
					return
				}
				p := scanPage[T]{items: make([]T, 0, len(out.Items))}
				for _, item := range out.Items {
					if seg.TypeIndex(item) < 0 {
						continue
					}
					v, err := decodeAs(ctx, sc.e, sc.spec, item, scratch)
					if err != nil {
						send(scanPage[T]{err: err})
						return
					}
					p.items = append(p.items, v)
				}
				if len(p.items) > 0 && !send(p) {
					return
				}
				if len(out.Last) == 0 {
					return
				}
				start = out.Last
			}
		})
	}
	go func() {
		wg.Wait()
		close(pages)
	}()
	defer func() {
		// Stop the segments and wait for them: no goroutine outlives All.
		cancel()
		for range pages {
		}
	}()
	n := 0
	for p := range pages {
		if p.err != nil {
			if parent.Err() != nil {
				p.err = sc.spec.Wrap(parent.Err())
			}
			yield(zero, p.err)
			return
		}
		for _, v := range p.items {
			if !yield(v, nil) {
				return
			}
			if n++; sc.limit > 0 && n == sc.limit {
				return
			}
		}
	}
	if err := parent.Err(); err != nil {
		yield(zero, sc.spec.Wrap(err))
	}
}

// Count returns the number of items the scan matches, reading every page
// of every segment in turn (with Select COUNT). Limit does not apply.
func (sc *Scan[T]) Count(ctx context.Context) (int, error) {
	if err := sc.ready(); err != nil {
		return 0, err
	}
	n := 0
	for i := range sc.segments {
		in := sc.segment(i).Params(nil, 0)
		in.Select = types.SelectCount
		if len(sc.project) > 0 {
			now := expression.Value(engine.EpochValue(sc.e.s.Table.Epoch()))
			expr, err := expression.NewBuilder().WithFilter(engine.ReadFilter(sc.e.s.Table, sc.spec.Types, sc.expiredOK, now, sc.filter)).Build()
			if err != nil {
				return 0, sc.spec.Wrap(err)
			}
			in.ProjectionExpression = nil
			in.ExpressionAttributeNames, in.ExpressionAttributeValues = expr.Names(), expr.Values()
			in.FilterExpression = expr.Filter()
		}
		for {
			out, err := sc.e.s.Table.Client.Scan(ctx, in)
			if err != nil {
				return n, sc.spec.Wrap(err)
			}
			n += int(out.Count)
			if len(out.LastEvaluatedKey) == 0 {
				break
			}
			in.ExclusiveStartKey = out.LastEvaluatedKey
		}
	}
	return n, nil
}
