package tablemap

import (
	"context"
	"errors"
	"net"
	"net/http/httptrace"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Sentinel errors of a write's outcome.
var (
	// ErrUnknownOutcome reports a write that may have been applied: a
	// request was sent and no definitive answer came back — the response
	// was lost, the server failed (5xx) or the context ended while waiting
	// — and no later attempt settled it. A failed condition on a retry of
	// such an attempt may be the write's own effect (an IfNotExists finding
	// the item it just wrote), so it is an unknown outcome too, not
	// ErrExists. It never holds when DynamoDB answered the only attempt
	// definitively (a failed condition, a validation error) nor when the
	// request was refused before sending. The SDK's error stays reachable
	// with errors.As.
	//
	// What to do: a write with an idempotency token (WriteTx.Token, the
	// Token options of the social and notes packages) is run again with
	// the same token, which applies it at most once. A write without one
	// is read back to find out, or made idempotent first.
	ErrUnknownOutcome = errors.New("outcome unknown: the write may have been applied")
	// ErrTokenReused reports an idempotency token given again with a
	// different request (DynamoDB's IdempotentParameterMismatchException).
	// DynamoDB remembers a transaction's token for ten minutes: within
	// them, the same token with the same request answers success without
	// applying it again, even when the items have changed since — Follow
	// with token T, Unfollow, Follow with T again succeeds and makes no
	// new edge. Use a new token for each new intent.
	ErrTokenReused = errors.New("idempotency token reused with a different request")
)

// An outcomeError marks the SDK's error of a write with what it means:
// ErrUnknownOutcome or ErrTokenReused.
type outcomeError struct {
	kind error
	err  error
}

func (e *outcomeError) Error() string   { return e.kind.Error() + ": " + e.err.Error() }
func (e *outcomeError) Unwrap() []error { return []error{e.kind, e.err} }

// attempts records what became of each attempt of one request, through a
// per-call middleware (see track): how many were made, and whether any
// may have been applied.
type attempts struct {
	mu        sync.Mutex
	n         int  // attempts made (the middleware ran)
	ambiguous bool // an attempt was sent and got no definitive answer
}

// track is the per-call option that installs the recording
// middleware. It works with a *dynamodb.Client; another Client may ignore
// it, and then the error alone decides (see outcome).
func (a *attempts) track(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		// At the end of Finalize: after the retry middleware, once per attempt.
		return s.Finalize.Add(middleware.FinalizeMiddlewareFunc("tablemap.Outcome", a.handle), middleware.After)
	})
}

func (a *attempts) handle(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	var mu sync.Mutex
	sent := false
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(w httptrace.WroteRequestInfo) {
			mu.Lock()
			sent = sent || w.Err == nil
			mu.Unlock()
		},
	})
	out, md, err := next.HandleFinalize(ctx, in)
	mu.Lock()
	wrote := sent
	mu.Unlock()
	a.mu.Lock()
	a.n++
	if wrote && err != nil && !definitive(err) {
		a.ambiguous = true
	}
	a.mu.Unlock()
	return out, md, err
}

// definitive reports whether err is an answer of DynamoDB that the request
// was not applied or failed as a whole: a 4xx response, except a
// transaction still in progress (an earlier attempt is being applied).
func definitive(err error) bool {
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) {
		return false
	}
	code := re.HTTPStatusCode()
	if code < 400 || code >= 500 {
		return false
	}
	var inProgress *types.TransactionInProgressException
	return !errors.As(err, &inProgress)
}

// throttled reports whether err is DynamoDB refusing a request for its
// rate (nothing of the request was applied).
func throttled(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	_, ok := retry.DefaultThrottleErrorCodes[ae.ErrorCode()]
	return ok && ae.ErrorCode() != "TransactionInProgressException"
}

// outcome returns err marked with what it means for a write sent with the
// attempts a recorded: ErrTokenReused, ErrUnknownOutcome, or err as it is
// when the write was certainly not applied. idempotent says the request
// carries a token every attempt shares (a transaction), so the last
// attempt's definitive answer settles the earlier ones.
func (a *attempts) outcome(ctx context.Context, err error, idempotent bool) error {
	if err == nil {
		return nil
	}
	var mismatch *types.IdempotentParameterMismatchException
	if errors.As(err, &mismatch) {
		return &outcomeError{kind: ErrTokenReused, err: err}
	}
	a.mu.Lock()
	n, ambiguous := a.n, a.ambiguous
	a.mu.Unlock()
	var unknown bool
	switch {
	case n == 0:
		// The middleware did not run (a Client that is no
		// *dynamodb.Client): judge by the error alone, conservatively.
		unknown = mayBeApplied(err)
	case idempotent:
		unknown = ambiguous && (!definitive(err) || throttled(err))
	default:
		unknown = ambiguous
	}
	if unknown {
		return &outcomeError{kind: ErrUnknownOutcome, err: err}
	}
	return err
}

// mayBeApplied judges an error without knowing its attempts: a
// definitive answer of DynamoDB (a 4xx, an API error of the client's
// fault that is no throttling) or an error before any request (a context
// that ended before the call (see write), a refused dial) was certainly
// not applied;
// anything else may have been, after an earlier attempt.
func mayBeApplied(err error) bool {
	if definitive(err) && !throttled(err) {
		return false
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorFault() == smithy.FaultClient && !throttled(err) {
		return false
	}
	var op *net.OpError
	return !errors.As(err, &op) || op.Op != "dial"
}

// write sends one write request through call and returns its output and
// its error marked with its outcome (see attempts.outcome). Every
// single-item write, WriteTx and BatchWrite request goes through it; opts
// are more per-call options.
func write[In, Out any](ctx context.Context, call func(context.Context, *In, ...func(*dynamodb.Options)) (*Out, error), in *In, opts ...func(*dynamodb.Options)) (*Out, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // refused before sending
	}
	var a attempts
	out, err := call(ctx, in, append(opts, a.track)...)
	_, idempotent := any(in).(*dynamodb.TransactWriteItemsInput)
	return out, a.outcome(ctx, err, idempotent)
}
