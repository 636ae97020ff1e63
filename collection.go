package tablemap

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A collection is one partition holding the items of several entities —
// a photo and its reactions, a user and their followers — read with one
// Query and decoded, item by item, into the Go type of its entity.
//
// Collect2 and Collect3 make one from a Query of the first entity, whose
// partial value gives the partition on the query's index, and the other
// entities, which must have that index and a partition key template that
// can produce that partition. The query's options apply to the collection:
// Index, Newest/Oldest, Limit (counting items of every entity), Filter,
// Project, Consistent, IncludeExpired and a sort key condition (on the
// first entity's sort key template). Expired items of the entities with a
// ttl field are left out by the request's filter (see Entity); items of the
// others never expire. Without a sort key condition the collection reads
// every item of its entities in the partition, and only the span of sort
// keys their templates can build: from the least of the literal prefixes
// of their sort key templates ("ISSUE#" of "ISSUE#{number}", "REPO#" of
// "REPO#{name}") to just above the greatest, or begins_with the prefix
// they share when that is one of them. Other entities' items outside that
// span are not read, so they cost no capacity and no requests; those
// inside it (a "PULL#…" between "ISSUE#" and "REPO#…") are read and
// filtered out, never decoded. An entity whose sort key template starts
// with a placeholder has no such prefix: the collection then reads the
// whole partition. The partial value's sort key fields are not used.
//
// Items come in sort key order, so an entity whose sort key sorts first
// (a photo "A" before its reactions "REACTION#…") arrives on the first
// page.
//
// Options set on the query apply to every call of the collection made
// after them, as they do to the query's own calls.
type collection struct {
	build   func() collection // builds the collection from the query as it is now
	version func() uint64     // the query's option count
	built   bool
	seen    uint64 // the option count spec and err were built at
	spec    *querySpec
	err     error
}

// lazyCollection returns the collection of the query q and schemas, the
// query's first, built on its first call and again after q's options
// change.
func lazyCollection[A any](q *Query[A], schemas ...*schema) collection {
	return collection{
		build:   func() collection { return newCollection(q, schemas...) },
		version: func() uint64 { return q.version },
	}
}

// ready builds the collection unless it is built from the query's current
// options, and returns its error.
func (c *collection) ready() error {
	if v := c.version(); !c.built || v != c.seen {
		b := c.build()
		c.spec, c.err, c.seen, c.built = b.spec, b.err, v, true
	}
	return c.err
}

// newCollection builds the spec of a collection from the first entity's
// query and the schemas of all entities, the query's first.
func newCollection[A any](q *Query[A], schemas ...*schema) collection {
	names := make([]string, len(schemas))
	for i, s := range schemas {
		names[i] = s.name
	}
	ident := strings.Join(names, "+")
	fail := func(err error) collection {
		return collection{err: &QueryError{Op: "Collection", Entity: ident, Index: q.index, Err: err}}
	}
	if q.err != nil {
		return collection{err: q.err}
	}
	spec, err := q.base()
	if err != nil {
		return fail(err)
	}
	spec.op, spec.ident, spec.types = "Collection", ident, schemas
	seen := map[string]bool{}
	var prefixes []string
	for _, s := range schemas {
		if seen[s.name] {
			return fail(fmt.Errorf("entity %s is in the collection twice", s.name))
		}
		seen[s.name] = true
		if s.table != spec.t {
			return fail(fmt.Errorf("entity %s is defined on table %s, not %s", s.name, s.table.name, spec.t.name))
		}
		g := s.indexNamed(q.index)
		if g == nil {
			return fail(fmt.Errorf("entity %s has no index %q", s.name, q.index))
		}
		if _, err := g.pk.tmpl.Parse(spec.pk); err != nil {
			return fail(fmt.Errorf("entity %s cannot have items in partition %q: its template %s does not produce it", s.name, spec.pk, g.pk.tag))
		}
		if (g.sk == nil) != (spec.g.sk == nil) {
			return fail(fmt.Errorf("entities %s and %s disagree on whether index %q has a sort key", schemas[0].name, s.name, q.index))
		}
		if g.sk != nil {
			prefixes = append(prefixes, g.sk.tmpl.Prefix(nil))
		}
	}
	if !spec.explicitSK {
		spec.sk = span(prefixes)
	}
	if err := spec.finish(); err != nil {
		return fail(err)
	}
	return collection{spec: spec}
}

// span returns the narrowest sort key condition that holds for every key
// starting with one of prefixes (the literal text before the first
// placeholder of each entity's sort key template): begins_with their
// common prefix when that is one of them, else BETWEEN the least prefix
// and the greatest prefix's successor (see successor). Without prefixes or
// with an empty one, any key may be an entity's: no condition.
//
// Sort keys compare as UTF-8 bytes, which is code point order, so a key
// starting with P sorts at or above P and below P's successor.
func span(prefixes []string) skKey {
	if len(prefixes) == 0 {
		return skKey{}
	}
	lo, common := prefixes[0], prefixes[0]
	for _, p := range prefixes[1:] {
		lo, common = min(lo, p), commonPrefix(common, p)
	}
	if common == lo {
		if lo == "" {
			return skKey{}
		}
		return skKey{op: keyBeginsWith, a: lo}
	}
	hi := ""
	for _, p := range prefixes {
		succ, ok := successor(p)
		if !ok {
			// No string is above every key starting with p.
			return skKey{op: keyGreaterOrEqual, a: lo}
		}
		hi = max(hi, succ)
	}
	return skKey{op: keyBetween, a: lo, b: hi}
}

// successor returns the least valid UTF-8 string as short as p that sorts
// above every string starting with p: p with its last code point below
// U+10FFFF raised by one (skipping the surrogates) and what follows that
// code point dropped. ok is false when there is none (p is empty, invalid
// UTF-8, or all U+10FFFF).
func successor(p string) (string, bool) {
	if !utf8.ValidString(p) {
		return "", false
	}
	for len(p) > 0 {
		r, n := utf8.DecodeLastRuneInString(p)
		p = p[:len(p)-n]
		if r == utf8.MaxRune {
			continue
		}
		if r++; r == 0xD800 {
			r = 0xE000
		}
		return p + string(r), true
	}
	return "", false
}

func commonPrefix(a, b string) string {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return a[:i]
		}
	}
	return a[:n]
}

// decodeAs decodes an item of entity e read by spec into *scratch, zeroed
// first, and returns a copy of it; ctx is the read's, for decrypting.
// Callers allocate one scratch value per read rather than one per item: a
// value whose address the codec takes would escape to the heap.
func decodeAs[T any](ctx context.Context, e *Entity[T], spec *querySpec, item map[string]types.AttributeValue, scratch *T) (T, error) {
	var zero T
	*scratch = zero
	p := unsafe.Pointer(scratch)
	if err := e.s.decodeInto(ctx, item, p); err != nil {
		return zero, spec.itemErr(e.s, item, err)
	}
	if len(spec.project) > 0 {
		if err := e.s.fillKey(item, p); err != nil {
			return zero, spec.itemErr(e.s, item, err)
		}
	}
	return *scratch, nil
}

// appendAs decodes item as an e in scratch (see decodeAs) and appends it to
// *items.
func appendAs[T any](ctx context.Context, e *Entity[T], spec *querySpec, item map[string]types.AttributeValue, scratch *T, items *[]T) error {
	v, err := decodeAs(ctx, e, spec, item, scratch)
	if err != nil {
		return err
	}
	*items = append(*items, v)
	return nil
}

// page reads from cursor, handing each item to decode with its entity's
// position, and returns the cursor after the last item read.
func (c *collection) page(ctx context.Context, cursor string, onePage bool, decode func(item map[string]types.AttributeValue, typ int) error) (string, error) {
	if err := c.ready(); err != nil {
		return "", err
	}
	start, err := c.spec.decodeCursor(cursor)
	if err != nil {
		return "", err
	}
	next, err := c.spec.run(ctx, start, c.spec.limit, onePage, func(item map[string]types.AttributeValue, typ int) (bool, error) {
		return true, decode(item, typ)
	})
	if err != nil {
		return "", err
	}
	return c.spec.encodeCursor(next)
}

func (c *collection) params() (*dynamodb.QueryInput, error) {
	if err := c.ready(); err != nil {
		return nil, err
	}
	return c.spec.params(nil, c.spec.limit), nil
}

// A Collection2 reads a partition holding items of entities A and B (see
// Collect2).
type Collection2[A, B any] struct {
	c  collection
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
	next, err := c.c.page(ctx, cursor, onePage, func(item map[string]types.AttributeValue, typ int) error {
		if typ == 0 {
			return appendAs(ctx, c.ea, c.c.spec, item, sa, &p.A)
		}
		return appendAs(ctx, c.eb, c.c.spec, item, sb, &p.B)
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
	c  collection
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
	next, err := c.c.page(ctx, cursor, onePage, func(item map[string]types.AttributeValue, typ int) error {
		switch typ {
		case 0:
			return appendAs(ctx, c.ea, c.c.spec, item, sa, &p.A)
		case 1:
			return appendAs(ctx, c.eb, c.c.spec, item, sb, &p.B)
		default:
			return appendAs(ctx, c.ec, c.c.spec, item, sc, &p.C)
		}
	})
	if err != nil {
		return nil, err
	}
	p.Next = next
	return p, nil
}
