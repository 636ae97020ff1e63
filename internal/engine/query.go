package engine

import (
	"context"
	"fmt"
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

// SkOp is a sort key comparison.
type SkOp int

const (
	SkEqual SkOp = iota + 1
	SkLess
	SkLessOrEqual
	SkGreater
	SkGreaterOrEqual
	SkBetween
	SkBeginsWith
)

// CheckSKSize refuses sort key operands over MaxSortKeyBytes, which
// DynamoDB would refuse too.
func (q *QuerySpec) CheckSKSize() error {
	if q.G.SK == nil {
		return nil
	}
	for _, operand := range [...]string{q.SK.A, q.SK.B} {
		if err := CheckKeySize(q.G.SK.Tag+" condition", operand, MaxSortKeyBytes); err != nil {
			return err
		}
	}
	return nil
}

// A keyOp is a comparison of a key condition on the sort key.
type KeyOp int

const (
	KeyAny KeyOp = iota // no condition
	KeyEqual
	KeyBeginsWith
	KeyLess
	KeyLessOrEqual
	KeyGreater
	KeyGreaterOrEqual
	KeyBetween
)

// An skKey is a key condition on the sort key: a comparison with a (and b
// for between).
type SkKey struct {
	Op   KeyOp
	A, B string
}

// Condition returns the key condition on attr, comparing with a and b
// (which replace k's operands, for building with placeholders).
func (k SkKey) Condition(attr, a, b string) (expression.KeyConditionBuilder, bool) {
	key := expression.Key(attr)
	switch k.Op {
	case KeyEqual:
		return key.Equal(expression.Value(a)), true
	case KeyBeginsWith:
		return key.BeginsWith(a), true
	case KeyLess:
		return key.LessThan(expression.Value(a)), true
	case KeyLessOrEqual:
		return key.LessThanEqual(expression.Value(a)), true
	case KeyGreater:
		return key.GreaterThan(expression.Value(a)), true
	case KeyGreaterOrEqual:
		return key.GreaterThanEqual(expression.Value(a)), true
	case KeyBetween:
		return key.Between(expression.Value(a), expression.Value(b)), true
	}
	return expression.KeyConditionBuilder{}, false
}

// SkCondition returns the key condition of a sort key comparison with the
// values at a and b (b only for between).
func (g *Index) SkCondition(op SkOp, a, b unsafe.Pointer) (SkKey, error) {
	lo, err := g.SkBound(a)
	if err != nil {
		return SkKey{}, err
	}
	switch op {
	case SkEqual:
		if lo.Complete {
			return SkKey{Op: KeyEqual, A: lo.Prefix}, nil
		}
		return SkKey{Op: KeyBeginsWith, A: lo.Prefix}, nil
	case SkLess:
		return SkKey{Op: KeyLess, A: lo.Prefix}, nil
	case SkLessOrEqual:
		if lo.Complete {
			return SkKey{Op: KeyLessOrEqual, A: lo.Prefix}, nil
		}
		return SkKey{Op: KeyLess, A: lo.After()}, nil
	case SkGreater:
		if lo.Complete {
			return SkKey{Op: KeyGreater, A: lo.Prefix}, nil
		}
		return SkKey{Op: KeyGreaterOrEqual, A: lo.After()}, nil
	case SkGreaterOrEqual:
		return SkKey{Op: KeyGreaterOrEqual, A: lo.Prefix}, nil
	case SkBetween:
		hi, err := g.SkBound(b)
		if err != nil {
			return SkKey{}, err
		}
		upper := hi.Prefix
		if !hi.Complete {
			upper = hi.After()
		}
		if upper < lo.Prefix {
			return SkKey{}, fmt.Errorf("sort key range is empty: lower bound %s is above upper bound %s", keys.Quote(lo.Prefix), keys.Quote(upper))
		}
		return SkKey{Op: KeyBetween, A: lo.Prefix, B: upper}, nil
	case SkBeginsWith:
		return SkKey{Op: KeyBeginsWith, A: lo.Begins}, nil
	}
	return SkKey{}, fmt.Errorf("unknown sort key comparison %d", op)
}

// An skBound is the sort key of a value's leading sort key fields.
type SkBound struct {
	Prefix   string // the key prefix of the fields, ending on a field boundary
	Begins   string // the same without the literal text after the last field
	Complete bool   // every field is set: prefix is a full key
}

// After returns the least string above every string that starts with the
// bound's prefix. A partial prefix ends with literal text that starts with
// the delimiter, which no encoded value holds, so no key of the template is
// that string itself.
func (b SkBound) After() string {
	return b.Prefix[:len(b.Prefix)-1] + string(b.Prefix[len(b.Prefix)-1]+1)
}

func (g *Index) SkBound(p unsafe.Pointer) (SkBound, error) {
	k := g.SK
	vals, err := k.Values(p, BoundFields)
	if err != nil {
		return SkBound{}, err
	}
	if len(vals) == 0 && len(k.Fields) > 0 {
		return SkBound{}, fmt.Errorf("%w: %s: the sort key condition's value sets no sort key field (the first is %q)", ErrInvalidKey, k.Tag, k.Fields[0].Name)
	}
	b := SkBound{Prefix: k.Tmpl.Prefix(vals), Complete: len(vals) == len(k.Fields)}
	b.Begins = b.Prefix
	if n := len(vals); n > 0 {
		b.Begins = k.Tmpl.Prefix(vals[:n-1]) + vals[n-1]
	}
	if !b.Complete {
		if last := b.Prefix[len(b.Prefix)-1]; last >= 0x7f {
			return SkBound{}, fmt.Errorf("%s: cannot compare a partial sort key ending in byte %#x; set every sort key field", k.Tag, last)
		}
	}
	return b, nil
}

// CheckProject returns an error naming the first of attrs that is not a
// top-level attribute of the entity, for Project.
func (s *Schema) CheckProject(attrs []string) error {
	for _, a := range attrs {
		if s.Codec.Field(a) == nil {
			return fmt.Errorf("project: %s has no attribute %q", s.Name, a)
		}
	}
	return nil
}

// Projection returns the projection of a read of attrs: the type attribute
// (to check each item's entity), then the key attributes keys, then attrs.
func (t *Table) Projection(keys, attrs []string) expression.ProjectionBuilder {
	proj := expression.NamesList(expression.Name(t.TypeAttr))
	for _, a := range keys {
		proj = proj.AddNames(expression.Name(a))
	}
	for _, a := range attrs {
		proj = proj.AddNames(expression.Name(a))
	}
	return proj
}

// FillKey sets the table key fields of the value at p from item's table
// key attributes, for items read with a projection.
func (s *Schema) FillKey(item map[string]types.AttributeValue, p unsafe.Pointer) error {
	t := s.Table
	for _, part := range []struct {
		k    *KeyPart
		attr string
	}{{s.Primary.PK, t.PK}, {s.Primary.SK, t.SK}} {
		av, ok := item[part.attr].(*types.AttributeValueMemberS)
		if !ok {
			return fmt.Errorf("item has no string attribute %q", part.attr)
		}
		if err := part.k.Parse(av.Value, p); err != nil {
			return err
		}
	}
	return nil
}

// QuerySpec is the type-erased, built form of a query or collection: what
// it sends and how it reads responses.
type QuerySpec struct {
	T          *Table
	Op         string    // "Query" or "Collection", for errors
	Ident      string    // entity name, or the collection's names: cursors carry it
	Types      []*Schema // the entities whose items it returns
	G          *Index
	PK         string
	SK         SkKey // keyAny: the whole partition
	ExplicitSK bool
	Filter     *expression.ConditionBuilder
	Project    []string
	Desc       bool
	Consistent bool
	Limit      int
	ExpiredOK  bool // no expiry filter (see ttl.go)

	In       *dynamodb.QueryInput // without start key and limit
	KeyAttrs []string             // the key attributes a cursor holds
	NowSlot  string               // the placeholder of the expiry filter's now, set per request
	Scope    string               // the digest of the key condition and order a cursor holds
}

// Finish builds the request from the spec.
func (q *QuerySpec) Finish() error {
	t := q.T
	q.KeyAttrs = KeyAttrs(t, q.G)
	q.Scope = CursorScope(q.PK, q.SK, q.Desc)
	shape, err := q.Shape()
	if err != nil {
		return err
	}
	values := make(map[string]types.AttributeValue, len(shape.Values)+3)
	for ph, v := range shape.Values {
		values[ph] = v
	}
	for i, operand := range [...]string{q.PK, q.SK.A, q.SK.B} {
		if ph := shape.Slots[i]; ph != "" {
			values[ph] = &types.AttributeValueMemberS{Value: operand}
		}
	}
	if q.NowSlot = shape.Now; q.NowSlot != "" {
		values[q.NowSlot] = EpochValue(t.Epoch())
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(t.Name),
		KeyConditionExpression:    shape.KeyCond,
		FilterExpression:          shape.Filter,
		ProjectionExpression:      shape.Projection,
		ExpressionAttributeNames:  maps.Clone(shape.Names),
		ExpressionAttributeValues: values,
	}
	if q.G.Name != "" {
		in.IndexName = aws.String(q.G.Name)
	}
	if q.Desc {
		in.ScanIndexForward = aws.Bool(false)
	}
	if q.Consistent {
		in.ConsistentRead = aws.Bool(true)
	}
	q.In = in
	return nil
}

// A queryShape is the built expressions of a query, with placeholders for
// its key values: queries that differ only in those values share one, so
// the expression builder runs once per shape, not once per query.
type QueryShape struct {
	KeyCond, Filter, Projection *string
	Names                       map[string]string
	Values                      map[string]types.AttributeValue // the values that are not key values
	Slots                       [3]string                       // placeholders of the partition key and the sort key operands a and b
	Now                         string                          // placeholder of the expiry filter's now, "" if none
}

// A shapeKey is what a query's shape depends on. A user's filter is not in
// it: queries with a filter build their own expressions.
type ShapeKey struct {
	G       *Index
	Op      KeyOp
	Ident   string // the entity types
	Project string
	Expiry  bool // the filter hides expired items
}

// OperandMark is the value a key operand has while its shape is built, to
// find its placeholder.
const OperandMark = "\x00tablemap key operand "

// Shape returns the query's expressions, from the table's cache when the
// query has no filter of its own.
func (q *QuerySpec) Shape() (*QueryShape, error) {
	t := q.T
	cacheable := q.Filter == nil
	key := ShapeKey{G: q.G, Op: q.SK.Op, Ident: q.Ident, Project: strings.Join(q.Project, "\x00"), Expiry: !q.ExpiredOK}
	if cacheable {
		if s, ok := t.QueryShapes.Load(key); ok {
			return s.(*QueryShape), nil
		}
	}
	operands := [...]string{q.PK, q.SK.A, q.SK.B}
	if cacheable {
		for i := range operands {
			operands[i] = OperandMark + strconv.Itoa(i)
		}
	}
	kc := expression.Key(q.G.PKAttr).Equal(expression.Value(operands[0]))
	if c, ok := q.SK.Condition(q.G.SKAttr, operands[1], operands[2]); ok {
		kc = kc.And(c)
	}
	b := expression.NewBuilder().WithKeyCondition(kc).WithFilter(q.ReadFilter(expression.Value(NowMark)))
	if len(q.Project) > 0 {
		b = b.WithProjection(t.Projection(q.KeyAttrs, q.Project))
	}
	expr, err := b.Build()
	if err != nil {
		return nil, err
	}
	if !cacheable {
		if err := CheckCondition(t, q.Types, "the filter", expr.Filter(), expr.Names(), expr.Values()); err != nil {
			return nil, err
		}
	}
	s := &QueryShape{
		KeyCond: expr.KeyCondition(), Filter: expr.Filter(), Projection: expr.Projection(),
		Names: expr.Names(), Values: expr.Values(),
	}
	if s.Now = NowSlot(s.Values); s.Now != "" {
		delete(s.Values, s.Now)
	}
	if !cacheable {
		return s, nil
	}
	for ph, v := range s.Values {
		if sv, ok := v.(*types.AttributeValueMemberS); ok && strings.HasPrefix(sv.Value, OperandMark) {
			i, _ := strconv.Atoi(strings.TrimPrefix(sv.Value, OperandMark))
			s.Slots[i] = ph
			delete(s.Values, ph)
		}
	}
	actual, _ := t.QueryShapes.LoadOrStore(key, s)
	return actual.(*QueryShape), nil
}

// ReadFilter is the query's filter: its entity types, the expiry rule
// comparing with now, and the user's filter (see the function readFilter).
func (q *QuerySpec) ReadFilter(now expression.OperandBuilder) expression.ConditionBuilder {
	return ReadFilter(q.T, q.Types, q.ExpiredOK, now, q.Filter)
}

func TypeFilter(t *Table, schemas []*Schema, user *expression.ConditionBuilder) expression.ConditionBuilder {
	name := expression.Name(t.TypeAttr)
	var c expression.ConditionBuilder
	if len(schemas) == 1 {
		c = name.Equal(expression.Value(schemas[0].Name))
	} else {
		vals := make([]expression.OperandBuilder, len(schemas))
		for i, s := range schemas {
			vals[i] = expression.Value(s.Name)
		}
		c = name.In(vals[0], vals[1:]...)
	}
	if user != nil {
		c = expression.And(c, *user)
	}
	return c
}

// KeyAttrs returns the key attributes of items read from index g: the
// table's key, and the index's.
func KeyAttrs(t *Table, g *Index) []string {
	attrs := []string{t.PK, t.SK}
	if g.Name != "" && g.Name != InvertedIndex {
		attrs = append(attrs, g.PKAttr)
		if g.SK != nil {
			attrs = append(attrs, g.SKAttr)
		}
	}
	return attrs
}

// Params returns the request starting after start, reading at most limit
// items (0: no limit).
func (q *QuerySpec) Params(start map[string]types.AttributeValue, limit int) *dynamodb.QueryInput {
	in := *q.In
	in.ExclusiveStartKey, in.Limit = start, PageLimit(limit)
	in.ExpressionAttributeValues = WithNow(in.ExpressionAttributeValues, q.NowSlot, q.T.Epoch())
	return &in
}

// PageLimit returns the Limit of a request for at most limit items (0: no
// limit).
func PageLimit(limit int) *int32 {
	if limit <= 0 {
		return nil
	}
	return aws.Int32(int32(min(limit, 1<<31-1)))
}

// Run reads the query's items (see readItems).
func (q *QuerySpec) Run(ctx context.Context, start map[string]types.AttributeValue, want int, onePage bool, each func(item map[string]types.AttributeValue, typ int) (bool, error)) (map[string]types.AttributeValue, error) {
	return ReadItems(ctx, q, start, want, onePage, each)
}

func (q *QuerySpec) Fetch(ctx context.Context, start map[string]types.AttributeValue, limit int) (Response, error) {
	out, err := q.T.Client.Query(ctx, q.Params(start, limit))
	if err != nil {
		return Response{}, q.Wrap(err)
	}
	return Response{Items: out.Items, Last: out.LastEvaluatedKey, Filtered: out.Count < out.ScannedCount}, nil
}

func (q *QuerySpec) TypeIndex(item map[string]types.AttributeValue) int {
	return TypeIndex(q.T, q.Types, item)
}

func (q *QuerySpec) KeyOf(item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	key, err := KeyOf(q.KeyAttrs, item)
	if err != nil {
		return nil, q.Wrap(err)
	}
	return key, nil
}

// A source is a paged read: a query, or a segment of a scan.
type Source interface {
	// Fetch returns the response of one request starting after start,
	// asking for at most limit items (0: no limit).
	Fetch(ctx context.Context, start map[string]types.AttributeValue, limit int) (Response, error)
	// TypeIndex returns the position of item's entity among those the read
	// returns, or -1.
	TypeIndex(item map[string]types.AttributeValue) int
	// KeyOf returns the key attributes to resume after item.
	KeyOf(item map[string]types.AttributeValue) (map[string]types.AttributeValue, error)
}

// A response is one page DynamoDB returned.
type Response struct {
	Items    []map[string]types.AttributeValue
	Last     map[string]types.AttributeValue // LastEvaluatedKey
	Filtered bool                            // the filter dropped items
}

// ReadItems reads src's items, starting after start, and hands each item
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
func ReadItems(ctx context.Context, src Source, start map[string]types.AttributeValue, want int, onePage bool, each func(item map[string]types.AttributeValue, typ int) (bool, error)) (map[string]types.AttributeValue, error) {
	handed, ask := 0, want
	for {
		out, err := src.Fetch(ctx, start, ask)
		if err != nil {
			return nil, err
		}
		for i, item := range out.Items {
			typ := src.TypeIndex(item)
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
				if i == len(out.Items)-1 {
					return out.Last, nil
				}
				return src.KeyOf(item)
			}
		}
		if len(out.Last) == 0 || onePage && want == 0 && handed > 0 {
			return out.Last, nil
		}
		start = out.Last
		if want > 0 {
			prev := ask
			ask = want - handed
			if out.Filtered {
				// The filter dropped items: ask for more than needed and
				// stop inside the response if it returns too many.
				ask = max(ask, 4*prev)
			}
		}
	}
}

// TypeIndex returns the position of item's entity type among types, or -1.
func TypeIndex(t *Table, schemas []*Schema, item map[string]types.AttributeValue) int {
	typ := t.TypeOf(item)
	for i, s := range schemas {
		if s.Name == typ {
			return i
		}
	}
	return -1
}

// KeyOf returns the key attributes attrs of an item, to resume after it.
func KeyOf(attrs []string, item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
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

// Count sums the matching items of every page.
func (q *QuerySpec) Count(ctx context.Context) (int, error) {
	in := *q.Params(nil, 0)
	in.Select = types.SelectCount
	in.ProjectionExpression = nil
	if len(q.Project) > 0 {
		// The names of the projection are no longer used; DynamoDB rejects
		// unused names, so rebuild without them.
		kc := expression.Key(q.G.PKAttr).Equal(expression.Value(q.PK))
		if c, ok := q.SK.Condition(q.G.SKAttr, q.SK.A, q.SK.B); ok {
			kc = kc.And(c)
		}
		now := expression.Value(EpochValue(q.T.Epoch()))
		expr, err := expression.NewBuilder().WithKeyCondition(kc).WithFilter(q.ReadFilter(now)).Build()
		if err != nil {
			return 0, q.Wrap(err)
		}
		in.KeyConditionExpression = expr.KeyCondition()
		in.FilterExpression = expr.Filter()
		in.ExpressionAttributeNames = expr.Names()
		in.ExpressionAttributeValues = expr.Values()
	}
	n := 0
	for {
		out, err := q.T.Client.Query(ctx, &in)
		if err != nil {
			return n, q.Wrap(err)
		}
		n += int(out.Count)
		if len(out.LastEvaluatedKey) == 0 {
			return n, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

func (q *QuerySpec) Wrap(err error) error {
	return &QueryError{Op: q.Op, Entity: q.Ident, Index: q.G.Name, Err: err}
}

// ItemErr reports an item of entity s that did not decode.
func (q *QuerySpec) ItemErr(s *Schema, item map[string]types.AttributeValue, err error) error {
	k, _ := q.T.ItemKey(item)
	return &QueryError{Op: q.Op, Entity: q.Ident, Index: q.G.Name, Key: k, Err: fmt.Errorf("decode %s: %w", s.Name, err)}
}
