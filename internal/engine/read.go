package engine

import (
	"fmt"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ReadOptions are the options of a read as its builder sets them: a Query,
// a Scan, a collection or (Consistent, Project and ExpiredOK only) a Get.
// A new read option is a field here, read where the request is built
// (request, Shape) or run (read_loop.go).
type ReadOptions struct {
	Index      string                       // "" for the table
	Filter     *expression.ConditionBuilder // the caller's, ANDed
	Project    []string                     // top-level attributes; nil: all
	Desc       bool                         // descending sort key order (queries)
	Consistent bool
	ExpiredOK  bool     // no expiry filter (see ttl.go); by the other bools, to pack them
	Kind       ReadKind // set by the read's constructor, and by a builder for its errors; by the bools, to pack it
	Limit      int      // items to return; 0: no limit
	Segments   int      // parallel scan segments; 0 or 1: one
}

// A ReadKind is what a read is: a query, a scan or a collection. (A byte,
// not the name: reads and the builders holding them stay small.)
type ReadKind uint8

const (
	KindQuery ReadKind = iota + 1
	KindScan
	KindCollection
)

// String returns the name of the kind, as errors show it.
func (k ReadKind) String() string {
	switch k {
	case KindScan:
		return "Scan"
	case KindCollection:
		return "Collection"
	}
	return "Query"
}

// A Read is the type-erased, built form of a query, a scan or a
// collection: what it sends and how it reads responses. It is immutable
// once built, so terminal calls may share it concurrently.
type Read struct {
	T *Table
	G *Index
	ReadOptions

	PK string // the partition (queries and collections; "" for a scan)
	SK SkKey  // KeyAny: the whole partition

	one    [1]*Schema      // the (first) entity: Types of a single entity's read, without a slice of its own
	plan   *collectionPlan // a collection's entities and name; nil for a single entity's read
	filter userFilter      // the caller's Filter read by expr.UserCond
	shape  *QueryShape
	// items is the request reading items, built on first use from shape:
	// a read built for Params alone never builds it. Pointers, not
	// sync.Once and room, keep a read small: a builder holds its first
	// read (concurrent first uses may build it twice, and keep one).
	items atomic.Pointer[request]
	// counting is the request counting items (see count), when it
	// differs from items; most reads never count.
	counting atomic.Pointer[request]
}

// A request is a read's request without start key, limit and segment.
type request struct {
	query *dynamodb.QueryInput
	scan  *dynamodb.ScanInput
	now   string // the placeholder of the expiry filter's now, set per request
	err   error  // why a counting request did not build
}

// Types returns the entities whose items the read returns.
func (r *Read) Types() []*Schema {
	if r.plan != nil {
		return r.plan.schemas
	}
	return r.one[:]
}

// Ident returns the read's entity name, or the collection's names.
func (r *Read) Ident() string {
	if r.plan != nil {
		return r.plan.ident
	}
	return r.one[0].Name
}

// keyAttrs returns the key attributes a cursor holds (see KeyAttrs).
func (r *Read) keyAttrs() []string { return KeyAttrs(r.T, r.G) }

// IsScan reports whether the read is a Scan.
func (r *Read) IsScan() bool { return r.Kind == KindScan }

// newReadIn makes r the read of kind of the items of s, or of a
// collection's entities (s the first) with its plan, on the index its
// options name, s's, before its partition is set; errors are the read's.
// Only r's options are kept: a read whose build failed may be built again
// in place.
func newReadIn(r *Read, kind ReadKind, s *Schema, plan *collectionPlan) (*Read, error) {
	o := r.ReadOptions
	o.Kind = kind
	*r = Read{T: s.Table, ReadOptions: o, one: [1]*Schema{s}, plan: plan}
	if r.G = s.IndexNamed(o.Index); r.G == nil {
		return nil, r.Wrap(fmt.Errorf("%w: entity %s has no index %q", ErrInvalidKey, s.Name, o.Index))
	}
	if o.Consistent && r.G.Name != "" && !r.G.Local {
		return nil, r.Wrap(fmt.Errorf("index %s is a global secondary index, which has no consistent reads", r.G.Name))
	}
	return r, nil
}

// finish builds the read's requests from its fields.
func (r *Read) finish() error {
	r.filter.readFrom(r.Filter)
	shape, err := r.Shape(false)
	if err != nil {
		return r.Wrap(err)
	}
	r.shape = shape
	return nil
}

// itemsRequest returns the request reading the read's items.
func (r *Read) itemsRequest() request {
	if q := r.items.Load(); q != nil {
		return *q
	}
	q := r.request(r.shape)
	if !r.items.CompareAndSwap(nil, q) {
		q = r.items.Load()
	}
	return *q
}

// count returns the request counting the read's items (Select COUNT),
// built on first use: most reads never count, and the shape of a filtered
// read whose filter takes the old way is not cached.
func (r *Read) count() (request, error) {
	if len(r.Project) == 0 {
		return r.itemsRequest(), nil
	}
	c := r.counting.Load()
	if c == nil {
		// A count projects nothing, and DynamoDB refuses unused names.
		if shape, err := r.Shape(true); err != nil {
			c = &request{err: r.Wrap(err)}
		} else {
			c = r.request(shape)
		}
		if !r.counting.CompareAndSwap(nil, c) {
			c = r.counting.Load()
		}
	}
	return *c, c.err
}

// request returns the request of a shape, its key values set; the
// request and its input are one allocation.
func (r *Read) request(shape *QueryShape) *request {
	if r.IsScan() {
		c := new(struct {
			req request
			in  dynamodb.ScanInput
		})
		r.scanInto(&c.in, shape, aws.String(r.T.Name), nil)
		c.req = request{now: shape.Now, scan: &c.in}
		return &c.req
	}
	c := new(struct {
		req request
		in  dynamodb.QueryInput
	})
	r.queryInto(&c.in, shape, aws.String(r.T.Name), nil)
	c.req = request{now: shape.Now, query: &c.in}
	return &c.req
}

// queryInto sets the fields of the Query request of a shape in in, its
// key values set, with table the table's name. The names map and the
// values but the key's are the shape's and the read's, shared read-only by
// every request of the shape or read: QueryInput, which hands a request to
// a caller, copies the names and passes room for copies of the values.
func (r *Read) queryInto(in *dynamodb.QueryInput, shape *QueryShape, table *string, room *valueRoom) {
	*in = dynamodb.QueryInput{
		TableName: table, IndexName: r.indexName(), ConsistentRead: r.consistent(),
		KeyConditionExpression: shape.KeyCond, FilterExpression: shape.Filter, ProjectionExpression: shape.Projection,
		ExpressionAttributeNames: shape.Names, ExpressionAttributeValues: r.values(shape, room),
	}
	if r.Desc {
		in.ScanIndexForward = aws.Bool(false)
	}
}

// scanInto is queryInto of a Scan request.
func (r *Read) scanInto(in *dynamodb.ScanInput, shape *QueryShape, table *string, room *valueRoom) {
	*in = dynamodb.ScanInput{
		TableName: table, IndexName: r.indexName(), ConsistentRead: r.consistent(),
		FilterExpression: shape.Filter, ProjectionExpression: shape.Projection,
		ExpressionAttributeNames: shape.Names, ExpressionAttributeValues: r.values(shape, room),
	}
}

// values returns the values map of a request of shape. With room, the
// shape's values and the filter's are copies (see valueRoom), else
// shared.
func (r *Read) values(shape *QueryShape, room *valueRoom) map[string]types.AttributeValue {
	values := make(map[string]types.AttributeValue, len(shape.values)+3+len(shape.User))
	for _, pv := range shape.values {
		values[pv.ph] = room.own(pv.v)
	}
	for i, ph := range shape.User {
		values[ph] = room.own(r.filter.values[i])
	}
	for i, operand := range [...]string{r.PK, r.SK.A, r.SK.B} {
		if ph := shape.Slots[i]; ph != "" {
			values[ph] = room.key(r.operandType(i), operand)
		}
	}
	if shape.Now != "" {
		values[shape.Now] = NumberValue(r.T.Epoch())
	}
	return values
}

func (r *Read) indexName() *string {
	if r.G.Name == "" {
		return nil
	}
	return aws.String(r.G.Name)
}

func (r *Read) consistent() *bool {
	if !r.Consistent {
		return nil
	}
	return aws.Bool(true)
}

// operandType returns the declared type of the attribute of key operand
// i (0 the partition key, 1 and 2 the sort key's).
func (r *Read) operandType(i int) types.ScalarAttributeType {
	if i == 0 {
		return r.T.AttrType(r.G.PKAttr)
	}
	return r.T.AttrType(r.G.SKAttr)
}

// QueryInput returns the Query request of the page starting after start,
// asking for at most limit items (0: no limit), for Params: a request of
// its own, the caller's to change, its names map a copy of the shape's.
func (r *Read) QueryInput(start map[string]types.AttributeValue, limit int) *dynamodb.QueryInput {
	// The input and its strings (the table's name, the shape's
	// expressions) are one allocation.
	c := new(struct {
		in dynamodb.QueryInput
		s  [4]string
		v  valueRoom
	})
	in := &c.in
	r.queryInto(in, r.shape, &r.T.Name, &c.v)
	in.ExclusiveStartKey, in.Limit = start, PageLimit(limit)
	own(&in.ExpressionAttributeNames, c.s[:], &in.TableName, &in.KeyConditionExpression, &in.FilterExpression, &in.ProjectionExpression)
	return in
}

// ScanInput returns the Scan request of segment seg's page starting after
// start, asking for at most limit items (0: no limit), for Params: a
// request of its own, as QueryInput.
func (r *Read) ScanInput(seg int, start map[string]types.AttributeValue, limit int) *dynamodb.ScanInput {
	c := new(struct {
		in dynamodb.ScanInput
		s  [3]string
		v  valueRoom
	})
	in := &c.in
	r.scanInto(in, r.shape, &r.T.Name, &c.v)
	in.ExclusiveStartKey, in.Limit = start, PageLimit(limit)
	own(&in.ExpressionAttributeNames, c.s[:], &in.TableName, &in.FilterExpression, &in.ProjectionExpression)
	r.setSegment(in, seg)
	return in
}

// queryInput and scanInput return a copy of the request, for the page
// starting after start, with the expiry filter's now set anew.
func (q request) queryInput(t *Table, start map[string]types.AttributeValue, limit int) *dynamodb.QueryInput {
	in := *q.query
	in.ExclusiveStartKey, in.Limit = start, PageLimit(limit)
	if q.now != "" {
		in.ExpressionAttributeValues = WithNow(in.ExpressionAttributeValues, q.now, t.Epoch())
	}
	return &in
}

func (q request) scanInput(r *Read, seg int, start map[string]types.AttributeValue, limit int) *dynamodb.ScanInput {
	in := *q.scan
	in.ExclusiveStartKey, in.Limit = start, PageLimit(limit)
	if q.now != "" {
		in.ExpressionAttributeValues = WithNow(in.ExpressionAttributeValues, q.now, r.T.Epoch())
	}
	r.setSegment(&in, seg)
	return &in
}

// setSegment makes in the request of segment seg of a parallel scan.
func (r *Read) setSegment(in *dynamodb.ScanInput, seg int) {
	if r.Segments > 1 {
		in.Segment, in.TotalSegments = aws.Int32(int32(seg)), aws.Int32(int32(r.Segments))
	}
}

// PageLimit returns the Limit of a request for at most limit items (0: no
// limit).
func PageLimit(limit int) *int32 {
	if limit <= 0 {
		return nil
	}
	return aws.Int32(int32(min(limit, 1<<31-1)))
}

// A Built is a read built from a builder's options, built again when they
// change: builders count their option calls, and a read built at another
// count is stale.
type Built struct {
	seen uint64 // 1 + the option count read and err were built at; 0: not built
	read *Read
	err  error
}

// Get returns the read built from the options at count v, with build
// unless it is built at v already.
func (b *Built) Get(v uint64, build func() (*Read, error)) (*Read, error) {
	if b.seen != v+1 {
		b.read, b.err = build()
		b.seen = v + 1
	}
	return b.read, b.err
}

// Holds reports whether r was built without error: it may then be in use
// (pages of it read), so its options must not change.
func (b *Built) Holds(r *Read) bool { return b.read == r && b.err == nil }

// Wrap reports err as the read's error.
func (r *Read) Wrap(err error) error {
	return &QueryError{Op: r.Kind.String(), Entity: r.Ident(), Index: r.Index, Err: err}
}

// ItemErr reports an item of entity s that did not decode.
func (r *Read) ItemErr(s *Schema, item map[string]types.AttributeValue, err error) error {
	k, _ := r.T.ItemKey(item)
	return &QueryError{Op: r.Kind.String(), Entity: r.Ident(), Index: r.Index, Key: k, Err: fmt.Errorf("decode %s: %w", s.Name, err)}
}
