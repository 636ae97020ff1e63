package tablemap

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/tablemap/tablemap/internal/engine"
)

// write sends one write request through call and returns its output and
// its error marked with its outcome (see attempts.outcome). Every
// single-item write, WriteTx and BatchWrite request goes through it; opts
// are more per-call options.
func write[In, Out any](ctx context.Context, call func(context.Context, *In, ...func(*dynamodb.Options)) (*Out, error), in *In, opts ...func(*dynamodb.Options)) (*Out, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // refused before sending
	}
	var a engine.Attempts
	out, err := call(ctx, in, append(opts, a.Track)...)
	_, idempotent := any(in).(*dynamodb.TransactWriteItemsInput)
	return out, a.Outcome(ctx, err, idempotent)
}
