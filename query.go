package tablemap

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"strconv"
	"strings"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap/internal/keys"
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
	e          *Entity[T]
	value      T
	index      string
	sk         *skCondition[T]
	desc       bool
	limit      int
	filter     *expression.ConditionBuilder
	project    []string
	consistent bool
	expiredOK  bool // IncludeExpired
	err        error

	built    bool   // spec and buildErr are of the options as they are
	version  uint64 // counts option calls, for collections built from the query
	spec     *querySpec
	buildErr error
}

// skOp is a sort key comparison.
type skOp int

const (
	skEqual skOp = iota + 1
	skLess
	skLessOrEqual
	skGreater
	skGreaterOrEqual
	skBetween
	skBeginsWith
)

// skCondition is a sort key condition on typed values: a, and b for
// between.
type skCondition[T any] struct {
	op   skOp
	a, b T
}

// Query returns a query of the items in the partition of v (see Query).
func (e *Entity[T]) Query(v T) *Query[T] {
	return &Query[T]{e: e, value: v}
}

// changed marks the built request stale after an option call.
func (q *Query[T]) changed() {
	q.built = false
	q.version++
}

func (q *Query[T]) fail(err error) {
	if q.err == nil {
		q.err = &QueryError{Op: "Query", Entity: q.e.s.name, Index: q.index, Err: err}
	}
}

// Index makes the query read a global secondary index ("GSI1" …) or the
// inverted index (InvertedIndex) instead of the table. The partial value's
// fields are then those of that index's key templates.
func (q *Query[T]) Index(name string) *Query[T] {
	q.index = name
	q.changed()
	return q
}

// Newest returns items in descending sort key order.
func (q *Query[T]) Newest() *Query[T] {
	q.desc = true
	q.changed()
	return q
}

// Oldest returns items in ascending sort key order, the default.
func (q *Query[T]) Oldest() *Query[T] {
	q.desc = false
	q.changed()
	return q
}

// Limit makes the query return at most n items: All stops after n, Page
// returns pages of n items (fewer only on the last page), First is Limit(1).
// The query returns exactly n items when n match, however the filter and
// DynamoDB's 1 MB pages split its responses. Zero means no limit.
func (q *Query[T]) Limit(n int) *Query[T] {
	if n < 0 {
		q.fail(fmt.Errorf("negative limit %d", n))
	}
	q.limit = n
	q.changed()
	return q
}

// Filter keeps only the items for which cond holds; DynamoDB evaluates it
// after reading them, so filtered items still cost read capacity. Several
// Filter calls are ANDed. A filter that could never hold as meant is
// refused before sending (ErrInvalidCondition): one naming an attribute the
// entities do not have, reading an encrypted attribute other than with
// attribute_exists or attribute_not_exists, or comparing an attribute with
// a value of another type than it is stored as (a time.Time against a ttl
// or unixtime attribute, stored as epoch seconds: give t.Unix()).
func (q *Query[T]) Filter(cond expression.ConditionBuilder) *Query[T] {
	q.filter = and(q.filter, cond)
	q.changed()
	return q
}

// Project reads only the named attributes (top-level attribute names of the
// entity); the other fields of the results are zero, except the table key
// fields, which are parsed back from the item's key. An unknown attribute
// is an error.
func (q *Query[T]) Project(attrs ...string) *Query[T] {
	if err := q.e.s.checkProject(attrs); err != nil {
		q.fail(err)
	}
	q.project = append(q.project, attrs...)
	q.changed()
	return q
}

// Consistent makes the query strongly consistent; global secondary indexes
// do not support it (an error).
func (q *Query[T]) Consistent() *Query[T] {
	q.consistent = true
	q.changed()
	return q
}

// IncludeExpired returns items whose ttl has passed too (see Entity). By
// default the query hides them with a filter in the same request, so its
// Limit, pages and Count leave them out alike.
func (q *Query[T]) IncludeExpired() *Query[T] {
	q.expiredOK = true
	q.changed()
	return q
}

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
func (q *Query[T]) SKEqual(v T) *Query[T] { return q.setSK(skEqual, v, v) }

// SKLess keeps items whose sort key fields are less than those of v.
func (q *Query[T]) SKLess(v T) *Query[T] { return q.setSK(skLess, v, v) }

// SKLessOrEqual keeps items whose sort key fields are less than or equal
// to those of v.
func (q *Query[T]) SKLessOrEqual(v T) *Query[T] { return q.setSK(skLessOrEqual, v, v) }

// SKGreater keeps items whose sort key fields are greater than those of v.
func (q *Query[T]) SKGreater(v T) *Query[T] { return q.setSK(skGreater, v, v) }

// SKGreaterOrEqual keeps items whose sort key fields are greater than or
// equal to those of v.
func (q *Query[T]) SKGreaterOrEqual(v T) *Query[T] { return q.setSK(skGreaterOrEqual, v, v) }

// SKBetween keeps items whose sort key fields are between those of lo and
// hi, both included.
func (q *Query[T]) SKBetween(lo, hi T) *Query[T] { return q.setSK(skBetween, lo, hi) }

// SKBeginsWith keeps items whose sort key begins with that of v's leading
// sort key fields, the last of which matches as a string prefix: with v's
// username "an" it matches users "ann" and "anne". (Non-string fields have
// fixed-width encodings, so for them it is equality.) Use the query's
// partial value or SKEqual to match whole fields.
func (q *Query[T]) SKBeginsWith(v T) *Query[T] { return q.setSK(skBeginsWith, v, v) }

func (q *Query[T]) setSK(op skOp, a, b T) *Query[T] {
	if q.sk != nil {
		q.fail(errors.New("a query has one sort key condition"))
	}
	q.sk = &skCondition[T]{op: op, a: a, b: b}
	q.changed()
	return q
}

// Params returns the Query request of the first page, without sending it.
func (q *Query[T]) Params() (*dynamodb.QueryInput, error) {
	if err := q.ready(); err != nil {
		return nil, err
	}
	return q.spec.params(nil, q.limit), nil
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
	if err := q.ready(); err != nil {
		return nil, err
	}
	start, err := q.spec.decodeCursor(cursor)
	if err != nil {
		return nil, err
	}
	page := &Page[T]{}
	if q.limit > 0 {
		page.Items = make([]T, 0, min(q.limit, 1024))
	}
	var next map[string]types.AttributeValue
	page.Items, next, err = readPage(ctx, q.spec, q.e, q.spec, start, q.limit, page.Items)
	if err != nil {
		return nil, err
	}
	if page.Next, err = q.spec.encodeCursor(next); err != nil {
		return nil, err
	}
	return page, nil
}

// All returns an iterator over the query's results, page by page: it holds
// one DynamoDB response in memory, not the whole result. An error ends the
// iteration, as the last pair yielded.
func (q *Query[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if err := q.ready(); err != nil {
			var zero T
			yield(zero, err)
			return
		}
		yieldItems(ctx, q.spec, q.e, q.spec, q.limit, yield)
	}
}

// First returns the query's first result, or ErrNotFound when nothing
// matches.
func (q *Query[T]) First(ctx context.Context) (T, error) {
	var v T
	if err := q.ready(); err != nil {
		return v, err
	}
	found := false
	scratch := new(T)
	_, err := q.spec.run(ctx, nil, 1, false, func(item map[string]types.AttributeValue, _ int) (bool, error) {
		var err error
		v, err = decodeAs(ctx, q.e, q.spec, item, scratch)
		found = err == nil
		return false, err
	})
	if err == nil && !found {
		err = &QueryError{Op: "Query", Entity: q.e.s.name, Index: q.index, Err: ErrNotFound}
	}
	return v, err
}

// Count returns the number of items the query matches, reading every page
// (with Select COUNT, so no item is transferred). Limit does not apply.
func (q *Query[T]) Count(ctx context.Context) (int, error) {
	if err := q.ready(); err != nil {
		return 0, err
	}
	return q.spec.count(ctx)
}

// ready builds the request from the options as they are, unless it is
// built already, and returns the first option error or the build's.
func (q *Query[T]) ready() error {
	if q.err != nil {
		return q.err
	}
	if !q.built {
		q.spec, q.buildErr = q.build()
		q.built = true
	}
	return q.buildErr
}

func (q *Query[T]) build() (*querySpec, error) {
	fail := func(err error) (*querySpec, error) {
		return nil, &QueryError{Op: "Query", Entity: q.e.s.name, Index: q.index, Err: err}
	}
	spec, err := q.base()
	if err != nil {
		return fail(err)
	}
	spec.ident = q.e.s.name
	spec.types = []*schema{q.e.s}
	if err := spec.finish(); err != nil {
		return fail(err)
	}
	return spec, nil
}

// base returns the query's spec before its entity types are set: the
// partition, the sort key condition (the explicit one, else the partial
// value's prefix), the order, filter, projection and consistency.
func (q *Query[T]) base() (*querySpec, error) {
	s := q.e.s
	g := s.indexNamed(q.index)
	if g == nil {
		return nil, fmt.Errorf("%w: entity %s has no index %q", ErrInvalidKey, s.name, q.index)
	}
	if q.consistent && g.name != "" {
		return nil, fmt.Errorf("index %s is a global secondary index, which has no consistent reads", g.name)
	}
	p := unsafe.Pointer(&q.value)
	pk, err := g.pk.build(p)
	if err != nil {
		return nil, err
	}
	spec := &querySpec{
		t: s.table, op: "Query", g: g, pk: pk,
		filter: q.filter, project: q.project,
		desc: q.desc, consistent: q.consistent, limit: q.limit,
		expiredOK: q.expiredOK,
	}
	if q.sk != nil {
		if g.sk == nil {
			return nil, fmt.Errorf("index %q of %s has no sort key to compare", g.name, s.name)
		}
		c, err := g.skCondition(q.sk.op, unsafe.Pointer(&q.sk.a), unsafe.Pointer(&q.sk.b))
		if err != nil {
			return nil, err
		}
		spec.sk, spec.explicitSK = c, true
		return spec, spec.checkSKSize()
	}
	if g.sk != nil {
		vals, err := g.sk.values(p, queryFields)
		if err != nil {
			return nil, err
		}
		prefix := g.sk.tmpl.Prefix(vals)
		switch {
		case len(vals) == len(g.sk.fields):
			spec.sk = skKey{op: keyEqual, a: prefix}
		case prefix != "":
			spec.sk = skKey{op: keyBeginsWith, a: prefix}
		}
	}
	return spec, spec.checkSKSize()
}

// checkSKSize refuses sort key operands over MaxSortKeyBytes, which
// DynamoDB would refuse too.
func (q *querySpec) checkSKSize() error {
	if q.g.sk == nil {
		return nil
	}
	for _, operand := range [...]string{q.sk.a, q.sk.b} {
		if err := checkKeySize(q.g.sk.tag+" condition", operand, MaxSortKeyBytes); err != nil {
			return err
		}
	}
	return nil
}

// A keyOp is a comparison of a key condition on the sort key.
type keyOp int

const (
	keyAny keyOp = iota // no condition
	keyEqual
	keyBeginsWith
	keyLess
	keyLessOrEqual
	keyGreater
	keyGreaterOrEqual
	keyBetween
)

// An skKey is a key condition on the sort key: a comparison with a (and b
// for between).
type skKey struct {
	op   keyOp
	a, b string
}

// condition returns the key condition on attr, comparing with a and b
// (which replace k's operands, for building with placeholders).
func (k skKey) condition(attr, a, b string) (expression.KeyConditionBuilder, bool) {
	key := expression.Key(attr)
	switch k.op {
	case keyEqual:
		return key.Equal(expression.Value(a)), true
	case keyBeginsWith:
		return key.BeginsWith(a), true
	case keyLess:
		return key.LessThan(expression.Value(a)), true
	case keyLessOrEqual:
		return key.LessThanEqual(expression.Value(a)), true
	case keyGreater:
		return key.GreaterThan(expression.Value(a)), true
	case keyGreaterOrEqual:
		return key.GreaterThanEqual(expression.Value(a)), true
	case keyBetween:
		return key.Between(expression.Value(a), expression.Value(b)), true
	}
	return expression.KeyConditionBuilder{}, false
}

// skCondition returns the key condition of a sort key comparison with the
// values at a and b (b only for between).
func (g *index) skCondition(op skOp, a, b unsafe.Pointer) (skKey, error) {
	lo, err := g.skBound(a)
	if err != nil {
		return skKey{}, err
	}
	switch op {
	case skEqual:
		if lo.complete {
			return skKey{op: keyEqual, a: lo.prefix}, nil
		}
		return skKey{op: keyBeginsWith, a: lo.prefix}, nil
	case skLess:
		return skKey{op: keyLess, a: lo.prefix}, nil
	case skLessOrEqual:
		if lo.complete {
			return skKey{op: keyLessOrEqual, a: lo.prefix}, nil
		}
		return skKey{op: keyLess, a: lo.after()}, nil
	case skGreater:
		if lo.complete {
			return skKey{op: keyGreater, a: lo.prefix}, nil
		}
		return skKey{op: keyGreaterOrEqual, a: lo.after()}, nil
	case skGreaterOrEqual:
		return skKey{op: keyGreaterOrEqual, a: lo.prefix}, nil
	case skBetween:
		hi, err := g.skBound(b)
		if err != nil {
			return skKey{}, err
		}
		upper := hi.prefix
		if !hi.complete {
			upper = hi.after()
		}
		if upper < lo.prefix {
			return skKey{}, fmt.Errorf("sort key range is empty: lower bound %s is above upper bound %s", keys.Quote(lo.prefix), keys.Quote(upper))
		}
		return skKey{op: keyBetween, a: lo.prefix, b: upper}, nil
	case skBeginsWith:
		return skKey{op: keyBeginsWith, a: lo.begins}, nil
	}
	return skKey{}, fmt.Errorf("unknown sort key comparison %d", op)
}

// An skBound is the sort key of a value's leading sort key fields.
type skBound struct {
	prefix   string // the key prefix of the fields, ending on a field boundary
	begins   string // the same without the literal text after the last field
	complete bool   // every field is set: prefix is a full key
}

// after returns the least string above every string that starts with the
// bound's prefix. A partial prefix ends with literal text that starts with
// the delimiter, which no encoded value holds, so no key of the template is
// that string itself.
func (b skBound) after() string {
	return b.prefix[:len(b.prefix)-1] + string(b.prefix[len(b.prefix)-1]+1)
}

func (g *index) skBound(p unsafe.Pointer) (skBound, error) {
	k := g.sk
	vals, err := k.values(p, boundFields)
	if err != nil {
		return skBound{}, err
	}
	if len(vals) == 0 && len(k.fields) > 0 {
		return skBound{}, fmt.Errorf("%w: %s: the sort key condition's value sets no sort key field (the first is %q)", ErrInvalidKey, k.tag, k.fields[0].Name)
	}
	b := skBound{prefix: k.tmpl.Prefix(vals), complete: len(vals) == len(k.fields)}
	b.begins = b.prefix
	if n := len(vals); n > 0 {
		b.begins = k.tmpl.Prefix(vals[:n-1]) + vals[n-1]
	}
	if !b.complete {
		if last := b.prefix[len(b.prefix)-1]; last >= 0x7f {
			return skBound{}, fmt.Errorf("%s: cannot compare a partial sort key ending in byte %#x; set every sort key field", k.tag, last)
		}
	}
	return b, nil
}

// checkProject returns an error naming the first of attrs that is not a
// top-level attribute of the entity, for Project.
func (s *schema) checkProject(attrs []string) error {
	for _, a := range attrs {
		if s.codec.Field(a) == nil {
			return fmt.Errorf("project: %s has no attribute %q", s.name, a)
		}
	}
	return nil
}

// projection returns the projection of a read of attrs: the type attribute
// (to check each item's entity), then the key attributes keys, then attrs.
func (t *Table) projection(keys, attrs []string) expression.ProjectionBuilder {
	proj := expression.NamesList(expression.Name(t.typeAttr))
	for _, a := range keys {
		proj = proj.AddNames(expression.Name(a))
	}
	for _, a := range attrs {
		proj = proj.AddNames(expression.Name(a))
	}
	return proj
}

// fillKey sets the table key fields of the value at p from item's table
// key attributes, for items read with a projection.
func (s *schema) fillKey(item map[string]types.AttributeValue, p unsafe.Pointer) error {
	t := s.table
	for _, part := range []struct {
		k    *keyPart
		attr string
	}{{s.primary.pk, t.pk}, {s.primary.sk, t.sk}} {
		av, ok := item[part.attr].(*types.AttributeValueMemberS)
		if !ok {
			return fmt.Errorf("item has no string attribute %q", part.attr)
		}
		if err := part.k.parse(av.Value, p); err != nil {
			return err
		}
	}
	return nil
}

// A QueryError reports a query, scan or collection that failed, naming the
// entity (or entities) and the index. It wraps the cause; a bad cursor is
// ErrInvalidCursor, an item of the expected type that does not decode is
// the codec's error.
type QueryError struct {
	Op     string // "Query", "Scan", "Collection"
	Entity string // entity type name; "A+B" for a collection
	Index  string // "" for the table
	Key    Key    // the table key of the item at fault, if any
	Err    error
}

func (e *QueryError) Error() string {
	msg := "tablemap: " + e.Op + " " + e.Entity
	if e.Index != "" {
		msg += " on index " + e.Index
	}
	if e.Key != (Key{}) {
		msg += " {" + e.Key.String() + "}"
	}
	return msg + ": " + e.Err.Error()
}

func (e *QueryError) Unwrap() error { return e.Err }

// querySpec is the type-erased, built form of a query or collection: what
// it sends and how it reads responses.
type querySpec struct {
	t          *Table
	op         string    // "Query" or "Collection", for errors
	ident      string    // entity name, or the collection's names: cursors carry it
	types      []*schema // the entities whose items it returns
	g          *index
	pk         string
	sk         skKey // keyAny: the whole partition
	explicitSK bool
	filter     *expression.ConditionBuilder
	project    []string
	desc       bool
	consistent bool
	limit      int
	expiredOK  bool // no expiry filter (see ttl.go)

	in       *dynamodb.QueryInput // without start key and limit
	keyAttrs []string             // the key attributes a cursor holds
	nowSlot  string               // the placeholder of the expiry filter's now, set per request
	scope    string               // the digest of the key condition and order a cursor holds
}

// finish builds the request from the spec.
func (q *querySpec) finish() error {
	t := q.t
	q.keyAttrs = keyAttrs(t, q.g)
	q.scope = cursorScope(q.pk, q.sk, q.desc)
	shape, err := q.shape()
	if err != nil {
		return err
	}
	values := make(map[string]types.AttributeValue, len(shape.values)+3)
	for ph, v := range shape.values {
		values[ph] = v
	}
	for i, operand := range [...]string{q.pk, q.sk.a, q.sk.b} {
		if ph := shape.slots[i]; ph != "" {
			values[ph] = &types.AttributeValueMemberS{Value: operand}
		}
	}
	if q.nowSlot = shape.now; q.nowSlot != "" {
		values[q.nowSlot] = epochValue(t.epoch())
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(t.name),
		KeyConditionExpression:    shape.keyCond,
		FilterExpression:          shape.filter,
		ProjectionExpression:      shape.projection,
		ExpressionAttributeNames:  maps.Clone(shape.names),
		ExpressionAttributeValues: values,
	}
	if q.g.name != "" {
		in.IndexName = aws.String(q.g.name)
	}
	if q.desc {
		in.ScanIndexForward = aws.Bool(false)
	}
	if q.consistent {
		in.ConsistentRead = aws.Bool(true)
	}
	q.in = in
	return nil
}

// A queryShape is the built expressions of a query, with placeholders for
// its key values: queries that differ only in those values share one, so
// the expression builder runs once per shape, not once per query.
type queryShape struct {
	keyCond, filter, projection *string
	names                       map[string]string
	values                      map[string]types.AttributeValue // the values that are not key values
	slots                       [3]string                       // placeholders of the partition key and the sort key operands a and b
	now                         string                          // placeholder of the expiry filter's now, "" if none
}

// A shapeKey is what a query's shape depends on. A user's filter is not in
// it: queries with a filter build their own expressions.
type shapeKey struct {
	g       *index
	op      keyOp
	ident   string // the entity types
	project string
	expiry  bool // the filter hides expired items
}

// operandMark is the value a key operand has while its shape is built, to
// find its placeholder.
const operandMark = "\x00tablemap key operand "

// shape returns the query's expressions, from the table's cache when the
// query has no filter of its own.
func (q *querySpec) shape() (*queryShape, error) {
	t := q.t
	cacheable := q.filter == nil
	key := shapeKey{g: q.g, op: q.sk.op, ident: q.ident, project: strings.Join(q.project, "\x00"), expiry: !q.expiredOK}
	if cacheable {
		if s, ok := t.queryShapes.Load(key); ok {
			return s.(*queryShape), nil
		}
	}
	operands := [...]string{q.pk, q.sk.a, q.sk.b}
	if cacheable {
		for i := range operands {
			operands[i] = operandMark + strconv.Itoa(i)
		}
	}
	kc := expression.Key(q.g.pkAttr).Equal(expression.Value(operands[0]))
	if c, ok := q.sk.condition(q.g.skAttr, operands[1], operands[2]); ok {
		kc = kc.And(c)
	}
	b := expression.NewBuilder().WithKeyCondition(kc).WithFilter(q.readFilter(expression.Value(nowMark)))
	if len(q.project) > 0 {
		b = b.WithProjection(t.projection(q.keyAttrs, q.project))
	}
	expr, err := b.Build()
	if err != nil {
		return nil, err
	}
	if !cacheable {
		if err := checkCondition(t, q.types, "the filter", expr.Filter(), expr.Names(), expr.Values()); err != nil {
			return nil, err
		}
	}
	s := &queryShape{
		keyCond: expr.KeyCondition(), filter: expr.Filter(), projection: expr.Projection(),
		names: expr.Names(), values: expr.Values(),
	}
	if s.now = nowSlot(s.values); s.now != "" {
		delete(s.values, s.now)
	}
	if !cacheable {
		return s, nil
	}
	for ph, v := range s.values {
		if sv, ok := v.(*types.AttributeValueMemberS); ok && strings.HasPrefix(sv.Value, operandMark) {
			i, _ := strconv.Atoi(strings.TrimPrefix(sv.Value, operandMark))
			s.slots[i] = ph
			delete(s.values, ph)
		}
	}
	actual, _ := t.queryShapes.LoadOrStore(key, s)
	return actual.(*queryShape), nil
}

// readFilter is the query's filter: its entity types, the expiry rule
// comparing with now, and the user's filter (see the function readFilter).
func (q *querySpec) readFilter(now expression.OperandBuilder) expression.ConditionBuilder {
	return readFilter(q.t, q.types, q.expiredOK, now, q.filter)
}

func typeFilter(t *Table, schemas []*schema, user *expression.ConditionBuilder) expression.ConditionBuilder {
	name := expression.Name(t.typeAttr)
	var c expression.ConditionBuilder
	if len(schemas) == 1 {
		c = name.Equal(expression.Value(schemas[0].name))
	} else {
		vals := make([]expression.OperandBuilder, len(schemas))
		for i, s := range schemas {
			vals[i] = expression.Value(s.name)
		}
		c = name.In(vals[0], vals[1:]...)
	}
	if user != nil {
		c = expression.And(c, *user)
	}
	return c
}

// keyAttrs returns the key attributes of items read from index g: the
// table's key, and the index's.
func keyAttrs(t *Table, g *index) []string {
	attrs := []string{t.pk, t.sk}
	if g.name != "" && g.name != InvertedIndex {
		attrs = append(attrs, g.pkAttr)
		if g.sk != nil {
			attrs = append(attrs, g.skAttr)
		}
	}
	return attrs
}

// params returns the request starting after start, reading at most limit
// items (0: no limit).
func (q *querySpec) params(start map[string]types.AttributeValue, limit int) *dynamodb.QueryInput {
	in := *q.in
	in.ExclusiveStartKey, in.Limit = start, pageLimit(limit)
	in.ExpressionAttributeValues = withNow(in.ExpressionAttributeValues, q.nowSlot, q.t.epoch())
	return &in
}

// pageLimit returns the Limit of a request for at most limit items (0: no
// limit).
func pageLimit(limit int) *int32 {
	if limit <= 0 {
		return nil
	}
	return aws.Int32(int32(min(limit, 1<<31-1)))
}

// run reads the query's items (see readItems).
func (q *querySpec) run(ctx context.Context, start map[string]types.AttributeValue, want int, onePage bool, each func(item map[string]types.AttributeValue, typ int) (bool, error)) (map[string]types.AttributeValue, error) {
	return readItems(ctx, q, start, want, onePage, each)
}

func (q *querySpec) fetch(ctx context.Context, start map[string]types.AttributeValue, limit int) (response, error) {
	out, err := q.t.client.Query(ctx, q.params(start, limit))
	if err != nil {
		return response{}, q.wrap(err)
	}
	return response{items: out.Items, last: out.LastEvaluatedKey, filtered: out.Count < out.ScannedCount}, nil
}

func (q *querySpec) typeIndex(item map[string]types.AttributeValue) int {
	return typeIndex(q.t, q.types, item)
}

func (q *querySpec) keyOf(item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	key, err := keyOf(q.keyAttrs, item)
	if err != nil {
		return nil, q.wrap(err)
	}
	return key, nil
}

// A source is a paged read: a query, or a segment of a scan.
type source interface {
	// fetch returns the response of one request starting after start,
	// asking for at most limit items (0: no limit).
	fetch(ctx context.Context, start map[string]types.AttributeValue, limit int) (response, error)
	// typeIndex returns the position of item's entity among those the read
	// returns, or -1.
	typeIndex(item map[string]types.AttributeValue) int
	// keyOf returns the key attributes to resume after item.
	keyOf(item map[string]types.AttributeValue) (map[string]types.AttributeValue, error)
}

// A response is one page DynamoDB returned.
type response struct {
	items    []map[string]types.AttributeValue
	last     map[string]types.AttributeValue // LastEvaluatedKey
	filtered bool                            // the filter dropped items
}

// readItems reads src's items, starting after start, and hands each item
// of a known entity type to each (with the position of its entity) until
// want items were handed (0: no limit), each returns false, or the read
// ends. With onePage and no want, it also stops at the end of the first
// response that handed an item. It returns the key to resume after the
// last item handed, nil at the end (and when each stopped).
//
// DynamoDB's Limit counts items before the filter, so readItems asks for
// the items still wanted and, when the filter thinned a response, asks for
// more next time; when it stops inside a response, it resumes after the
// last item handed, from that item's key attributes.
func readItems(ctx context.Context, src source, start map[string]types.AttributeValue, want int, onePage bool, each func(item map[string]types.AttributeValue, typ int) (bool, error)) (map[string]types.AttributeValue, error) {
	handed, ask := 0, want
	for {
		out, err := src.fetch(ctx, start, ask)
		if err != nil {
			return nil, err
		}
		for i, item := range out.items {
			typ := src.typeIndex(item)
			if typ < 0 {
				continue // the type filter keeps other entities out; never decode them
			}
			more, err := each(item, typ)
			if err != nil {
				return nil, err
			}
			if !more {
				return nil, nil
			}
			handed++
			if want > 0 && handed == want {
				if i == len(out.items)-1 {
					return out.last, nil
				}
				return src.keyOf(item)
			}
		}
		if len(out.last) == 0 || onePage && want == 0 && handed > 0 {
			return out.last, nil
		}
		start = out.last
		if want > 0 {
			prev := ask
			ask = want - handed
			if out.filtered {
				// The filter dropped items: ask for more than needed and
				// stop inside the response if it returns too many.
				ask = max(ask, 4*prev)
			}
		}
	}
}

// readPage reads one page of e's items from src after start, at most limit
// of them (0: one response's), decoding each (see decodeAs) and appending
// it to items. spec is the read's, for decoding.
func readPage[T any](ctx context.Context, src source, e *Entity[T], spec *querySpec, start map[string]types.AttributeValue, limit int, items []T) ([]T, map[string]types.AttributeValue, error) {
	scratch := new(T)
	next, err := readItems(ctx, src, start, limit, true, func(item map[string]types.AttributeValue, _ int) (bool, error) {
		return true, appendAs(ctx, e, spec, item, scratch, &items)
	})
	return items, next, err
}

// yieldItems yields e's items from src, at most limit of them (0: all),
// decoding each (see decodeAs); an error ends the iteration, as the last
// pair yielded.
func yieldItems[T any](ctx context.Context, src source, e *Entity[T], spec *querySpec, limit int, yield func(T, error) bool) {
	stopped := false
	scratch := new(T)
	_, err := readItems(ctx, src, nil, limit, false, func(item map[string]types.AttributeValue, _ int) (bool, error) {
		v, err := decodeAs(ctx, e, spec, item, scratch)
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

// typeIndex returns the position of item's entity type among types, or -1.
func typeIndex(t *Table, schemas []*schema, item map[string]types.AttributeValue) int {
	typ := t.typeOf(item)
	for i, s := range schemas {
		if s.name == typ {
			return i
		}
	}
	return -1
}

// keyOf returns the key attributes attrs of an item, to resume after it.
func keyOf(attrs []string, item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	key := make(map[string]types.AttributeValue, len(attrs))
	for _, a := range attrs {
		av, ok := item[a]
		if !ok {
			return nil, fmt.Errorf("item has no key attribute %q to resume after", a)
		}
		key[a] = av
	}
	return key, nil
}

// count sums the matching items of every page.
func (q *querySpec) count(ctx context.Context) (int, error) {
	in := *q.params(nil, 0)
	in.Select = types.SelectCount
	in.ProjectionExpression = nil
	if len(q.project) > 0 {
		// The names of the projection are no longer used; DynamoDB rejects
		// unused names, so rebuild without them.
		kc := expression.Key(q.g.pkAttr).Equal(expression.Value(q.pk))
		if c, ok := q.sk.condition(q.g.skAttr, q.sk.a, q.sk.b); ok {
			kc = kc.And(c)
		}
		now := expression.Value(epochValue(q.t.epoch()))
		expr, err := expression.NewBuilder().WithKeyCondition(kc).WithFilter(q.readFilter(now)).Build()
		if err != nil {
			return 0, q.wrap(err)
		}
		in.KeyConditionExpression = expr.KeyCondition()
		in.FilterExpression = expr.Filter()
		in.ExpressionAttributeNames = expr.Names()
		in.ExpressionAttributeValues = expr.Values()
	}
	n := 0
	for {
		out, err := q.t.client.Query(ctx, &in)
		if err != nil {
			return n, q.wrap(err)
		}
		n += int(out.Count)
		if len(out.LastEvaluatedKey) == 0 {
			return n, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

func (q *querySpec) wrap(err error) error {
	return &QueryError{Op: q.op, Entity: q.ident, Index: q.g.name, Err: err}
}

// itemErr reports an item of entity s that did not decode.
func (q *querySpec) itemErr(s *schema, item map[string]types.AttributeValue, err error) error {
	return &QueryError{Op: q.op, Entity: q.ident, Index: q.g.name, Key: q.t.keyOfItem(item), Err: fmt.Errorf("decode %s: %w", s.name, err)}
}
