package tablemap

import (
	"context"
	"errors"
	"iter"
	"slices"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/engine"
)

// A Query reads the items of one entity in one partition of the table or of
// an index. Make one with Entity.Query from a partial value, add options,
// then read it with All, Page, First or Count (or look at its Params). It
// keeps the first error an option meets and returns it from the terminal
// call.
//
// The partial value gives the partition key (every partition key field must
// be set) and, unless a sort key condition is given, a sort key prefix from
// its leading sort key fields; the prefix ends on a field boundary, so user
// "ann" never matches user "anne". With every sort key field given it is
// the full sort key, matched with equality. A query never returns an item
// that differs from the partial value in a field the value gives:
//
//   - A string or time field is given when it is not empty; a number or
//     bool field when it is non-zero (true), or when a later sort key field
//     is given: in Photo{Owner: "ann", Album: 0, Title: "x"} on a sort key
//     "{album}#{title}", album 0 is a value and matched.
//   - The prefix runs through the last given field. Trailing zero numbers
//     and false are not given, so Query(Photo{Owner: "ann"}) reads the
//     whole partition whatever the types of the sort key fields; to match
//     a trailing zero, use SKEqual, whose value counts zero.
//   - An empty string or time field followed by a given field is an error
//     wrapping ErrInvalidKey that names both fields, before any request: no
//     prefix can skip a field, and dropping the later one would widen the
//     query.
//
// A query returns only items of its entity, even where its partition holds
// other entities' items: it filters on the type attribute and checks each
// item's type before decoding it. Nor does it return expired items of an
// entity with a ttl field (see Entity), unless IncludeExpired.
//
// Every option applies to every call made after it: a terminal call or
// Params after an option builds the request again, so Params shows what the
// next call sends, and Limit, Newest or a condition set between two pages
// applies to the second. (A cursor then belongs to the query as it was: one
// made before the key condition or order changed is ErrInvalidCursor.)
// Options are not safe for concurrent use; once a call has built the
// request, terminal calls may run concurrently until the next option.
type Query[T any] struct {
	reading[T]
	value T
	sk    *skCondition[T]
	// first is the room of the first read built, and of the options until
	// then, allocated with the builder (see reading.next).
	first engine.Read
}

// skCondition is a sort key condition on typed values: a, and b for
// between.
type skCondition[T any] struct {
	op   engine.SkOp
	a, b T
}

// Query returns a query of the items in the partition of v (see Query).
func (e *Entity[T]) Query(v T) *Query[T] {
	q := &Query[T]{reading: reading[T]{e: e}, value: v}
	q.first.Kind = engine.KindQuery
	q.next = &q.first
	return q
}

// newRead builds the read of the options in q.next.
func (q *Query[T]) newRead() (*engine.Read, error) {
	return engine.NewQueryIn(q.next, q.e.s, unsafe.Pointer(&q.value), q.sk.arg())
}

// ready returns the query's read (see reading.ready).
func (q *Query[T]) ready() (*engine.Read, error) { return q.reading.ready(q.newRead) }

// Index makes the query read a global secondary index ("GSI1" …) or the
// inverted index (InvertedIndex) instead of the table. The partial value's
// fields are then those of that index's key templates.
func (q *Query[T]) Index(name string) *Query[T] { q.options().Index = name; return q }

// Newest returns items in descending sort key order.
func (q *Query[T]) Newest() *Query[T] { q.options().Desc = true; return q }

// Oldest returns items in ascending sort key order, the default.
func (q *Query[T]) Oldest() *Query[T] { q.options().Desc = false; return q }

// Limit makes the query return at most n items: All stops after n, Page
// returns pages of n items (fewer only on the last page), First is Limit(1).
// The query returns exactly n items when n match, however the filter and
// DynamoDB's 1 MB pages split its responses. Zero means no limit.
func (q *Query[T]) Limit(n int) *Query[T] { q.limit(n); return q }

// Filter keeps only the items for which cond holds; DynamoDB evaluates it
// after reading them, so filtered items still cost read capacity. Several
// Filter calls are ANDed. A filter that could never hold as meant is
// refused before sending (ErrInvalidCondition): one naming an attribute the
// entities do not have, reading an encrypted attribute other than with
// attribute_exists or attribute_not_exists, or comparing an attribute with
// a value of another type than it is stored as (a time.Time against a ttl
// or unixtime attribute, stored as epoch seconds: give t.Unix()). A
// document path ("address.city", "reactions.heart", "tags[0]") is checked
// against the entity's Go type and compared by the type stored there.
// Reads whose filters share a structure (attributes, operators, value
// types) share one rendering and one check; only the values are encoded
// per request. A table that has seen more than 1,000 condition and filter
// structures builds each further one per request.
func (q *Query[T]) Filter(cond expression.ConditionBuilder) *Query[T] { q.filter(cond); return q }

// Project reads only the named attributes: top-level attribute names of
// the entity, or document paths below them ("address.city",
// "reactions.heart": struct fields by attribute name, map keys), checked
// against the entity's Go type. The other fields of the results are zero,
// except the table key fields, which are parsed back from the item's key.
// An unknown attribute or path is an error, and so are a path through a
// list index (DynamoDB packs projected elements at the start of the list)
// and two paths of which one holds the other.
func (q *Query[T]) Project(attrs ...string) *Query[T] { q.project(attrs); return q }

// Consistent makes the query strongly consistent; global secondary indexes
// do not support it (an error).
func (q *Query[T]) Consistent() *Query[T] { q.options().Consistent = true; return q }

// IncludeExpired returns items whose ttl has passed too (see Entity). By
// default the query hides them with a filter in the same request, so its
// Limit, pages and Count leave them out alike.
func (q *Query[T]) IncludeExpired() *Query[T] { q.options().ExpiredOK = true; return q }

// Sort key conditions replace the sort key prefix of the query's partial
// value. Each takes typed values whose sort key fields (of the queried
// index's sort key template) make the key to compare with; their other
// fields are ignored. The key is made of the fields up to the first empty
// string or zero time field; numbers and bools are values, zero and false
// included, so SKEqual(Photo{Album: 0}) on a sort key "{album}" matches
// album 0. A value may thus leave trailing string or time fields empty: the
// comparison is then on the leading fields, as if the others did not exist,
// so SKLessOrEqual(Photo{Taken: t}) on a sort key "{taken}#{username}"
// takes every photo taken at t. A value whose first sort key field is
// empty, or that sets a field after an empty one, is an error wrapping
// ErrInvalidKey. A query has at most one sort key condition.

// SKEqual keeps items whose sort key fields equal those of v.
func (q *Query[T]) SKEqual(v T) *Query[T] { return q.setSK(engine.SkEqual, v, v) }

// SKLess keeps items whose sort key fields are less than those of v.
func (q *Query[T]) SKLess(v T) *Query[T] { return q.setSK(engine.SkLess, v, v) }

// SKLessOrEqual keeps items whose sort key fields are less than or equal
// to those of v.
func (q *Query[T]) SKLessOrEqual(v T) *Query[T] { return q.setSK(engine.SkLessOrEqual, v, v) }

// SKGreater keeps items whose sort key fields are greater than those of v.
func (q *Query[T]) SKGreater(v T) *Query[T] { return q.setSK(engine.SkGreater, v, v) }

// SKGreaterOrEqual keeps items whose sort key fields are greater than or
// equal to those of v.
func (q *Query[T]) SKGreaterOrEqual(v T) *Query[T] { return q.setSK(engine.SkGreaterOrEqual, v, v) }

// SKBetween keeps items whose sort key fields are between those of lo and
// hi, both included.
func (q *Query[T]) SKBetween(lo, hi T) *Query[T] { return q.setSK(engine.SkBetween, lo, hi) }

// SKBeginsWith keeps items whose sort key begins with that of v's leading
// sort key fields, the last of which matches as a string prefix: with v's
// username "an" it matches users "ann" and "anne". (Non-string fields have
// fixed-width encodings, so for them it is equality.) Use the query's
// partial value or SKEqual to match whole fields.
func (q *Query[T]) SKBeginsWith(v T) *Query[T] { return q.setSK(engine.SkBeginsWith, v, v) }

func (q *Query[T]) setSK(op engine.SkOp, a, b T) *Query[T] {
	if q.sk != nil {
		q.fail(errors.New("a query has one sort key condition"))
	}
	q.options() // no option field, but the read is built again: as an option call
	q.sk = &skCondition[T]{op: op, a: a, b: b}
	return q
}

// Params returns the Query request of the first page, without sending it.
func (q *Query[T]) Params() (*dynamodb.QueryInput, error) {
	r, err := q.ready()
	if err != nil {
		return nil, err
	}
	return r.QueryInput(nil, r.Limit), nil
}

// A Page is one page of a query's results.
type Page[T any] struct {
	Items []T
	// Next is the cursor of the next page, "" after the last one. Pass it
	// to Page of the same query to read on.
	Next string
}

// Page reads one page of results, starting after cursor ("" for the
// first page). With a Limit of n the page holds n items (fewer only when
// the query runs out); without, it holds the items of one DynamoDB response
// (up to 1 MB), reading on while the filter leaves responses empty. A
// cursor is opaque: encrypted and authenticated under the table's cursor
// secret (see WithCursorSecret; without one, cursors are valid only in the
// process that made them). A cursor of another query (another entity,
// index, partition, sort key condition or order), one that was altered,
// one of another table or secret, or one older than WithCursorMaxAge is
// ErrInvalidCursor, before any request is sent.
func (q *Query[T]) Page(ctx context.Context, cursor string) (*Page[T], error) {
	return q.page(ctx, cursor, q.newRead)
}

// All returns an iterator over the query's results, page by page: it holds
// one DynamoDB response in memory, not the whole result. An error ends the
// iteration, as the last pair yielded.
func (q *Query[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		r, err := q.ready()
		if err != nil {
			var zero T
			yield(zero, err)
			return
		}
		yieldItems(ctx, r, q.e, yield)
	}
}

// First returns the query's first result, or ErrNotFound when nothing
// matches.
func (q *Query[T]) First(ctx context.Context) (T, error) {
	var v T
	r, err := q.ready()
	if err != nil {
		return v, err
	}
	scratch := new(T)
	err = r.First(ctx, func(item map[string]types.AttributeValue, _ int) error {
		var err error
		v, err = decodeAs(ctx, q.e, r, item, scratch)
		return err
	})
	return v, err
}

// Count returns the number of items the query matches, reading every page
// (with Select COUNT, so no item is transferred). Limit does not apply.
func (q *Query[T]) Count(ctx context.Context) (int, error) { return q.count(ctx, q.newRead) }

// arg returns the condition as the engine takes it; nil for none.
func (c *skCondition[T]) arg() *engine.SkArg {
	if c == nil {
		return nil
	}
	return &engine.SkArg{Op: c.op, A: unsafe.Pointer(&c.a), B: unsafe.Pointer(&c.b)}
}

// readPage reads the page of e's items after cursor (see Query.Page).
func readPage[T any](ctx context.Context, r *engine.Read, e *Entity[T], cursor string) (*Page[T], error) {
	page := &Page[T]{}
	if r.Limit > 0 {
		page.Items = make([]T, 0, min(r.Limit, 1024))
	}
	scratch := new(T)
	next, err := r.Page(ctx, cursor, true, func(item map[string]types.AttributeValue, _ int) (bool, error) {
		return true, appendAs(ctx, e, r, item, scratch, &page.Items)
	}, func(items []map[string]types.AttributeValue) {
		if r.Limit == 0 {
			page.Items = slices.Grow(page.Items, len(items))
		}
	})
	if err != nil {
		return nil, err
	}
	page.Next = next
	return page, nil
}

// yieldItems yields e's items of a single-segment read, decoding each (see
// decodeAs); an error ends the iteration, as the last pair yielded.
func yieldItems[T any](ctx context.Context, r *engine.Read, e *Entity[T], yield func(T, error) bool) {
	stopped := false
	scratch := new(T)
	err := r.All(ctx, func(item map[string]types.AttributeValue, _ int) (bool, error) {
		v, err := decodeAs(ctx, e, r, item, scratch)
		if err != nil {
			return false, err
		}
		stopped = !yield(v, nil)
		return !stopped, nil
	})
	if err != nil && !stopped {
		var zero T
		yield(zero, err)
	}
}
