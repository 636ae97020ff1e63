package tablemap

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap/internal/dynamotest"
)

type txUser struct {
	_         struct{} `tablemap:"User" pk:"USER#{username}" sk:"PROFILE"`
	Username  string   `dynamo:"username"`
	Followers int      `dynamo:"followers"`
	Version   int      `dynamo:"v,version"`
}

type txFollow struct {
	_        struct{}  `tablemap:"Follow" pk:"USER#{followed}" sk:"FOLLOWER#{follower}"`
	Followed string    `dynamo:"followed"`
	Follower string    `dynamo:"follower"`
	Since    time.Time `dynamo:"since"`
}

// TestTxItems checks the write and get builders' transaction items run in
// real transactions, and a cancellation maps to the operation's errors.
func TestTxItems(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tbl := NewTable(dynamotest.Client(t), dynamotest.TableName(t))
	users, err := Define[txUser](tbl)
	if err != nil {
		t.Fatal(err)
	}
	follows, err := Define[txFollow](tbl)
	if err != nil {
		t.Fatal(err)
	}
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	if err := users.Put(txUser{Username: "bob"}).Run(ctx); err != nil {
		t.Fatal(err)
	}

	follow := txFollow{Followed: "bob", Follower: "ann", Since: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	writes := []txWriter{
		follows.Put(follow).IfNotExists(),
		users.Update(txUser{Username: "bob", Version: 1}).Add("followers", 1),
	}
	write := func() error {
		in := &dynamodb.TransactWriteItemsInput{}
		for _, w := range writes {
			r, err := w.txRequest()
			if err != nil {
				t.Fatal(err)
			}
			in.TransactItems = append(in.TransactItems, r.TxItem())
		}
		_, err := tbl.core.Client.TransactWriteItems(ctx, in)
		return err
	}
	if err := write(); err != nil {
		t.Fatal(err)
	}

	getUser := users.Get(txUser{Username: "bob"})
	getFollow := follows.Get(follow)
	in := &dynamodb.TransactGetItemsInput{}
	for _, get := range []txReader{TxGet(tbl.ReadTx(), getUser), TxGet(tbl.ReadTx(), getFollow)} {
		ti, _, err := get.txGetItem()
		if err != nil {
			t.Fatal(err)
		}
		in.TransactItems = append(in.TransactItems, ti)
	}
	out, err := tbl.core.Client.TransactGetItems(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	u, err := getUser.decodeResult(ctx, out.Responses[0].Item)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(txUser{Username: "bob", Followers: 1, Version: 2}, u); d != "" {
		t.Errorf("user differs (-want +got):\n%s", d)
	}
	f, err := getFollow.decodeResult(ctx, out.Responses[1].Item)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(follow, f); d != "" {
		t.Errorf("follow differs (-want +got):\n%s", d)
	}

	// The same transaction again: the follow exists, the version moved on.
	err = write()
	var cancelled *types.TransactionCanceledException
	if !errors.As(err, &cancelled) {
		t.Fatalf("second transaction: %v, want TransactionCanceledException", err)
	}
	wants := []error{ErrConditionFailed, ErrVersionConflict}
	for i, r := range cancelled.CancellationReasons {
		if r.Code == nil || *r.Code != "ConditionalCheckFailed" {
			t.Errorf("reason %d: %v, want ConditionalCheckFailed", i, r.Code)
			continue
		}
		req, _ := writes[i].txRequest()
		got := req.Fail.ConditionFailed(err, r.Item)
		if !errors.Is(got, wants[i]) {
			t.Errorf("item %d: %v, want %v", i, got, wants[i])
		}
		if !errors.As(got, &cancelled) {
			t.Errorf("item %d: %v does not wrap the transaction's error", i, got)
		}
	}

	// An update of a missing item inside a transaction is ErrNotFound.
	missing := users.Update(txUser{Username: "nobody"}).Add("followers", 1)
	req, err := missing.txRequest()
	if err != nil {
		t.Fatal(err)
	}
	_, err = tbl.core.Client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{req.TxItem()}})
	if !errors.As(err, &cancelled) || len(cancelled.CancellationReasons) != 1 {
		t.Fatalf("update of a missing item: %v, want one cancellation reason", err)
	}
	if got := req.Fail.ConditionFailed(err, cancelled.CancellationReasons[0].Item); !errors.Is(got, ErrNotFound) {
		t.Errorf("update of a missing item: %v, want ErrNotFound", got)
	}
}
