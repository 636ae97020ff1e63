package tablemap

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/engine"
)

// A Get reads one item by its key. Make one with Entity.Get, add options,
// then Run it (or read its Params). It keeps the first error an option
// meets and returns it from Run or Params.
type Get[T any] struct {
	e          *Entity[T]
	key        T
	consistent bool
	project    []string
	expiredOK  bool // IncludeExpired
	err        error

	built   bool
	in      *dynamodb.GetItemInput
	k       Key
	ttlOnly bool // the projection reads the ttl attribute only to check expiry
}

// Get returns a Get of the item whose key fields are those of key (its
// other fields are ignored).
func (e *Entity[T]) Get(key T) *Get[T] {
	return &Get[T]{e: e, key: key}
}

// Consistent makes the read strongly consistent.
func (op *Get[T]) Consistent() *Get[T] {
	op.consistent = true
	return op
}

// IncludeExpired returns the item even when its ttl has passed (see
// Entity); by default an expired item is ErrNotFound, in a ReadTx too.
func (op *Get[T]) IncludeExpired() *Get[T] {
	op.expiredOK = true
	return op
}

// Project reads only the named attributes (top-level attribute names of the
// entity); the result's other fields are zero, except its table key fields,
// which are those of the key value. An unknown attribute is an error. An
// encrypted attribute brings the table's key attributes into the
// projection: its value is bound to them.
func (op *Get[T]) Project(attrs ...string) *Get[T] {
	if err := op.e.s.CheckProject(attrs); err != nil && op.err == nil {
		op.err = &ItemError{Op: "Get", Entity: op.e.s.Name, Err: err}
	}
	op.project = append(op.project, attrs...)
	return op
}

// Params returns the GetItem request Run sends, without sending it.
func (op *Get[T]) Params() (*dynamodb.GetItemInput, error) {
	op.build()
	return op.in, op.err
}

// Run reads the item. No item at the key is ErrNotFound, as is an item of
// another entity type and an expired item (unless IncludeExpired).
func (op *Get[T]) Run(ctx context.Context) (T, error) {
	in, err := op.Params()
	if err != nil {
		var zero T
		return zero, err
	}
	out, err := op.e.s.Table.Client.GetItem(ctx, in)
	if err != nil {
		var zero T
		return zero, &ItemError{Op: "Get", Entity: op.e.s.Name, Key: op.k, Err: err}
	}
	return op.decodeResult(ctx, out.Item)
}

func (op *Get[T]) build() {
	if op.built {
		return
	}
	op.built = true
	s := op.e.s
	t := s.Table
	k, err := s.Key(unsafe.Pointer(&op.key))
	op.k = k
	if op.err != nil {
		if ie := (*ItemError)(nil); errors.As(op.err, &ie) {
			ie.Key = k
		}
		return
	}
	if err != nil {
		op.err = engine.ItemErr("Get", s, k, err)
		return
	}
	in := &dynamodb.GetItemInput{TableName: aws.String(t.Name), Key: t.KeyItem(k)}
	if op.consistent {
		in.ConsistentRead = aws.Bool(true)
	}
	if len(op.project) > 0 {
		var keys []string
		if s.ProjectsEncrypted(op.project) {
			keys = []string{t.PK, t.SK}
		}
		attrs := op.project
		if s.TTL != nil && !op.expiredOK && !slices.Contains(attrs, s.TTL.Name) {
			attrs = append(slices.Clip(attrs), s.TTL.Name)
			op.ttlOnly = true
		}
		expr, err := expression.NewBuilder().WithProjection(t.Projection(keys, attrs)).Build()
		if err != nil {
			op.err = &ItemError{Op: "Get", Entity: s.Name, Key: k, Err: err}
			return
		}
		in.ProjectionExpression = expr.Projection()
		in.ExpressionAttributeNames = expr.Names()
	}
	op.in = in
}

// decodeResult decodes the item a GetItem (or a transaction's get)
// returned; ctx is for decrypting.
func (op *Get[T]) decodeResult(ctx context.Context, item map[string]types.AttributeValue) (T, error) {
	var v T
	s := op.e.s
	if len(item) == 0 {
		return v, &ItemError{Op: "Get", Entity: s.Name, Key: op.k, Kind: ErrNotFound}
	}
	if typ := s.Table.TypeOf(item); typ != s.Name {
		return v, &ItemError{Op: "Get", Entity: s.Name, Key: op.k, Kind: ErrNotFound,
			Err: fmt.Errorf("the item at the key is of entity type %q", typ)}
	}
	if !op.expiredOK && s.ExpiredAt(item, s.Table.Epoch()) {
		return v, &ItemError{Op: "Get", Entity: s.Name, Key: op.k, Kind: ErrNotFound, Err: s.ExpiredNote(item)}
	}
	if op.ttlOnly {
		delete(item, s.TTL.Name)
	}
	p := unsafe.Pointer(&v)
	if err := s.DecodeInto(ctx, item, p); err != nil {
		return v, &ItemError{Op: "Get", Entity: s.Name, Key: op.k, Err: err}
	}
	if len(op.project) > 0 {
		kp := unsafe.Pointer(&op.key)
		for _, f := range s.Primary.Fields() {
			f.Value(p).Set(f.Value(kp))
		}
	}
	return v, nil
}

// txGetItem returns the Get as an item of a TransactGetItems request;
// decode what it returns with decodeResult.
func (op *Get[T]) txGetItem() (types.TransactGetItem, error) {
	in, err := op.Params()
	if err != nil {
		return types.TransactGetItem{}, err
	}
	return types.TransactGetItem{Get: &types.Get{
		TableName:                in.TableName,
		Key:                      in.Key,
		ProjectionExpression:     in.ProjectionExpression,
		ExpressionAttributeNames: in.ExpressionAttributeNames,
	}}, nil
}
