package tablemap

import (
	"context"
	"fmt"
	"strings"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/engine"
)

// lazyCollection returns the collection of the query q and schemas, the
// query's first, built on its first call and again after q's options
// change.
func lazyCollection[A any](q *Query[A], schemas ...*engine.Schema) engine.Collection {
	return engine.Collection{
		Build:   func() engine.Collection { return newCollection(q, schemas...) },
		Version: func() uint64 { return q.version },
	}
}

// newCollection builds the spec of a collection from the first entity's
// query and the schemas of all entities, the query's first.
func newCollection[A any](q *Query[A], schemas ...*engine.Schema) engine.Collection {
	names := make([]string, len(schemas))
	for i, s := range schemas {
		names[i] = s.Name
	}
	ident := strings.Join(names, "+")
	fail := func(err error) engine.Collection {
		return engine.Collection{Err: &QueryError{Op: "Collection", Entity: ident, Index: q.index, Err: err}}
	}
	if q.err != nil {
		return engine.Collection{Err: q.err}
	}
	spec, err := q.base()
	if err != nil {
		return fail(err)
	}
	spec.Op, spec.Ident, spec.Types = "Collection", ident, schemas
	seen := map[string]bool{}
	var prefixes []string
	for _, s := range schemas {
		if seen[s.Name] {
			return fail(fmt.Errorf("entity %s is in the collection twice", s.Name))
		}
		seen[s.Name] = true
		if s.Table != spec.T {
			return fail(fmt.Errorf("entity %s is defined on table %s, not %s", s.Name, s.Table.Name, spec.T.Name))
		}
		g := s.IndexNamed(q.index)
		if g == nil {
			return fail(fmt.Errorf("entity %s has no index %q", s.Name, q.index))
		}
		if _, err := g.PK.Tmpl.Parse(spec.PK); err != nil {
			return fail(fmt.Errorf("entity %s cannot have items in partition %q: its template %s does not produce it", s.Name, spec.PK, g.PK.Tag))
		}
		if (g.SK == nil) != (spec.G.SK == nil) {
			return fail(fmt.Errorf("entities %s and %s disagree on whether index %q has a sort key", schemas[0].Name, s.Name, q.index))
		}
		if g.SK != nil {
			prefixes = append(prefixes, g.SK.Tmpl.Prefix(nil))
		}
	}
	if !spec.ExplicitSK {
		spec.SK = engine.Span(prefixes)
	}
	if err := spec.Finish(); err != nil {
		return fail(err)
	}
	return engine.Collection{Spec: spec}
}

// decodeAs decodes an item of entity e read by spec into *scratch, zeroed
// first, and returns a copy of it; ctx is the read's, for decrypting.
// Callers allocate one scratch value per read rather than one per item: a
// value whose address the codec takes would escape to the heap.
func decodeAs[T any](ctx context.Context, e *Entity[T], spec *engine.QuerySpec, item map[string]types.AttributeValue, scratch *T) (T, error) {
	var zero T
	*scratch = zero
	p := unsafe.Pointer(scratch)
	if err := e.s.DecodeInto(ctx, item, p); err != nil {
		return zero, spec.ItemErr(e.s, item, err)
	}
	if len(spec.Project) > 0 {
		if err := e.s.FillKey(item, p); err != nil {
			return zero, spec.ItemErr(e.s, item, err)
		}
	}
	return *scratch, nil
}

// appendAs decodes item as an e in scratch (see decodeAs) and appends it to
// *items.
func appendAs[T any](ctx context.Context, e *Entity[T], spec *engine.QuerySpec, item map[string]types.AttributeValue, scratch *T, items *[]T) error {
	v, err := decodeAs(ctx, e, spec, item, scratch)
	if err != nil {
		return err
	}
	*items = append(*items, v)
	return nil
}

// A Collection2 reads a partition holding items of entities A and B (see
// Collect2).
type Collection2[A, B any] struct {
	c  engine.Collection
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
	return &Collection2[A, B]{c: lazyCollection(q, q.e.s, b.s), ea: q.e, eb: b}
}

// Params returns the Query request of the first page, without sending it.
func (c *Collection2[A, B]) Params() (*dynamodb.QueryInput, error) { return c.c.Params() }

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
	next, err := c.c.Page(ctx, cursor, onePage, func(item map[string]types.AttributeValue, typ int) error {
		if typ == 0 {
			return appendAs(ctx, c.ea, c.c.Spec, item, sa, &p.A)
		}
		return appendAs(ctx, c.eb, c.c.Spec, item, sb, &p.B)
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
	c  engine.Collection
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
	return &Collection3[A, B, C]{c: lazyCollection(q, q.e.s, b.s, c.s), ea: q.e, eb: b, ec: c}
}

// Params returns the Query request of the first page, without sending it.
func (c *Collection3[A, B, C]) Params() (*dynamodb.QueryInput, error) { return c.c.Params() }

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
	next, err := c.c.Page(ctx, cursor, onePage, func(item map[string]types.AttributeValue, typ int) error {
		switch typ {
		case 0:
			return appendAs(ctx, c.ea, c.c.Spec, item, sa, &p.A)
		case 1:
			return appendAs(ctx, c.eb, c.c.Spec, item, sb, &p.B)
		default:
			return appendAs(ctx, c.ec, c.c.Spec, item, sc, &p.C)
		}
	})
	if err != nil {
		return nil, err
	}
	p.Next = next
	return p, nil
}
