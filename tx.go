package tablemap

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/engine"
)

// A TxPut is a Put of any entity, for WriteTx.Put; *Put[T] implements it.
type TxPut interface {
	txWriter
	txPut()
}

// A TxUpdate is an Update of any entity, for WriteTx.Update; *Update[T]
// implements it.
type TxUpdate interface {
	txWriter
	txUpdate()
}

// A TxDelete is a Delete of any entity, for WriteTx.Delete; *Delete[T]
// implements it.
type TxDelete interface {
	txWriter
	txDelete()
}

// A TxCheck is a condition check of any entity, for WriteTx.Check;
// *Check[T] implements it.
type TxCheck interface {
	txWriter
	txCheck()
}

func (*Put[T]) txPut()       {}
func (*Update[T]) txUpdate() {}
func (*Delete[T]) txDelete() {}
func (*Check[T]) txCheck()   {}

// A WriteTx writes several items of a table's entities all at once or not
// at all: one TransactWriteItems request. Its actions are the builders of
// the single operations (Put, Update, Delete) and condition checks (Check),
// with all their options; each becomes the request the single operation
// would send, conditions included. Make one with Table.WriteTx, add
// actions, then Run it (or read its Params):
//
//	err := tbl.WriteTx().
//		Put(follows.Put(Follow{Follower: "ann", Followed: "bob"}).IfNotExists()).
//		Update(users.Update(User{Username: "ann"}).Incr("following", 1)).
//		Update(users.Update(User{Username: "bob"}).Incr("followers", 1)).
//		Run(ctx)
//
// Before sending, a WriteTx checks what DynamoDB would reject: no actions,
// more than MaxTxActions, two actions on one item, an entity of another
// table; these errors wrap ErrInvalidTx and no request is sent. A
// cancelled transaction is a *TxError naming each failing action.
//
// A WriteTx keeps the first error an action meets and returns it from Run
// or Params. Its actions are compiled once, on the first Params or Run.
type WriteTx struct {
	txBuild
	writes []txWriter
	first  [4]txWriter // writes' storage for the first few actions
	token  string
}

// WriteTx returns an empty write transaction on the table.
func (t *Table) WriteTx() *WriteTx { return &WriteTx{txBuild: txBuild{t: t}} }

// Put adds a Put to the transaction.
func (tx *WriteTx) Put(op TxPut) *WriteTx { return tx.add(op) }

// Update adds an Update to the transaction.
func (tx *WriteTx) Update(op TxUpdate) *WriteTx { return tx.add(op) }

// Delete adds a Delete to the transaction. Inside a transaction, deleting
// a missing item is not an error unless the Delete has a condition that
// says so.
func (tx *WriteTx) Delete(op TxDelete) *WriteTx { return tx.add(op) }

// Check adds a condition check to the transaction: the transaction applies
// only if the condition holds on that item, which it does not write.
func (tx *WriteTx) Check(op TxCheck) *WriteTx { return tx.add(op) }

func (tx *WriteTx) add(w txWriter) *WriteTx {
	if w == nil && tx.err == nil {
		tx.err = fmt.Errorf("tablemap: WriteTx: action %d is nil: %w", len(tx.writes), engine.ErrInvalidTx)
	}
	if tx.writes == nil {
		tx.writes = tx.first[:0]
	}
	tx.writes = append(tx.writes, w)
	return tx
}

// Token sets the transaction's idempotency token (ClientRequestToken, 1 to
// 36 characters). Running a transaction again with the token of one that
// succeeded, within ten minutes, succeeds without writing anything again;
// the same token with a different request fails (DynamoDB's
// IdempotentParameterMismatchException). Rebuilt actions can differ: an
// Update or Put sets created/updated fields from the table's clock, so run
// the same WriteTx again, or use a fixed clock, to repeat a request. Tokens
// are scoped to the account and region, not the table. A cancelled
// transaction does not use up its token (measured on DynamoDB Local),
// so the same WriteTx can be run again after ErrTxConflict.
//
// Without a token, each Run generates one (crypto/rand) that the SDK's
// retries of that Run reuse, so a retried request is never applied twice;
// two Runs are two transactions.
//
// A Run whose error wraps ErrUnknownOutcome may have been applied (its
// response was lost, or the server failed, after sending): with a token,
// run the same WriteTx again within the ten minutes and it is applied at
// most once. A token given again with a different request is an error
// wrapping ErrTokenReused; and since DynamoDB answers a known token
// without looking at the items, Follow with token T, an unfollow, then
// Follow with T again succeeds without writing the edge: one token per
// intent.
func (tx *WriteTx) Token(token string) *WriteTx {
	if (token == "" || len(token) > engine.MaxTokenLen) && tx.err == nil {
		tx.err = fmt.Errorf("tablemap: WriteTx: token %q: want 1 to %d characters: %w", token, engine.MaxTokenLen, engine.ErrInvalidTx)
	}
	tx.token = token
	return tx
}

// Params returns the TransactWriteItems request Run sends, without sending
// it. Its ClientRequestToken is the one given to Token, or nil: Run
// generates one then. It is the caller's to change, as Put.Params says.
func (tx *WriteTx) Params() (*dynamodb.TransactWriteItemsInput, error) {
	if tx.build(); tx.err != nil {
		return nil, tx.err
	}
	return tx.input(true, tx.token), nil
}

// Run sends the transaction. A cancelled transaction is a *TxError; nothing
// of it is applied.
func (tx *WriteTx) Run(ctx context.Context) error {
	if tx.build(); tx.err != nil {
		return tx.err
	}
	token := tx.token
	if token == "" {
		token = rand.Text()
	}
	if _, err := engine.Write(ctx, tx.t.core.Client.TransactWriteItems, tx.input(false, token)); err != nil {
		return engine.WrapTxError("WriteTx", err, tx.actions)
	}
	return nil
}

// build compiles the actions and checks them (see buildTx).
func (tx *WriteTx) build() {
	tx.buildActions("WriteTx", len(tx.writes), func(i int) (engine.TxAction, error) {
		r, err := tx.writes[i].txRequest()
		if err != nil {
			return engine.TxAction{}, err
		}
		return r.TxAction(), nil
	})
}

// A txInput is a TransactWriteItems request with room for its token and
// the items of a small transaction: one allocation.
type txInput struct {
	in    dynamodb.TransactWriteItemsInput
	token string
	items [4]types.TransactWriteItem
}

// input returns the transaction's request, built, with token unless it is
// empty. With own, its items are the caller's to change (Params); without,
// their names maps are their shapes' (Run, which shares them with the SDK
// only).
func (tx *WriteTx) input(own bool, token string) *dynamodb.TransactWriteItemsInput {
	r := &txInput{token: token}
	if token != "" {
		r.in.ClientRequestToken = &r.token
	}
	var items []types.TransactWriteItem
	if n := len(tx.writes); n <= len(r.items) {
		items = r.items[:n:n]
	} else {
		items = make([]types.TransactWriteItem, n)
	}
	for i, w := range tx.writes {
		q, _ := w.txRequest() // built without error, as build says
		if own {
			items[i] = q.OwnTxItem()
		} else {
			items[i] = q.TxItem()
		}
	}
	r.in.TransactItems = items
	return &r.in
}

// A txBuild is what WriteTx and ReadTx share: the table, the first error
// an action met, and the actions, built and checked once, on the first
// Params or Run.
type txBuild struct {
	t       *Table
	err     error
	built   bool
	actions []engine.TxAction
	first   [4]engine.TxAction // actions' storage for the first few
}

// buildActions builds the transaction's n actions with action (see
// buildTx) unless it is built already or an action failed; it reports
// whether it did.
func (b *txBuild) buildActions(op string, n int, action func(i int) (engine.TxAction, error)) bool {
	if b.built {
		return false
	}
	b.built = true
	if b.err != nil {
		return false
	}
	b.actions, b.err = buildTx(op, b.t, n, b.first[:0], action)
	return b.err == nil
}

// buildTx builds the n actions of a transaction, in buf when they fit,
// refusing what DynamoDB would: no actions, too many, an entity of another
// table, two on one item.
func buildTx(op string, t *Table, n int, buf []engine.TxAction, action func(i int) (engine.TxAction, error)) ([]engine.TxAction, error) {
	switch {
	case n == 0:
		return nil, fmt.Errorf("tablemap: %s: no actions: %w", op, engine.ErrInvalidTx)
	case n > MaxTxActions:
		return nil, fmt.Errorf("tablemap: %s: %d actions, over DynamoDB's limit of %d: %w", op, n, MaxTxActions, engine.ErrInvalidTx)
	}
	var actions []engine.TxAction
	if n <= cap(buf) {
		actions = buf[:n]
	} else {
		actions = make([]engine.TxAction, n)
	}
	var seen map[Key]int // for many actions; a few are compared in turn
	if n > smallTx {
		seen = make(map[Key]int, n)
	}
	for i := range n {
		a, err := action(i)
		if err != nil {
			return nil, fmt.Errorf("tablemap: %s: action %d: %w", op, i, err)
		}
		if a.Table() != t.core {
			return nil, fmt.Errorf("tablemap: %s: action %d: %s %s is defined on table %s, not %s: %w", op, i, a.Op(), a.Entity(), a.Table().Name, t.core.Name, engine.ErrInvalidTx)
		}
		if j := sameItem(actions[:i], seen, a.Key); j >= 0 {
			b := &actions[j]
			return nil, fmt.Errorf("tablemap: %s: actions %d (%s %s) and %d (%s %s) are on one item {%s}; DynamoDB allows one action per item: %w",
				op, j, b.Op(), b.Entity(), i, a.Op(), a.Entity(), a.Key, engine.ErrInvalidTx)
		}
		if seen != nil {
			seen[a.Key] = i
		}
		actions[i] = a
	}
	return actions, nil
}

// smallTx is the most actions buildTx compares in turn, without a map.
const smallTx = 8

// sameItem returns the index of the action before on key k, or -1: from
// seen when it is not nil, else by comparing those before in turn.
func sameItem(before []engine.TxAction, seen map[Key]int, k Key) int {
	if seen != nil {
		if j, ok := seen[k]; ok {
			return j
		}
		return -1
	}
	for j := range before {
		if before[j].Key == k {
			return j
		}
	}
	return -1
}
