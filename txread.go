package tablemap

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/engine"
)

// A ReadTx reads up to MaxTxActions items of a table's entities in one
// TransactGetItems request, as one snapshot: no write transaction is seen
// half applied. Add typed gets with TxGet, Run it, then read each value:
//
//	rt := tbl.ReadTx()
//	ann := tablemap.TxGet(rt, users.Get(User{Username: "ann"}))
//	f := tablemap.TxGet(rt, follows.Get(Follow{Follower: "ann", Followed: "bob"}))
//	if err := rt.Run(ctx); err != nil { ... }
//	u, err := ann.Value() // ErrNotFound when there is no such item
//
// Its checks before sending are those of WriteTx (ErrInvalidTx). DynamoDB
// may cancel it when a write transaction holds one of its items: a
// *TxError that is ErrTxConflict.
type ReadTx struct {
	txBuild
	gets []txReader
	in   *dynamodb.TransactGetItemsInput
}

// A txReader is a typed get of a read transaction (a *TxItem[T]).
type txReader interface {
	txGetItem() (types.TransactGetItem, engine.TxAction, error)
	// txSet records the item read, or the transaction's error; ctx is
	// Run's, for decrypting.
	txSet(ctx context.Context, item map[string]types.AttributeValue, err error)
}

// ReadTx returns an empty read transaction on the table.
func (t *Table) ReadTx() *ReadTx { return &ReadTx{txBuild: txBuild{t: t}} }

// A TxItem is the item a get of a read transaction reads; Value returns it
// once the transaction ran.
type TxItem[T any] struct {
	get   *Get[T]
	ran   bool
	value T
	err   error
}

// TxGet adds get to the read transaction and returns its item, to read
// after Run. The Get's projection applies; Consistent has no effect, since
// a transaction's reads are always strongly consistent.
func TxGet[T any](tx *ReadTx, get *Get[T]) *TxItem[T] {
	it := &TxItem[T]{get: get}
	if get == nil && tx.err == nil {
		tx.err = fmt.Errorf("tablemap: ReadTx: action %d is nil: %w", len(tx.gets), engine.ErrInvalidTx)
	}
	tx.gets = append(tx.gets, it)
	return it
}

// Value returns the item as read: ErrNotFound when there is none at the
// key (or one of another entity type), the transaction's error when it
// failed, and an error before it ran. Run decodes the item (decrypting with
// Run's context), so every call returns the same value.
func (it *TxItem[T]) Value() (T, error) {
	if !it.ran {
		var zero T
		return zero, errors.New("tablemap: ReadTx: Value before Run")
	}
	return it.value, it.err
}

func (it *TxItem[T]) txGetItem() (types.TransactGetItem, engine.TxAction, error) {
	if _, err := it.get.Params(); err != nil {
		return types.TransactGetItem{}, engine.TxAction{}, err
	}
	item, action := it.get.get.TxItem()
	return item, action, nil
}

func (it *TxItem[T]) txSet(ctx context.Context, item map[string]types.AttributeValue, err error) {
	it.ran = true
	if err != nil {
		var zero T
		it.value, it.err = zero, err
		return
	}
	it.value, it.err = it.get.decodeResult(ctx, item)
}

// Params returns the TransactGetItems request Run sends, without sending
// it.
func (tx *ReadTx) Params() (*dynamodb.TransactGetItemsInput, error) {
	tx.build()
	return tx.in, tx.err
}

// Run reads the items and decodes them for their Values. Its error, if
// any, is also what each item's Value returns; a missing item, or one that
// does not decode, is not an error of Run.
func (tx *ReadTx) Run(ctx context.Context) error {
	in, err := tx.Params()
	var items []map[string]types.AttributeValue
	if err == nil {
		items, err = tx.t.core.ReadTx(ctx, in, tx.actions, len(tx.gets))
	}
	for i, g := range tx.gets {
		var item map[string]types.AttributeValue
		if err == nil {
			item = items[i]
		}
		g.txSet(ctx, item, err)
	}
	return err
}

func (tx *ReadTx) build() {
	var items []types.TransactGetItem
	built := tx.buildActions("ReadTx", len(tx.gets), func(i int) (engine.TxAction, error) {
		if items == nil {
			items = make([]types.TransactGetItem, len(tx.gets))
		}
		it, a, err := tx.gets[i].txGetItem()
		items[i] = it
		return a, err
	})
	if built {
		tx.in = &dynamodb.TransactGetItemsInput{TransactItems: items}
	}
}
