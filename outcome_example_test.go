package tablemap_test

import (
	"context"
	"crypto/rand"
	"errors"

	"github.com/tablemap/tablemap"
)

// A write whose outcome is unknown (its response lost, say) is run again
// with the same token: the transaction is applied at most once. Any other
// error is definitive: nothing was applied.
func ExampleWriteTx_Token() {
	type Account struct {
		_       struct{} `tablemap:"Account" pk:"ACCOUNT#{id}"`
		ID      string   `dynamo:"id"`
		Balance int64    `dynamo:"balance"`
	}
	tbl := tablemap.NewTable(nil, "app") // a *dynamodb.Client in real use
	accounts := tablemap.MustDefine[Account](tbl)
	ctx := context.Background()

	// One token per intent: the same transfer, run again, is not a new one.
	tx := tbl.WriteTx().
		Update(accounts.Update(Account{ID: "a"}).Incr("balance", -10)).
		Update(accounts.Update(Account{ID: "b"}).Incr("balance", 10)).
		Token(rand.Text())
	err := tx.Run(ctx)
	for tries := 1; errors.Is(err, tablemap.ErrUnknownOutcome) && tries < 5; tries++ {
		err = tx.Run(ctx) // the same request and token: applied at most once
	}
	_ = err // nil, or a definitive error, or still unknown after 5 tries
}
