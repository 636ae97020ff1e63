package engine

import (
	"context"
	"fmt"
	"slices"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A GetRead is the built form of a Get: the GetItem request of one item
// and how to check what it returns.
type GetRead struct {
	S       *Schema
	Key     Key
	In      *dynamodb.GetItemInput
	Opts    ReadOptions // Consistent, Project and ExpiredOK
	ttlOnly bool        // the projection reads the ttl attribute only to check expiry
}

// NewGet returns the Get of s's item whose key fields are those of the
// value at p. Its Key is set whenever the key builds, even when the Get is
// refused for an unknown projected attribute (an error naming that key).
func NewGet(s *Schema, p unsafe.Pointer, o ReadOptions) (*GetRead, error) {
	t := s.Table
	k, err := s.Key(p)
	g := &GetRead{S: s, Key: k, Opts: o}
	if perr := s.CheckProjectPaths(o.Project); perr != nil {
		return g, &ItemError{Op: "Get", Entity: s.Name, Key: k, Err: perr}
	}
	if err != nil {
		return g, ItemErr("Get", s, k, err)
	}
	g.In = &dynamodb.GetItemInput{TableName: aws.String(t.Name), Key: t.KeyItem(k)}
	if o.Consistent {
		g.In.ConsistentRead = aws.Bool(true)
	}
	if len(o.Project) == 0 {
		return g, nil
	}
	var keys []string
	if s.ProjectsEncrypted(o.Project) {
		keys = []string{t.PK, t.SK}
	}
	attrs := o.Project
	if s.TTL != nil && !o.ExpiredOK && !slices.Contains(attrs, s.TTL.Name) {
		attrs = append(slices.Clip(attrs), s.TTL.Name)
		g.ttlOnly = true
	}
	expr, err := expression.NewBuilder().WithProjection(t.Projection(keys, attrs)).Build()
	if err != nil {
		return g, &ItemError{Op: "Get", Entity: s.Name, Key: k, Err: err}
	}
	g.In.ProjectionExpression = expr.Projection()
	g.In.ExpressionAttributeNames = expr.Names()
	return g, nil
}

// Fetch sends the GetItem request and returns the item (nil if none).
func (g *GetRead) Fetch(ctx context.Context) (map[string]types.AttributeValue, error) {
	out, err := g.S.Table.Client.GetItem(ctx, g.In)
	if err != nil {
		return nil, &ItemError{Op: "Get", Entity: g.S.Name, Key: g.Key, Err: err}
	}
	return out.Item, nil
}

// Decode decodes the item a GetItem (or a transaction's get) returned into
// the value at p, whose key fields it sets from the value at key when the
// Get has a projection; ctx is for decrypting. No item, an item of another
// entity type and an expired one (unless ExpiredOK) are ErrNotFound.
func (g *GetRead) Decode(ctx context.Context, item map[string]types.AttributeValue, p, key unsafe.Pointer) error {
	s := g.S
	if len(item) == 0 {
		return &ItemError{Op: "Get", Entity: s.Name, Key: g.Key, Kind: ErrNotFound}
	}
	if typ := s.Table.TypeOf(item); typ != s.Name {
		return &ItemError{Op: "Get", Entity: s.Name, Key: g.Key, Kind: ErrNotFound,
			Err: fmt.Errorf("the item at the key is of entity type %q", typ)}
	}
	if !g.Opts.ExpiredOK && s.ExpiredAt(item, s.Table.Epoch()) {
		return &ItemError{Op: "Get", Entity: s.Name, Key: g.Key, Kind: ErrNotFound, Err: s.ExpiredNote(item)}
	}
	if g.ttlOnly {
		delete(item, s.TTL.Name)
	}
	if err := s.DecodeInto(ctx, item, p); err != nil {
		return &ItemError{Op: "Get", Entity: s.Name, Key: g.Key, Err: err}
	}
	if len(g.Opts.Project) > 0 {
		for _, f := range s.Primary.Fields() {
			f.Value(p).Set(f.Value(key))
		}
	}
	return nil
}

// TxItem returns the Get as an item of a TransactGetItems request, and
// the action that names it in the transaction's errors.
func (g *GetRead) TxItem() (types.TransactGetItem, TxAction) {
	return types.TransactGetItem{Get: &types.Get{
		TableName:                g.In.TableName,
		Key:                      g.In.Key,
		ProjectionExpression:     g.In.ProjectionExpression,
		ExpressionAttributeNames: g.In.ExpressionAttributeNames,
	}}, TxAction{Key: g.Key, S: g.S}
}

// ReadTx sends a built TransactGetItems request of n gets and returns the
// item each read, in order.
func (t *Table) ReadTx(ctx context.Context, in *dynamodb.TransactGetItemsInput, actions []TxAction, n int) ([]map[string]types.AttributeValue, error) {
	out, err := t.Client.TransactGetItems(ctx, in)
	if err != nil {
		return nil, WrapTxError("ReadTx", err, actions)
	}
	if len(out.Responses) != n {
		return nil, fmt.Errorf("tablemap: ReadTx: %d responses for %d gets", len(out.Responses), n)
	}
	items := make([]map[string]types.AttributeValue, n)
	for i, r := range out.Responses {
		items[i] = r.Item
	}
	return items, nil
}
