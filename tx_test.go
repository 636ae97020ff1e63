package tablemap_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
)

// txProfile is a user with counters of the edge-and-counter pattern; the
// counters are omitted when zero, so a new profile stores none.
type txProfile struct {
	_         struct{} `tablemap:"Profile" pk:"PROFILE#{username}"`
	Username  string   `dynamo:"username"`
	Followers int      `dynamo:"followers,omitempty"`
	Following int      `dynamo:"following,omitempty"`
}

// txFollow is the edge: follower follows followed.
type txFollow struct {
	_        struct{} `tablemap:"Follow" pk:"PROFILE#{follower}" sk:"FOLLOWS#{followed}"`
	Follower string   `dynamo:"follower"`
	Followed string   `dynamo:"followed"`
}

var txOpts = cmpopts.IgnoreUnexported(dynamodb.TransactWriteItemsInput{}, types.TransactWriteItem{},
	types.Put{}, types.Update{}, types.Delete{}, types.ConditionCheck{})

// social is a table with profiles, follows and users, created.
type social struct {
	tbl      *tablemap.Table
	m        *tablemap.Meter
	profiles *tablemap.Entity[txProfile]
	follows  *tablemap.Entity[txFollow]
	users    *tablemap.Entity[User]
}

func newSocial(t *testing.T) *social {
	t.Helper()
	tbl, m := setup(t)
	return newSocialOn(t, tbl, m)
}

func newSocialOn(t *testing.T, tbl *tablemap.Table, m *tablemap.Meter) *social {
	t.Helper()
	s := &social{tbl: tbl, m: m,
		profiles: define[txProfile](t, tbl),
		follows:  define[txFollow](t, tbl),
		users:    define[User](t, tbl),
	}
	create(t, tbl, m)
	return s
}

// follow is the follow access pattern: the edge, and a counter on each side.
func (s *social) follow(a, b string) *tablemap.WriteTx {
	return s.tbl.WriteTx().
		Put(s.follows.Put(txFollow{Follower: a, Followed: b}).IfNotExists()).
		Update(s.profiles.Update(txProfile{Username: a}).Incr("following", 1)).
		Update(s.profiles.Update(txProfile{Username: b}).Incr("followers", 1))
}

func (s *social) profile(t *testing.T, name string) txProfile {
	t.Helper()
	p, err := s.profiles.Get(txProfile{Username: name}).Consistent().Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (s *social) put(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := s.profiles.Put(txProfile{Username: n}).Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	s.m.Reset()
}

func (s *social) following(t *testing.T, a, b string) bool {
	t.Helper()
	_, err := s.follows.Get(txFollow{Follower: a, Followed: b}).Consistent().Run(ctx)
	if err != nil && !errors.Is(err, tablemap.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func txErr(t *testing.T, err error) *tablemap.TxError {
	t.Helper()
	var te *tablemap.TxError
	if !errors.As(err, &te) {
		t.Fatalf("error %v (%T) is not a *TxError", err, err)
	}
	return te
}

// TestTxFollow is the follow access pattern: one TransactWriteItems
// request puts the edge and counts it on both profiles, all or nothing.
func TestTxFollow(t *testing.T) {
	t.Parallel()
	s := newSocial(t)
	s.put(t, "bob") // ann has no profile yet

	err := s.follow("ann", "bob").Run(ctx)
	wantErr(t, err, tablemap.ErrNotFound)
	for _, not := range []error{tablemap.ErrConditionFailed, tablemap.ErrExists, tablemap.ErrTxConflict} {
		if errors.Is(err, not) {
			t.Errorf("error %q is %q", err, not)
		}
	}
	te := txErr(t, err)
	type action struct {
		Index       int
		Op, Entity  string
		Key         tablemap.Key
		Code        string
		HasItem     bool
		IsNotFound  bool
		IsCondition bool
	}
	var got []action
	for _, a := range te.Actions {
		got = append(got, action{a.Index, a.Op, a.Entity, a.Key, a.Code, a.Item != nil,
			errors.Is(a, tablemap.ErrNotFound), errors.Is(a, tablemap.ErrConditionFailed)})
	}
	diff(t, "cancelled actions", []action{{
		Index: 1, Op: "Update", Entity: "Profile", Key: tablemap.Key{PK: "PROFILE#ann", SK: "PROFILE#ann"},
		Code: "ConditionalCheckFailed", IsNotFound: true,
	}}, got)
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		t.Errorf("error %q does not wrap the SDK's TransactionCanceledException", err)
	}
	// Nothing applied: no edge, bob's counter untouched.
	if s.following(t, "ann", "bob") {
		t.Error("the follow item was written by a cancelled transaction")
	}
	diff(t, "bob after the cancelled follow", txProfile{Username: "bob"}, s.profile(t, "bob"))

	s.put(t, "ann")
	if err := s.follow("ann", "bob").Run(ctx); err != nil {
		t.Fatal(err)
	}
	if n := s.m.Requests(); n != 1 {
		t.Errorf("follow took %d requests, want 1 (%v)", n, s.m)
	}
	if !s.following(t, "ann", "bob") {
		t.Error("no follow item after the follow")
	}
	diff(t, "ann", txProfile{Username: "ann", Following: 1}, s.profile(t, "ann"))
	diff(t, "bob", txProfile{Username: "bob", Followers: 1}, s.profile(t, "bob"))

	// Following again: the edge exists; counters stay.
	err = s.follow("ann", "bob").Run(ctx)
	wantErr(t, err, tablemap.ErrExists, tablemap.ErrConditionFailed)
	if errors.Is(err, tablemap.ErrNotFound) {
		t.Errorf("error %q is ErrNotFound", err)
	}
	te = txErr(t, err)
	if len(te.Actions) != 1 || te.Actions[0].Index != 0 || te.Actions[0].Op != "Put" {
		t.Fatalf("cancelled actions %+v, want the Put at 0", te.Actions)
	}
	stored := raw(t, s.tbl, "PROFILE#ann", "FOLLOWS#bob")
	diff(t, "the stored item a failed condition reports (ALL_OLD)", stored, te.Actions[0].Item, rawOpts)
	old, decodeErr := s.follows.Decode(te.Actions[0].Item)
	if decodeErr != nil {
		t.Fatal(decodeErr)
	}
	diff(t, "decoded old item", txFollow{Follower: "ann", Followed: "bob"}, old)
	for _, want := range []string{"WriteTx cancelled", "action 0: Put Follow", `PK "PROFILE#ann" SK "FOLLOWS#bob"`, "item exists", "ConditionalCheckFailed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// The single Put reports the same.
	single := s.follows.Put(txFollow{Follower: "ann", Followed: "bob"}).IfNotExists().Run(ctx)
	wantErr(t, single, tablemap.ErrExists, tablemap.ErrConditionFailed)
	diff(t, "ann after the second follow", txProfile{Username: "ann", Following: 1}, s.profile(t, "ann"))
	diff(t, "bob after the second follow", txProfile{Username: "bob", Followers: 1}, s.profile(t, "bob"))
}

// TestTxSameRequestAsSingleOperations checks the transaction's items are
// the requests of the single operations: one code path builds both.
func TestTxSameRequestAsSingleOperations(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	s := &social{tbl: tbl, m: m, profiles: define[txProfile](t, tbl), follows: define[txFollow](t, tbl)}
	f := txFollow{Follower: "ann", Followed: "bob"}
	put, err := s.follows.Put(f).IfNotExists().Params()
	if err != nil {
		t.Fatal(err)
	}
	upd, err := s.profiles.Update(txProfile{Username: "bob"}).Incr("followers", -1).Params()
	if err != nil {
		t.Fatal(err)
	}
	del, err := s.follows.Delete(txFollow{Follower: "cat", Followed: "bob"}).Params()
	if err != nil {
		t.Fatal(err)
	}
	in, err := tbl.WriteTx().
		Put(s.follows.Put(f).IfNotExists()).
		Update(s.profiles.Update(txProfile{Username: "bob"}).Incr("followers", -1)).
		Delete(s.follows.Delete(txFollow{Follower: "cat", Followed: "bob"})).
		Check(s.profiles.Check(txProfile{Username: "ann"}).Exists()).
		Token("follow-ann-bob").
		Params()
	if err != nil {
		t.Fatal(err)
	}
	cc, err := s.profiles.Check(txProfile{Username: "ann"}).Exists().Params()
	if err != nil {
		t.Fatal(err)
	}
	want := &dynamodb.TransactWriteItemsInput{
		ClientRequestToken: new("follow-ann-bob"),
		TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{TableName: put.TableName, Item: put.Item, ConditionExpression: put.ConditionExpression,
				ExpressionAttributeNames: put.ExpressionAttributeNames, ExpressionAttributeValues: put.ExpressionAttributeValues,
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
			{Update: &types.Update{TableName: upd.TableName, Key: upd.Key, UpdateExpression: upd.UpdateExpression,
				ConditionExpression: upd.ConditionExpression, ExpressionAttributeNames: upd.ExpressionAttributeNames,
				ExpressionAttributeValues:           upd.ExpressionAttributeValues,
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
			{Delete: &types.Delete{TableName: del.TableName, Key: del.Key, ConditionExpression: del.ConditionExpression,
				ExpressionAttributeNames: del.ExpressionAttributeNames, ExpressionAttributeValues: del.ExpressionAttributeValues,
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
			{ConditionCheck: cc},
		},
	}
	diff(t, "TransactWriteItems request", want, in, rawOpts, txOpts)
	if n := m.Requests(); n != 0 {
		t.Errorf("Params sent %d requests", n)
	}
}

// TestTxRefusedBeforeSending: what DynamoDB would reject fails before any
// request.
func TestTxRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	s := newSocial(t)

	many := s.tbl.WriteTx()
	for i := range tablemap.MaxTxActions + 1 {
		many.Put(s.profiles.Put(txProfile{Username: fmt.Sprint("u", i)}))
	}
	reads := s.tbl.ReadTx()
	for i := range tablemap.MaxTxActions + 1 {
		tablemap.TxGet(reads, s.profiles.Get(txProfile{Username: fmt.Sprint("u", i)}))
	}
	sameRead := s.tbl.ReadTx()
	tablemap.TxGet(sameRead, s.follows.Get(txFollow{Follower: "ann", Followed: "bob"}))
	tablemap.TxGet(sameRead, s.follows.Get(txFollow{Follower: "ann", Followed: "bob"}))

	for _, c := range []struct {
		name string
		run  func() error
		says []string
	}{
		{"101 writes", func() error { return many.Run(ctx) }, []string{"101 actions", "limit of 100"}},
		{"101 reads", func() error { return reads.Run(ctx) }, []string{"101 actions"}},
		{"no actions", func() error { return s.tbl.WriteTx().Run(ctx) }, []string{"no actions"}},
		// Following oneself counts twice on one profile.
		{"two on one item", func() error { return s.follow("ann", "ann").Run(ctx) },
			[]string{"actions 1 (Update Profile) and 2 (Update Profile)", `PK "PROFILE#ann" SK "PROFILE#ann"`}},
		{"put and check of one item", func() error {
			return s.tbl.WriteTx().
				Put(s.profiles.Put(txProfile{Username: "ann"})).
				Check(s.profiles.Check(txProfile{Username: "ann"}).NotExists()).
				Run(ctx)
		}, []string{"actions 0 (Put Profile) and 1 (Check Profile)"}},
		{"two reads of one item", func() error { return sameRead.Run(ctx) }, []string{"actions 0 (Get Follow) and 1 (Get Follow)"}},
		{"token too long", func() error { return s.follow("ann", "bob").Token(strings.Repeat("x", 37)).Run(ctx) }, []string{"token"}},
	} {
		err := c.run()
		if !errors.Is(err, tablemap.ErrInvalidTx) {
			t.Errorf("%s: error %v is not ErrInvalidTx", c.name, err)
			continue
		}
		for _, want := range c.says {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not say %q", c.name, err, want)
			}
		}
	}
	// An action's own error names the action.
	err := s.tbl.WriteTx().
		Put(s.follows.Put(txFollow{Follower: "ann", Followed: "bob"})).
		Update(s.profiles.Update(txProfile{Username: ""}).Incr("followers", 1)).
		Run(ctx)
	wantErr(t, err, tablemap.ErrInvalidKey)
	if !strings.Contains(fmt.Sprint(err), "action 1") {
		t.Errorf("error %q does not name action 1", err)
	}
	if n := s.m.Requests(); n != 0 {
		t.Errorf("%d requests sent, want 0 (%v)", n, s.m)
	}
}

// TestTxToken: the same token twice applies once; without a token each
// Run is a transaction of its own.
func TestTxToken(t *testing.T) {
	t.Parallel()
	s := newSocial(t)
	s.put(t, "ann", "bob", "cat")

	// Tokens are per account and region, not per table: make this run's
	// unique, or the last run's request would be a mismatch.
	token := "follow-ann-bob-" + rand.Text()[:16]
	tx := s.follow("ann", "bob").Token(token)
	for i := range 2 {
		if err := tx.Run(ctx); err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
	}
	// A rebuilt transaction with the same token is the same request (these
	// entities have no timestamps), so it applies nothing either.
	if err := s.follow("ann", "bob").Token(token).Run(ctx); err != nil {
		t.Fatalf("rebuilt run: %v", err)
	}
	if n := s.m.Requests("TransactWriteItems"); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	diff(t, "ann", txProfile{Username: "ann", Following: 1}, s.profile(t, "ann"))
	diff(t, "bob", txProfile{Username: "bob", Followers: 1}, s.profile(t, "bob"))

	// The token with another request.
	err := s.follow("ann", "cat").Token(token).Run(ctx)
	var mismatch *types.IdempotentParameterMismatchException
	if !errors.As(err, &mismatch) {
		t.Errorf("another request with a used token: error %v, want an IdempotentParameterMismatchException", err)
	}
	if s.following(t, "ann", "cat") {
		t.Error("a request with a mismatched token was applied")
	}

	// No token: a fresh one per Run, so the same WriteTx twice is two
	// transactions (the Incr on its own here, so both apply).
	incr := s.tbl.WriteTx().Update(s.profiles.Update(txProfile{Username: "cat"}).Incr("followers", 1))
	for range 2 {
		if err := incr.Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	diff(t, "cat", txProfile{Username: "cat", Followers: 2}, s.profile(t, "cat"))
	if in, _ := incr.Params(); in.ClientRequestToken != nil {
		t.Errorf("Params has token %q, want none (Run generates one)", *in.ClientRequestToken)
	}
}

// retryableError is an error the SDK's standard retryer retries.
type retryableError struct{}

func (retryableError) Error() string        { return "response lost (injected)" }
func (retryableError) RetryableError() bool { return true }

// TestTxTokenKeptAcrossRetries loses the response of the first attempt
// after DynamoDB applied it: the SDK retries with the token Run generated,
// and DynamoDB does not apply the transaction again.
func TestTxTokenKeptAcrossRetries(t *testing.T) {
	t.Parallel()
	m := tablemap.NewMeter()
	var attempts atomic.Int32
	var tokens sync.Map
	loseFirst := func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("loseFirstTxResponse",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					out, md, err := next.HandleFinalize(ctx, in)
					if middleware.GetOperationName(ctx) != "TransactWriteItems" {
						return out, md, err
					}
					if n := attempts.Add(1); n == 1 && err == nil {
						return out, md, retryableError{}
					}
					return out, md, err
				}), middleware.After)
		})
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("recordToken",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					if tw, ok := in.Parameters.(*dynamodb.TransactWriteItemsInput); ok && tw.ClientRequestToken != nil {
						tokens.Store(*tw.ClientRequestToken, true)
					}
					return next.HandleInitialize(ctx, in)
				}), middleware.After)
		})
	}
	tbl := tablemap.NewTable(dynamotest.Client(t, m.Attach, loseFirst), dynamotest.TableName(t))
	s := newSocialOn(t, tbl, m)
	s.put(t, "ann", "bob")

	if err := s.follow("ann", "bob").Run(ctx); err != nil {
		t.Fatal(err)
	}
	if n := m.Requests("TransactWriteItems"); n != 2 {
		t.Errorf("%d attempts, want 2 (the first response lost)", n)
	}
	diff(t, "ann", txProfile{Username: "ann", Following: 1}, s.profile(t, "ann"))
	diff(t, "bob", txProfile{Username: "bob", Followers: 1}, s.profile(t, "bob"))
	var n int
	tokens.Range(func(k, _ any) bool {
		n++
		if tok := k.(string); len(tok) < 20 || len(tok) > 36 {
			t.Errorf("generated token %q: want 20 to 36 characters", tok)
		}
		return true
	})
	if n != 1 {
		t.Errorf("%d distinct tokens seen, want 1", n)
	}
}

// TestTxConflict runs two transactions on one counter at the same time,
// again and again: each either applies whole or fails with ErrTxConflict.
func TestTxConflict(t *testing.T) {
	t.Parallel()
	s := newSocial(t)
	s.put(t, "bob")
	const rounds, workers = 50, 2

	var ok, conflicts atomic.Int32
	applied := make([][workers]bool, rounds)
	for r := range rounds {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				follower := fmt.Sprintf("f%d-%d", r, w)
				err := s.tbl.WriteTx().
					Put(s.follows.Put(txFollow{Follower: follower, Followed: "bob"}).IfNotExists()).
					Update(s.profiles.Update(txProfile{Username: "bob"}).Incr("followers", 1)).
					Run(ctx)
				switch {
				case err == nil:
					ok.Add(1)
					applied[r][w] = true
				case errors.Is(err, tablemap.ErrTxConflict):
					conflicts.Add(1)
				default:
					t.Errorf("round %d worker %d: %v", r, w, err)
				}
			})
		}
		wg.Wait()
	}
	t.Logf("%d transactions: %d applied, %d conflicts", rounds*workers, ok.Load(), conflicts.Load())
	if got := s.profile(t, "bob").Followers; got != int(ok.Load()) {
		t.Errorf("bob has %d followers after %d applied transactions", got, ok.Load())
	}
	for r := range rounds {
		for w := range workers {
			if got := s.following(t, fmt.Sprintf("f%d-%d", r, w), "bob"); got != applied[r][w] {
				t.Errorf("round %d worker %d: follow item stored %v, transaction applied %v", r, w, got, applied[r][w])
			}
		}
	}
}

// TestTxCounter: counters start from a missing attribute, never go below
// zero, and never create an item.
func TestTxCounter(t *testing.T) {
	t.Parallel()
	s := newSocial(t)
	s.put(t, "bob")
	bob := txProfile{Username: "bob"}

	// A decrement of a missing counter fails its guard.
	_, err := s.profiles.Update(bob).Incr("followers", -1).Run(ctx)
	wantErr(t, err, tablemap.ErrConditionFailed)
	if errors.Is(err, tablemap.ErrNotFound) {
		t.Errorf("error %q is ErrNotFound; bob exists", err)
	}
	got, err := s.profiles.Update(bob).Incr("followers", 2).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "bob after +2 from nothing", txProfile{Username: "bob", Followers: 2}, got)
	if got, err = s.profiles.Update(bob).Incr("followers", -2).Run(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "bob after -2", txProfile{Username: "bob"}, got)
	// At zero, a decrement fails, in a transaction too, which then
	// applies nothing.
	err = s.tbl.WriteTx().
		Delete(s.follows.Delete(txFollow{Follower: "ann", Followed: "bob"}).If(expression.Name("follower").AttributeExists())).
		Update(s.profiles.Update(bob).Incr("followers", -1)).
		Run(ctx)
	wantErr(t, err, tablemap.ErrConditionFailed)
	te := txErr(t, err)
	if len(te.Actions) != 2 {
		t.Errorf("cancelled actions %v, want both (no follow, counter at 0)", te.Actions)
	}
	stored := raw(t, s.tbl, "PROFILE#bob", "PROFILE#bob")
	if v, ok := stored["followers"].(*types.AttributeValueMemberN); !ok || v.Value != "0" {
		t.Errorf("stored followers %v, want 0", stored["followers"])
	}
	// A missing item is not created.
	_, err = s.profiles.Update(txProfile{Username: "nobody"}).Incr("followers", 1).Run(ctx)
	wantErr(t, err, tablemap.ErrNotFound)
	if item := raw(t, s.tbl, "PROFILE#nobody", "PROFILE#nobody"); item != nil {
		t.Errorf("Incr created item %v", item)
	}
	// Not a counter.
	if _, err := s.profiles.Update(bob).Incr("username", 1).Params(); err == nil || !strings.Contains(err.Error(), "number attribute") {
		t.Errorf("Incr of a string attribute: error %v", err)
	}
	if _, err := s.users.Update(User{Username: "bob"}).Incr("v", 1).Params(); err == nil {
		t.Error("Incr of the version attribute: no error")
	}
}

// cancelWith makes a client answer TransactWriteItems and TransactGetItems
// with a cancellation carrying the given reason codes, without sending
// them. DynamoDB Local never reports TransactionConflict (it runs one
// transaction at a time behind a table lock), so this is how the tests see
// the cancellation DynamoDB sends on a conflict.
func cancelWith(codes ...string) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("cancelTx",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					switch middleware.GetOperationName(ctx) {
					case "TransactWriteItems", "TransactGetItems":
					default:
						return next.HandleFinalize(ctx, in)
					}
					tce := &types.TransactionCanceledException{Message: new("Transaction cancelled (injected)")}
					for _, c := range codes {
						tce.CancellationReasons = append(tce.CancellationReasons, types.CancellationReason{Code: new(c)})
					}
					return middleware.FinalizeOutput{}, middleware.Metadata{}, tce
				}), middleware.Before)
		})
	}
}

// TestTxConflictReason: a TransactionConflict reason is ErrTxConflict on
// the action it names, for writes and reads.
func TestTxConflictReason(t *testing.T) {
	t.Parallel()
	m := tablemap.NewMeter()
	tbl := tablemap.NewTable(dynamotest.Client(t, m.Attach, cancelWith("None", "TransactionConflict", "None")), dynamotest.TableName(t))
	s := newSocialOn(t, tbl, m)

	err := s.follow("ann", "bob").Run(ctx)
	wantErr(t, err, tablemap.ErrTxConflict)
	for _, not := range []error{tablemap.ErrConditionFailed, tablemap.ErrNotFound} {
		if errors.Is(err, not) {
			t.Errorf("error %q is %q", err, not)
		}
	}
	te := txErr(t, err)
	if len(te.Actions) != 1 {
		t.Fatalf("actions %v, want one", te.Actions)
	}
	a := te.Actions[0]
	diff(t, "conflicting action", []any{1, "Update", "Profile", tablemap.Key{PK: "PROFILE#ann", SK: "PROFILE#ann"}, "TransactionConflict"},
		[]any{a.Index, a.Op, a.Entity, a.Key, a.Code})

	rt := tbl.ReadTx()
	tablemap.TxGet(rt, s.profiles.Get(txProfile{Username: "ann"}))
	bob := tablemap.TxGet(rt, s.profiles.Get(txProfile{Username: "bob"}))
	tablemap.TxGet(rt, s.follows.Get(txFollow{Follower: "ann", Followed: "bob"}))
	err = rt.Run(ctx)
	wantErr(t, err, tablemap.ErrTxConflict)
	if te := txErr(t, err); len(te.Actions) != 1 || te.Actions[0].Op != "Get" || te.Actions[0].Key.PK != "PROFILE#bob" {
		t.Errorf("actions %v, want the Get of bob", te.Actions)
	}
	if _, verr := bob.Value(); !errors.Is(verr, tablemap.ErrTxConflict) {
		t.Errorf("Value after a cancelled ReadTx: %v, want ErrTxConflict", verr)
	}
}

// TestTxRead is "view a user and whether ann follows them" in one
// TransactGetItems request, across entities.
func TestTxRead(t *testing.T) {
	t.Parallel()
	s := newSocial(t)
	s.put(t, "ann", "bob")
	if err := s.follow("ann", "bob").Run(ctx); err != nil {
		t.Fatal(err)
	}
	s.m.Reset()

	rt := s.tbl.ReadTx()
	bob := tablemap.TxGet(rt, s.profiles.Get(txProfile{Username: "bob"}))
	follows := tablemap.TxGet(rt, s.follows.Get(txFollow{Follower: "ann", Followed: "bob"}))
	back := tablemap.TxGet(rt, s.follows.Get(txFollow{Follower: "bob", Followed: "ann"}))
	name := tablemap.TxGet(rt, s.profiles.Get(txProfile{Username: "ann"}).Project("following"))
	if _, err := bob.Value(); err == nil {
		t.Error("Value before Run: no error")
	}
	if err := rt.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if n := s.m.Requests(); n != 1 || s.m.Requests("TransactGetItems") != 1 {
		t.Errorf("%d requests, want one TransactGetItems (%v)", n, s.m)
	}
	gotBob, err := bob.Value()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "bob", txProfile{Username: "bob", Followers: 1}, gotBob)
	gotFollow, err := follows.Value()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "follow", txFollow{Follower: "ann", Followed: "bob"}, gotFollow)
	if _, err := back.Value(); !errors.Is(err, tablemap.ErrNotFound) {
		t.Errorf("missing follow: error %v, want ErrNotFound", err)
	}
	gotAnn, err := name.Value()
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ann, projected", txProfile{Username: "ann", Following: 1}, gotAnn)
	in, err := rt.Params()
	if err != nil {
		t.Fatal(err)
	}
	if len(in.TransactItems) != 4 || in.TransactItems[3].Get.ProjectionExpression == nil {
		t.Errorf("request %+v: want 4 gets, the last projected", in.TransactItems)
	}
}

// TestTxCheckAndVersions: condition checks and versioned writes inside a
// transaction report their failures like the single operations.
func TestTxCheckAndVersions(t *testing.T) {
	t.Parallel()
	s := newSocial(t)
	s.put(t, "ann")
	if err := s.users.Put(User{Username: "ann", Email: "ann@x"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	ann, err := s.users.Get(User{Username: "ann"}).Consistent().Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ann.Version != 1 {
		t.Fatalf("version %d after a Put, want 1", ann.Version)
	}
	edge := func() *tablemap.Put[txFollow] { return s.follows.Put(txFollow{Follower: "ann", Followed: "cat"}) }
	for _, c := range []struct {
		name    string
		tx      *tablemap.WriteTx
		want    []error
		wantNot []error
	}{
		{"target missing", s.tbl.WriteTx().Put(edge()).Check(s.profiles.Check(txProfile{Username: "cat"}).Exists()),
			[]error{tablemap.ErrNotFound}, []error{tablemap.ErrConditionFailed, tablemap.ErrExists}},
		{"already exists", s.tbl.WriteTx().Put(edge()).Check(s.profiles.Check(txProfile{Username: "ann"}).NotExists()),
			[]error{tablemap.ErrExists, tablemap.ErrConditionFailed}, []error{tablemap.ErrNotFound}},
		{"condition", s.tbl.WriteTx().Put(edge()).Check(s.profiles.Check(txProfile{Username: "ann"}).If(expression.Name("followers").GreaterThan(expression.Value(10)))),
			[]error{tablemap.ErrConditionFailed}, []error{tablemap.ErrNotFound, tablemap.ErrExists, tablemap.ErrVersionConflict}},
		{"stale version update", s.tbl.WriteTx().Put(edge()).Update(s.users.Update(User{Username: "ann", Version: 7}).Set("name", "Ann")),
			[]error{tablemap.ErrVersionConflict, tablemap.ErrConditionFailed}, []error{tablemap.ErrNotFound}},
		{"stale version check", s.tbl.WriteTx().Put(edge()).Check(s.users.Check(User{Username: "ann", Version: 7})),
			[]error{tablemap.ErrVersionConflict, tablemap.ErrConditionFailed}, []error{tablemap.ErrNotFound}},
		{"version-0 put over an item", s.tbl.WriteTx().Put(edge()).Put(s.users.Put(User{Username: "ann", Email: "a@y"})),
			[]error{tablemap.ErrVersionConflict, tablemap.ErrConditionFailed}, []error{tablemap.ErrNotFound}},
	} {
		err := c.tx.Run(ctx)
		for _, want := range c.want {
			if !errors.Is(err, want) {
				t.Errorf("%s: error %v is not %q", c.name, err, want)
			}
		}
		for _, not := range c.wantNot {
			if errors.Is(err, not) {
				t.Errorf("%s: error %v is %q", c.name, err, not)
			}
		}
		if s.following(t, "ann", "cat") {
			t.Fatalf("%s: the edge was written by a cancelled transaction", c.name)
		}
	}
	// With the right version, both apply.
	err = s.tbl.WriteTx().Put(edge()).
		Check(s.users.Check(User{Username: "ann", Version: 1})).
		Update(s.profiles.Update(txProfile{Username: "ann"}).Incr("following", 1)).
		Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !s.following(t, "ann", "cat") {
		t.Error("no edge after the transaction")
	}
	if _, err := s.profiles.Check(txProfile{Username: "ann"}).Params(); err == nil {
		t.Error("a Check without a condition: no error")
	}
}
