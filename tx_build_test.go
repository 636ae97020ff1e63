package tablemap_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tablemap/tablemap"
)

// TestTxOneItemTwice: two actions on one item are refused whether the
// transaction is small or large, naming both actions.
func TestTxOneItemTwice(t *testing.T) {
	t.Parallel()
	s := newSocial(t)
	for _, c := range []struct{ n, a, b int }{{2, 0, 1}, {5, 1, 4}, {8, 0, 7}, {9, 3, 8}, {40, 2, 37}, {100, 98, 99}} {
		tx := s.tbl.WriteTx()
		for i := range c.n {
			name := fmt.Sprint("u", i)
			if i == c.b {
				name = fmt.Sprint("u", c.a)
			}
			tx.Put(s.profiles.Put(txProfile{Username: name}))
		}
		_, err := tx.Params()
		if !errors.Is(err, tablemap.ErrInvalidTx) {
			t.Errorf("%d actions, %d and %d on one item: error %v, want ErrInvalidTx", c.n, c.a, c.b, err)
			continue
		}
		if want := fmt.Sprintf("actions %d (Put Profile) and %d (Put Profile)", c.a, c.b); !strings.Contains(err.Error(), want) {
			t.Errorf("%d actions: error %q does not say %q", c.n, err, want)
		}
	}
	// Without a repeated item, as many actions as allowed pass.
	tx := s.tbl.WriteTx()
	for i := range tablemap.MaxTxActions {
		tx.Put(s.profiles.Put(txProfile{Username: fmt.Sprint("u", i)}))
	}
	if in, err := tx.Params(); err != nil || len(in.TransactItems) != tablemap.MaxTxActions {
		t.Errorf("%d distinct actions: %v", tablemap.MaxTxActions, err)
	}
	if n := s.m.Requests(); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

// TestTxParamsOwned: a WriteTx's Params are the caller's, every kind of
// action included: changing them changes neither a later Params nor what
// Run sends.
func TestTxParamsOwned(t *testing.T) {
	t.Parallel()
	s := newSocial(t)
	s.put(t, "ann", "bob")
	tx := s.tbl.WriteTx().
		Put(s.follows.Put(txFollow{Follower: "ann", Followed: "bob"}).IfNotExists()).
		Update(s.profiles.Update(txProfile{Username: "bob"}).Incr("followers", 1)).
		Delete(s.follows.Delete(txFollow{Follower: "bob", Followed: "ann"})).
		Check(s.profiles.Check(txProfile{Username: "ann"}).Exists())
	first, err := tx.Params()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := tx.Params()
	scribble := func(names map[string]string) {
		for k := range names {
			names[k] = "scribbled"
		}
	}
	it := first.TransactItems
	scribble(it[0].Put.ExpressionAttributeNames)
	scribble(it[1].Update.ExpressionAttributeNames)
	scribble(it[2].Delete.ExpressionAttributeNames)
	scribble(it[3].ConditionCheck.ExpressionAttributeNames)
	it[3].ConditionCheck.ConditionExpression = aws.String("scribbled")
	it[3].ConditionCheck.TableName = aws.String("scribbled")

	again, err := tx.Params()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, again, txOpts, rawOpts); d != "" {
		t.Errorf("Params after a caller changed an earlier one (-want +got):\n%s", d)
	}
	if err := tx.Run(ctx); err != nil {
		t.Fatalf("Run after a caller changed Params: %v", err)
	}
	if p := s.profile(t, "bob"); p.Followers != 1 {
		t.Errorf("bob has %d followers, want 1", p.Followers)
	}
}

// TestParamsTableNameTheCallers: compiled requests share their table's
// name with the SDK, so every Params hands out a name of its own: a caller
// changing it changes neither the table nor later requests.
func TestParamsTableNameTheCallers(t *testing.T) {
	t.Parallel()
	s := newSocial(t)
	s.put(t, "ann", "bob")
	table := s.tbl.Name()
	scribble := func(what string, name *string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if *name != table {
			t.Errorf("%s: table name %q, want %q", what, *name, table)
		}
		*name = "scribbled"
	}
	for range 2 {
		put, err := s.follows.Put(txFollow{Follower: "ann", Followed: "bob"}).Params()
		scribble("Put", put.TableName, err)
		upd, err := s.profiles.Update(txProfile{Username: "bob"}).Incr("followers", 1).Params()
		scribble("Update", upd.TableName, err)
		del, err := s.follows.Delete(txFollow{Follower: "bob", Followed: "ann"}).Params()
		scribble("Delete", del.TableName, err)
		chk, err := s.profiles.Check(txProfile{Username: "ann"}).Exists().Params()
		scribble("Check", chk.TableName, err)
		tx, err := s.follow("ann", "bob").Check(s.follows.Check(txFollow{Follower: "bob", Followed: "ann"}).NotExists()).
			Delete(s.follows.Delete(txFollow{Follower: "cat", Followed: "ann"})).Params()
		if err != nil {
			t.Fatal(err)
		}
		it := tx.TransactItems
		scribble("WriteTx Put", it[0].Put.TableName, nil)
		scribble("WriteTx Update", it[1].Update.TableName, nil)
		scribble("WriteTx Check", it[3].ConditionCheck.TableName, nil)
		scribble("WriteTx Delete", it[4].Delete.TableName, nil)
	}
	if got := s.tbl.Name(); got != table {
		t.Errorf("table name %q after callers changed Params, want %q", got, table)
	}
	if err := s.follow("ann", "bob").Run(ctx); err != nil {
		t.Fatalf("Run after callers changed Params: %v", err)
	}
	if _, err := s.profiles.Update(txProfile{Username: "ann"}).Incr("followers", 1).Run(ctx); err != nil {
		t.Fatalf("Update after callers changed Params: %v", err)
	}
	if p := s.profile(t, "bob"); p.Followers != 1 {
		t.Errorf("bob has %d followers, want 1", p.Followers)
	}
}

// incrCounters has counters of the types Incr passes through unconverted
// and of one it converts.
type incrCounters struct {
	_     struct{} `tablemap:"Counters" pk:"C#{id}"`
	ID    string   `dynamo:"id"`
	Int   int      `dynamo:"int"`
	Int64 int64    `dynamo:"int64"`
	Int32 int32    `dynamo:"int32"`
}

// TestIncrCounterTypes: Incr adds to int, int64 and other counters alike,
// large increments included, and decrements them.
func TestIncrCounterTypes(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	cs := define[incrCounters](t, tbl)
	create(t, tbl, m)
	if err := cs.Put(incrCounters{ID: "a"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	first, err := cs.Update(incrCounters{ID: "a"}).Incr("int", 1<<40).Incr("int64", 1<<50).Incr("int32", 1<<30).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (incrCounters{ID: "a", Int: 1 << 40, Int64: 1 << 50, Int32: 1 << 30}); !cmp.Equal(want, first, cmpopts.IgnoreUnexported(incrCounters{})) {
		t.Errorf("counters after the first Incr: %+v, want %+v", first, want)
	}
	got, err := cs.Update(incrCounters{ID: "a"}).Incr("int", -1).Incr("int64", 3).Incr("int32", -(1 << 29)).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := incrCounters{ID: "a", Int: 1<<40 - 1, Int64: 1<<50 + 3, Int32: 1 << 29}
	if d := cmp.Diff(want, got, cmpopts.IgnoreUnexported(incrCounters{})); d != "" {
		t.Errorf("counters after Incr (-want +got):\n%s", d)
	}
}
