package engine

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

// Attempts records what became of each attempt of one request, through a
// per-call middleware (see track): how many were made, and whether any
// may have been applied.
type Attempts struct {
	Mu        sync.Mutex
	N         int  // attempts made (the middleware ran)
	Ambiguous bool // an attempt was sent and got no definitive answer
}

// Track is the per-call option that installs the recording
// middleware. It works with a *dynamodb.Client; another Client may ignore
// it, and then the error alone decides (see outcome).
func (a *Attempts) Track(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		// At the end of Finalize: after the retry middleware, once per attempt.
		return s.Finalize.Add(middleware.FinalizeMiddlewareFunc("tablemap.Outcome", a.Handle), middleware.After)
	})
}

func (a *Attempts) Handle(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	at := new(attempt) // one per attempt: a late callback of an earlier one cannot mark this one
	at.trace.WroteRequest = at.wrote
	out, md, err := next.HandleFinalize(httptrace.WithClientTrace(ctx, &at.trace), in)
	wrote := at.sent()
	a.Mu.Lock()
	a.N++
	if wrote && err != nil && !Definitive(err) {
		a.Ambiguous = true
	}
	a.Mu.Unlock()
	return out, md, err
}

// An attempt learns from its HTTP trace whether its request was written.
type attempt struct {
	mu      sync.Mutex
	written bool
	trace   httptrace.ClientTrace
}

func (at *attempt) wrote(w httptrace.WroteRequestInfo) {
	at.mu.Lock()
	at.written = at.written || w.Err == nil
	at.mu.Unlock()
}

func (at *attempt) sent() bool {
	at.mu.Lock()
	defer at.mu.Unlock()
	return at.written
}

// Definitive reports whether err is an answer of DynamoDB that the request
// was not applied or failed as a whole: a 4xx response, except a
// transaction still in progress (an earlier attempt is being applied).
func Definitive(err error) bool {
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

// Throttled reports whether err is DynamoDB refusing a request for its
// rate (nothing of the request was applied).
func Throttled(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	_, ok := retry.DefaultThrottleErrorCodes[ae.ErrorCode()]
	return ok && ae.ErrorCode() != "TransactionInProgressException"
}

// Outcome returns err marked with what it means for a write sent with the
// attempts a recorded: ErrTokenReused, ErrUnknownOutcome, or err as it is
// when the write was certainly not applied. idempotent says the request
// carries a token every attempt shares (a transaction), so the last
// attempt's definitive answer settles the earlier ones.
func (a *Attempts) Outcome(ctx context.Context, err error, idempotent bool) error {
	if err == nil || errors.Is(err, ErrNoClient) {
		return err // nothing was sent
	}
	var mismatch *types.IdempotentParameterMismatchException
	if errors.As(err, &mismatch) {
		return &OutcomeError{Kind: ErrTokenReused, Err: err}
	}
	a.Mu.Lock()
	n, ambiguous := a.N, a.Ambiguous
	a.Mu.Unlock()
	var unknown bool
	switch {
	case n == 0:
		// The middleware did not run (a Client that is no
		// *dynamodb.Client): judge by the error alone, conservatively.
		unknown = MayBeApplied(err)
	case idempotent:
		unknown = ambiguous && (!Definitive(err) || Throttled(err))
	default:
		unknown = ambiguous
	}
	if unknown {
		return &OutcomeError{Kind: ErrUnknownOutcome, Err: err}
	}
	return err
}

// MayBeApplied judges an error without knowing its attempts: a
// definitive answer of DynamoDB (a 4xx, an API error of the client's
// fault that is no throttling) or an error before any request (a context
// that ended before the call (see write), a refused dial) was certainly
// not applied;
// anything else may have been, after an earlier attempt.
func MayBeApplied(err error) bool {
	if Definitive(err) && !Throttled(err) {
		return false
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorFault() == smithy.FaultClient && !Throttled(err) {
		return false
	}
	var op *net.OpError
	return !errors.As(err, &op) || op.Op != "dial"
}

// Write sends one write request through call and returns its output and
// its error marked with its outcome (see attempts.outcome). Every
// single-item write, WriteTx and BatchWrite request goes through it; opts
// are more per-call options.
func Write[In, Out any](ctx context.Context, call func(context.Context, *In, ...func(*dynamodb.Options)) (*Out, error), in *In, opts ...func(*dynamodb.Options)) (*Out, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // refused before sending
	}
	var a Attempts
	out, err := call(ctx, in, append(opts, a.Track)...)
	_, idempotent := any(in).(*dynamodb.TransactWriteItemsInput)
	return out, a.Outcome(ctx, err, idempotent)
}
