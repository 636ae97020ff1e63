package tablemap_test

import (
	"context"
	"crypto/rand"
	"errors"
	mrand "math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/internal/dynamotest"
	"github.com/tablemap/tablemap/internal/faults"
)

// faultyTable returns a table reached through a fault-injecting transport
// (the SDK's default three attempts), the same table reached directly, and
// the transport. ops are the operations faults hit.
func faultyTable(t *testing.T, seed uint64, rates faults.Rates, ops ...string) (*tablemap.Table, *tablemap.Table, *faults.Transport) {
	t.Helper()
	tr := faults.New(seed, faults.Rates{}, ops...)
	client := dynamotest.Client(t, func(o *dynamodb.Options) {
		o.HTTPClient = tr.Client()
		// The SDK's default three attempts, with short pauses and no retry
		// quota, so that a test of many faults runs in seconds.
		o.RetryMaxAttempts = 0
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 3
			so.MaxBackoff = 20 * time.Millisecond
			so.RateLimiter = ratelimit.None
		})
	})
	name := dynamotest.TableName(t)
	tbl := tablemap.NewTable(client, name)
	direct := tablemap.NewTable(dynamotest.Client(t), name)
	tr.SetRates(rates)
	return tbl, direct, tr
}

// oCounter is an unversioned counter, moved with ADD.
type oCounter struct {
	_    struct{} `tablemap:"Counter" pk:"COUNTER#{name}"`
	Name string   `dynamo:"name"`
	N    int      `dynamo:"n"`
}

// TestUnknownOutcomeUnderFaults sends conditional puts through lost
// responses, server errors and throttling, then reads what was stored:
// every write that failed but was applied is ErrUnknownOutcome (never
// ErrExists, though its retry found its own item), and faults that never
// reach the server give no unknown outcome.
func TestUnknownOutcomeUnderFaults(t *testing.T) {
	t.Parallel()
	tbl, direct, tr := faultyTable(t, 13, faults.Rates{}, "PutItem", "TransactWriteItems")
	posts := define[qPost](t, tbl)
	directPosts := define[qPost](t, direct)
	counters := define[oCounter](t, tbl)
	directCounters := define[oCounter](t, direct)
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	if err := directCounters.Put(oCounter{Name: "c"}).Run(ctx); err != nil {
		t.Fatal(err)
	}

	// Faults before and after the server.
	tr.SetRates(faults.Rates{Drop: 0.3, ServerAfter: 0.15, ServerFirst: 0.1, Throttle: 0.15})
	ps := manyPosts("ann", 120)
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = posts.Put(p).IfNotExists().Run(ctx)
	}
	stored, err := directPosts.BatchGet(ps...).Consistent().Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	applied := map[int]bool{}
	for _, p := range stored {
		applied[p.ID] = true
	}
	appliedFailed, unknown := 0, 0
	for i, err := range errs {
		isUnknown := errors.Is(err, tablemap.ErrUnknownOutcome)
		switch {
		case err == nil && !applied[i]:
			t.Errorf("put %d: no error, not stored", i)
		case err != nil && applied[i] && !isUnknown:
			t.Errorf("put %d: stored, but error %v is not ErrUnknownOutcome", i, err)
		case isUnknown && (errors.Is(err, tablemap.ErrExists) || errors.Is(err, tablemap.ErrConditionFailed)):
			t.Errorf("put %d: unknown outcome %v also claims a failed condition", i, err)
		}
		if err != nil && applied[i] {
			appliedFailed++
		}
		if isUnknown {
			unknown++
		}
	}
	t.Logf("120 puts: %d applied but failed, %d unknown outcomes; faults: drop %d, 500 after %d, 500 first %d, throttle %d",
		appliedFailed, unknown, tr.Count("drop"), tr.Count("server-after"), tr.Count("server-first"), tr.Count("throttle"))
	if appliedFailed == 0 {
		t.Error("no applied write failed: the faults did not bite")
	}

	// Faults that never reach the server: every failure is definitive, and
	// a condition failing on a stored item is ErrExists.
	tr.SetRates(faults.Rates{ServerFirst: 0.3, Throttle: 0.3})
	for i, p := range ps[:40] {
		err := posts.Put(p).IfNotExists().Run(ctx)
		switch {
		case errors.Is(err, tablemap.ErrUnknownOutcome):
			t.Errorf("put %d again: %v is an unknown outcome; no request reached the server unanswered", i, err)
		case err != nil && !errors.Is(err, tablemap.ErrExists) && !isRefusal(err):
			t.Errorf("put %d again: %v, want ErrExists or a refusal", i, err)
		case err == nil && applied[i]:
			t.Errorf("put %d again: IfNotExists succeeded on a stored item", i)
		}
	}

	// Counters: each increment is a transaction with a token, run again
	// (the same WriteTx) until it succeeds: no drift.
	tr.SetRates(faults.Rates{Drop: 0.3, ServerAfter: 0.15, ServerFirst: 0.1, Throttle: 0.15})
	const incs = 40
	run := rand.Text()[:16] // DynamoDB remembers tokens account-wide: unique to this run
	for i := range incs {
		tx := tbl.WriteTx().Update(counters.Update(oCounter{Name: "c"}).Incr("n", 1)).Token(run + "-" + strconv.Itoa(i))
		for try := 0; ; try++ {
			err := tx.Run(ctx)
			if err == nil {
				break
			}
			if try == 20 {
				t.Fatalf("increment %d: still failing: %v", i, err)
			}
		}
	}
	c, err := directCounters.Get(oCounter{Name: "c"}).Consistent().Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.N != incs {
		t.Errorf("counter %d after %d increments retried with their tokens, want %d", c.N, incs, incs)
	}
}

// isRefusal reports an error the injected refusals (a 500 before the
// server, throttling) end in once the SDK's retries run out: no condition
// failed, the outcome is known.
func isRefusal(err error) bool {
	var ie *tablemap.ItemError
	return errors.As(err, &ie) && ie.Kind == nil
}

// TestUnknownOutcomeDefinitive: DynamoDB's definitive answers, and a
// context ended before sending, are never unknown outcomes; a deadline
// passing after sending is one.
func TestUnknownOutcomeDefinitive(t *testing.T) {
	t.Parallel()
	tbl, _, tr := faultyTable(t, 1, faults.Rates{})
	posts := define[qPost](t, tbl)
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	p := qPost{User: "ann", Posted: minute(1), ID: 1}
	if err := posts.Put(p).IfNotExists().Run(ctx); err != nil {
		t.Fatal(err)
	}
	err := posts.Put(p).IfNotExists().Run(ctx)
	wantErr(t, err, tablemap.ErrExists)
	if errors.Is(err, tablemap.ErrUnknownOutcome) {
		t.Errorf("%v: a failed condition on the only attempt is an unknown outcome", err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	err = posts.Put(qPost{User: "ann", Posted: minute(2), ID: 2}).Run(done)
	if err == nil || errors.Is(err, tablemap.ErrUnknownOutcome) {
		t.Errorf("put with a cancelled context: %v, want an error that is no unknown outcome", err)
	}

	// A paused server: the deadline passes after the request was served.
	tr.SetRates(faults.Rates{Hang: 1})
	short, stop := context.WithTimeout(ctx, 200*time.Millisecond)
	defer stop()
	err = posts.Put(qPost{User: "ann", Posted: minute(3), ID: 3}).Run(short)
	if !errors.Is(err, tablemap.ErrUnknownOutcome) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("put past its deadline on a paused server: %v, want ErrUnknownOutcome and the deadline", err)
	}
}

// TestBatchWriteUnderFaults: a 2,000-item BatchWrite through 25 %
// throttled requests and 30 % lost responses, with default options, loses
// nothing and finishes in time; with no retries, Unprocessed holds only
// writes not done, Unknown the others that failed, and every write in
// neither is stored.
func TestBatchWriteUnderFaults(t *testing.T) {
	t.Parallel()
	tbl, direct, tr := faultyTable(t, 7, faults.Rates{}, "BatchWriteItem")
	posts := define[qPost](t, tbl)
	directPosts := define[qPost](t, direct)
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	tr.SetRates(faults.Rates{Drop: 0.3, Throttle: 0.25})

	ps := manyPosts("ann", 2000)
	w := tbl.BatchWrite()
	for _, p := range ps {
		w.Put(posts.Put(p))
	}
	start := time.Now()
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("2,000 puts in %v; faults: drop %d, throttle %d, none %d", took, tr.Count("drop"), tr.Count("throttle"), tr.Count("none"))
	if took > 60*time.Second {
		t.Errorf("2,000 puts took %v, want at most 60s", took)
	}
	got, err := directPosts.BatchGet(ps...).Consistent().Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ps) {
		t.Errorf("%d of %d posts stored", len(got), len(ps))
	}

	// No retries: what failed is split between Unprocessed and Unknown.
	qs := manyPosts("bob", 500)
	w = tbl.BatchWrite().Retries(0)
	for _, p := range qs {
		w.Put(posts.Put(p))
	}
	err = w.Run(ctx)
	var be *tablemap.BatchError
	if !errors.As(err, &be) || !errors.Is(err, tablemap.ErrUnprocessed) {
		t.Fatalf("error %v, want a *BatchError wrapping ErrUnprocessed", err)
	}
	if len(be.Unknown) == 0 || len(be.Unprocessed) == 0 || !errors.Is(err, tablemap.ErrUnknownOutcome) {
		t.Errorf("%d unprocessed, %d unknown, error %v: want both, and ErrUnknownOutcome", len(be.Unprocessed), len(be.Unknown), err)
	}
	stored, err := directPosts.BatchGet(qs...).Consistent().Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	isStored := map[tablemap.Key]bool{}
	for _, p := range stored {
		isStored[key(t, directPosts, p)] = true
	}
	// Each write reported holds its item, whole, as a Put would send it
	// (a batch encodes its puts as it sends them; these it encodes anew).
	for _, it := range append(be.Unprocessed[:len(be.Unprocessed):len(be.Unprocessed)], be.Unknown...) {
		v, err := posts.Decode(it.Item)
		if err != nil || key(t, posts, v) != it.Key || v.Body != "post" {
			t.Errorf("reported write {%s}: item %v decodes to %+v, %v", it.Key, it.Item, v, err)
		}
	}
	failed := map[tablemap.Key]bool{}
	for _, it := range be.Unprocessed {
		failed[it.Key] = true
		if isStored[it.Key] {
			t.Errorf("unprocessed write {%s} is stored", it.Key)
		}
	}
	unknownStored := 0
	for _, it := range be.Unknown {
		failed[it.Key] = true
		if isStored[it.Key] {
			unknownStored++
		}
	}
	for _, p := range qs {
		if k := key(t, directPosts, p); !failed[k] && !isStored[k] {
			t.Errorf("write {%s} reported done is not stored", k)
		}
	}
	t.Logf("no retries: %d unprocessed, %d unknown (%d of them stored)", len(be.Unprocessed), len(be.Unknown), unknownStored)
	if unknownStored == 0 {
		t.Error("no unknown write was stored: the lost responses did not bite")
	}
}

// blindClient hides a client's per-call options from it (as a wrapper
// that is no *dynamodb.Client may), applies each write, and answers with
// the error next returns.
type blindClient struct {
	tablemap.Client
	next func() error
}

func (c *blindClient) PutItem(ctx context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	out, err := c.Client.PutItem(ctx, in)
	if err != nil {
		return out, err
	}
	return out, c.next()
}

// TestUnknownOutcomeWithoutMiddleware: a client the outcome middleware
// cannot reach is judged by its error, conservatively.
func TestUnknownOutcomeWithoutMiddleware(t *testing.T) {
	t.Parallel()
	var answer error
	bc := &blindClient{Client: dynamotest.Client(t), next: func() error { return answer }}
	tbl := tablemap.NewTable(bc, dynamotest.TableName(t))
	posts := define[qPost](t, tbl)
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		answer  error
		unknown bool
	}{
		{&smithy.GenericAPIError{Code: "InternalServerError", Fault: smithy.FaultServer}, true},
		{&smithy.GenericAPIError{Code: "ThrottlingException", Fault: smithy.FaultClient}, true},
		{&types.ProvisionedThroughputExceededException{}, true},
		{errors.New("connection reset by peer"), true},
		{&types.ConditionalCheckFailedException{}, false},
		{&smithy.GenericAPIError{Code: "ValidationException", Fault: smithy.FaultClient}, false},
	} {
		answer = c.answer
		err := posts.Put(qPost{User: "ann", Posted: minute(i), ID: i}).Run(ctx)
		if got := errors.Is(err, tablemap.ErrUnknownOutcome); got != c.unknown {
			t.Errorf("answer %v: error %v, unknown outcome %v, want %v", c.answer, err, got, c.unknown)
		}
		if !errors.Is(err, c.answer) {
			t.Errorf("answer %v: error %v does not wrap it", c.answer, err)
		}
	}
}

// failingBatches fails every other batch request, before it reaches
// DynamoDB, with a throttling error.
type failingBatches struct {
	tablemap.Client
	mu    sync.Mutex
	calls int
}

func (c *failingBatches) fail() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	return c.calls%2 == 1
}

func (c *failingBatches) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	if c.fail() {
		return nil, &types.ProvisionedThroughputExceededException{}
	}
	return c.Client.BatchWriteItem(ctx, in, opts...)
}

func (c *failingBatches) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	if c.fail() {
		return nil, &smithy.GenericAPIError{Code: "ThrottlingException", Fault: smithy.FaultClient}
	}
	return c.Client.BatchGetItem(ctx, in, opts...)
}

// TestBatchRetriesRequestErrors: a throttled request does not end a batch;
// its items are sent again, and concurrent requests keep the order of
// the results.
func TestBatchRetriesRequestErrors(t *testing.T) {
	t.Parallel()
	fc := &failingBatches{Client: dynamotest.Client(t)}
	tbl := tablemap.NewTable(fc, dynamotest.TableName(t))
	posts := define[qPost](t, tbl)
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	ps := manyPosts("ann", 300)
	w := tbl.BatchWrite().Concurrency(3).Backoff(time.Millisecond, 4*time.Millisecond)
	for _, p := range ps {
		w.Put(posts.Put(p))
	}
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	g := posts.BatchGet(ps...)
	if err := tbl.BatchGet(g).Concurrency(3).Backoff(time.Millisecond, 4*time.Millisecond).Run(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "posts written and read through throttled requests", ps, g.Items())
	if fc.calls < 2*(12+3) {
		t.Errorf("%d batch requests, want every other one failed and sent again", fc.calls)
	}
}

// TestWriteTxTokenReused: a token again with another request wraps
// ErrTokenReused and the SDK's error.
func TestWriteTxTokenReused(t *testing.T) {
	t.Parallel()
	tbl, m := setup(t)
	posts := define[qPost](t, tbl)
	create(t, tbl, m)
	tok := rand.Text()[:20]
	if err := tbl.WriteTx().Put(posts.Put(qPost{User: "ann", Posted: minute(1), ID: 1})).Token(tok).Run(ctx); err != nil {
		t.Fatal(err)
	}
	err := tbl.WriteTx().Put(posts.Put(qPost{User: "ann", Posted: minute(2), ID: 2})).Token(tok).Run(ctx)
	wantErr(t, err, tablemap.ErrTokenReused)
	var mismatch *types.IdempotentParameterMismatchException
	if !errors.As(err, &mismatch) || errors.Is(err, tablemap.ErrUnknownOutcome) {
		t.Errorf("error %v: want the SDK's mismatch, and no unknown outcome", err)
	}
}

// holdBack leaves each write of a BatchWriteItem unprocessed with
// probability p, as DynamoDB does under throttling.
type holdBack struct {
	tablemap.Client
	p   float64
	mu  sync.Mutex
	rng *mrand.Rand
}

func (c *holdBack) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	out := &dynamodb.BatchWriteItemOutput{UnprocessedItems: map[string][]types.WriteRequest{}}
	send := map[string][]types.WriteRequest{}
	c.mu.Lock()
	for table, reqs := range in.RequestItems {
		for _, r := range reqs {
			if c.rng.Float64() < c.p {
				out.UnprocessedItems[table] = append(out.UnprocessedItems[table], r)
			} else {
				send[table] = append(send[table], r)
			}
		}
	}
	c.mu.Unlock()
	if len(send) > 0 {
		if _, err := c.Client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: send}, opts...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TestBatchBackoffResets: with 30 % of the writes of every request held
// back, the pause falls back to its base whenever a response makes
// progress, so 2,000 writes take seconds, not minutes (2 min 43 s when the
// pause only grew).
func TestBatchBackoffResets(t *testing.T) {
	t.Parallel()
	hb := &holdBack{Client: dynamotest.Client(t), p: 0.3, rng: mrand.New(mrand.NewPCG(3, 4))}
	tbl := tablemap.NewTable(hb, dynamotest.TableName(t))
	posts := define[qPost](t, tbl)
	if err := tbl.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	ps := manyPosts("ann", 2000)
	w := tbl.BatchWrite().Concurrency(1) // one request at a time, as measured before
	for _, p := range ps {
		w.Put(posts.Put(p))
	}
	start := time.Now()
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("2,000 writes, 30 %% held back, one request at a time: %v", took)
	if took > 60*time.Second {
		t.Errorf("2,000 writes with 30 %% held back took %v, want well under a minute", took)
	}
	got, err := posts.BatchGet(ps...).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ps) {
		t.Errorf("%d of %d posts stored", len(got), len(ps))
	}
}
