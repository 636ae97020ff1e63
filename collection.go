package tablemap

import (
	"context"
	"slices"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/engine"
)

// A collection is the read of a query's partition holding items of
// several entities (see Collect2), built from the query's options as they
// are at each call.
type collection[A any] struct {
	q       *Query[A]
	schemas []*engine.Schema // the query's first
	read    engine.Built
}

// ready returns the collection's read, built from the query's current
// options, or the query's first option error or the build's.
func (c *collection[A]) ready() (*engine.Read, error) {
	if c.q.err != nil {
		return nil, c.q.err
	}
	q := c.q
	return c.read.Get(q.version, func() (*engine.Read, error) {
		return engine.NewCollection(c.schemas, q.next.ReadOptions, unsafe.Pointer(&q.value), q.sk.arg())
	})
}

// params returns the Query request of the first page.
func (c *collection[A]) params() (*dynamodb.QueryInput, error) {
	r, err := c.ready()
	if err != nil {
		return nil, err
	}
	return r.QueryInput(nil, r.Limit), nil
}

// page reads from cursor, handing each item to decode with its entity's
// position, and returns the cursor after the last item read. Before each
// response's items, grow gets the number of items of each entity in it.
func (c *collection[A]) page(ctx context.Context, cursor string, onePage bool, decode func(r *engine.Read, item map[string]types.AttributeValue, typ int) error, grow func(n []int)) (string, error) {
	r, err := c.ready()
	if err != nil {
		return "", err
	}
	var counts [3]int
	return r.Page(ctx, cursor, onePage, func(item map[string]types.AttributeValue, typ int) (bool, error) {
		return true, decode(r, item, typ)
	}, func(items []map[string]types.AttributeValue) {
		n := counts[:len(r.Types())]
		clear(n)
		for _, item := range items {
			if typ := engine.TypeIndex(r.T, r.Types(), item); typ >= 0 {
				n[typ]++
			}
		}
		grow(n)
	})
}

// decodeAs decodes an item of entity e read by r into *scratch, zeroed
// first, and returns a copy of it; ctx is the read's, for decrypting.
// Callers allocate one scratch value per read rather than one per item: a
// value whose address the codec takes would escape to the heap.
func decodeAs[T any](ctx context.Context, e *Entity[T], r *engine.Read, item map[string]types.AttributeValue, scratch *T) (T, error) {
	var zero T
	*scratch = zero
	p := unsafe.Pointer(scratch)
	if err := e.s.DecodeRead(ctx, item, p, len(r.Project) > 0); err != nil {
		return zero, r.ItemErr(e.s, item, err)
	}
	return *scratch, nil
}

// appendAs decodes item as an e in scratch (see decodeAs) and appends it to
// *items.
func appendAs[T any](ctx context.Context, e *Entity[T], r *engine.Read, item map[string]types.AttributeValue, scratch *T, items *[]T) error {
	v, err := decodeAs(ctx, e, r, item, scratch)
	if err != nil {
		return err
	}
	*items = append(*items, v)
	return nil
}

// A Collection2 reads a partition holding items of entities A and B (see
// Collect2).
type Collection2[A, B any] struct {
	c  collection[A]
	ea *Entity[A]
	eb *Entity[B]
}

// A Page2 is one page of a Collection2: its items of A and of B, each in
// sort key order.
type Page2[A, B any] struct {
	A    []A
	B    []B
	Next string // the cursor of the next page; "" after the last one
}

// Collect2 returns the collection of A's and B's items in the partition q
// reads: one Query decoding each item into an A or a B by its entity type.
// Options set on q afterwards apply too (see Query).
//
// Without a sort key condition on q, the Query reads only the span of
// sort keys A's and B's templates can build: from the least literal prefix
// of their sort key templates to just above the greatest (a photo "A" and
// its reactions "REACTION#{by}": BETWEEN "A" AND "REACTION$"). Items of
// other entities sorting outside that span (views "VIEW#…") are not read
// and cost nothing; those inside it are read, filtered out by DynamoDB and
// counted in the capacity consumed. A sort key template starting with a
// placeholder has no literal prefix, and the collection reads the whole
// partition.
func Collect2[A, B any](q *Query[A], b *Entity[B]) *Collection2[A, B] {
	return &Collection2[A, B]{c: collection[A]{q: q, schemas: []*engine.Schema{q.e.s, b.s}}, ea: q.e, eb: b}
}

// Params returns the Query request of the first page, without sending it.
func (c *Collection2[A, B]) Params() (*dynamodb.QueryInput, error) { return c.c.params() }

// Page reads one page after cursor ("" for the first): Limit items, or
// without a limit one DynamoDB response (see Query.Page).
func (c *Collection2[A, B]) Page(ctx context.Context, cursor string) (*Page2[A, B], error) {
	return c.read(ctx, cursor, true)
}

// Run reads the whole collection (at most Limit items), following pages.
// Next is the cursor after the last item read, "" when the partition was
// read to its end.
func (c *Collection2[A, B]) Run(ctx context.Context) (*Page2[A, B], error) {
	return c.read(ctx, "", false)
}

func (c *Collection2[A, B]) read(ctx context.Context, cursor string, onePage bool) (*Page2[A, B], error) {
	p := &Page2[A, B]{}
	sa, sb := new(A), new(B)
	next, err := c.c.page(ctx, cursor, onePage, func(r *engine.Read, item map[string]types.AttributeValue, typ int) error {
		if typ == 0 {
			return appendAs(ctx, c.ea, r, item, sa, &p.A)
		}
		return appendAs(ctx, c.eb, r, item, sb, &p.B)
	}, func(n []int) {
		p.A, p.B = slices.Grow(p.A, n[0]), slices.Grow(p.B, n[1])
	})
	if err != nil {
		return nil, err
	}
	p.Next = next
	return p, nil
}

// A Collection3 reads a partition holding items of entities A, B and C
// (see Collect3).
type Collection3[A, B, C any] struct {
	c  collection[A]
	ea *Entity[A]
	eb *Entity[B]
	ec *Entity[C]
}

// A Page3 is one page of a Collection3.
type Page3[A, B, C any] struct {
	A    []A
	B    []B
	C    []C
	Next string // the cursor of the next page; "" after the last one
}

// Collect3 is Collect2 for three entities; the sort key span covers all
// three.
func Collect3[A, B, C any](q *Query[A], b *Entity[B], c *Entity[C]) *Collection3[A, B, C] {
	return &Collection3[A, B, C]{c: collection[A]{q: q, schemas: []*engine.Schema{q.e.s, b.s, c.s}}, ea: q.e, eb: b, ec: c}
}

// Params returns the Query request of the first page, without sending it.
func (c *Collection3[A, B, C]) Params() (*dynamodb.QueryInput, error) { return c.c.params() }

// Page reads one page after cursor (see Collection2.Page).
func (c *Collection3[A, B, C]) Page(ctx context.Context, cursor string) (*Page3[A, B, C], error) {
	return c.read(ctx, cursor, true)
}

// Run reads the whole collection (see Collection2.Run).
func (c *Collection3[A, B, C]) Run(ctx context.Context) (*Page3[A, B, C], error) {
	return c.read(ctx, "", false)
}

func (c *Collection3[A, B, C]) read(ctx context.Context, cursor string, onePage bool) (*Page3[A, B, C], error) {
	p := &Page3[A, B, C]{}
	sa, sb, sc := new(A), new(B), new(C)
	next, err := c.c.page(ctx, cursor, onePage, func(r *engine.Read, item map[string]types.AttributeValue, typ int) error {
		switch typ {
		case 0:
			return appendAs(ctx, c.ea, r, item, sa, &p.A)
		case 1:
			return appendAs(ctx, c.eb, r, item, sb, &p.B)
		default:
			return appendAs(ctx, c.ec, r, item, sc, &p.C)
		}
	}, func(n []int) {
		p.A, p.B, p.C = slices.Grow(p.A, n[0]), slices.Grow(p.B, n[1]), slices.Grow(p.C, n[2])
	})
	if err != nil {
		return nil, err
	}
	p.Next = next
	return p, nil
}
