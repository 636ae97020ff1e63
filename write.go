package tablemap

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/tablemap/tablemap/internal/engine"
)

// A write is what the builders of one item's write (Put, Update, Delete,
// Check) share: the entity, the conditions of their If calls, the first
// error an option met, and the request compiled once, on the first
// Params, Value, Run or transaction, so that all of them agree.
type write[T any] struct {
	e    *Entity[T]
	spec func() engine.WriteSpec // the builder's options, as the engine takes them; nil for Update, which compiles itself first
	err  error
	// cond is the If conditions, ANDed, when hasCond: held in the builder,
	// not allocated apart.
	cond expression.ConditionBuilder

	built, hasCond bool
	req            engine.WriteRequest
}

// and ANDs cond to the write's conditions.
func (w *write[T]) and(cond expression.ConditionBuilder) {
	if w.hasCond {
		cond = expression.And(w.cond, cond)
	}
	w.cond, w.hasCond = cond, true
}

// build compiles the write unless it is built already; ctx is for
// sealing encrypted attributes. An option's error, kept instead, is
// given the item's key.
func (w *write[T]) build(ctx context.Context) {
	if !w.built {
		w.compile(ctx, w.spec())
	}
	w.req.Alone() // an Update compiled for a transaction or its Params, now used alone
}

// compile compiles the write of spec (see build): for a builder that
// makes its write only when compiled, with no spec function to keep.
func (w *write[T]) compile(ctx context.Context, spec engine.WriteSpec) {
	w.built = true
	spec.S = w.e.s
	if w.hasCond {
		spec.Cond = &w.cond
	}
	if w.err != nil {
		if ie := (*ItemError)(nil); errors.As(w.err, &ie) {
			ie.Key, _ = spec.S.Key(spec.P)
		}
		return
	}
	w.err = spec.Compile(ctx, &w.req)
}

// params returns the request for a Params method: a copy the caller may
// change, since a compiled request's names map is its shape's.
func (w *write[T]) params() (engine.WriteRequest, error) {
	w.build(context.Background())
	return w.req.Copy(), w.err
}

// txRequest compiles the write as Params does (see txWriter).
func (w *write[T]) txRequest() (*engine.WriteRequest, error) {
	if !w.built {
		w.compile(context.Background(), w.spec())
	}
	w.req.Reclaim() // an Update compiled by its Params: its input is the caller's
	return &w.req, w.err
}
