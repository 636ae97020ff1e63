package tablemap

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/tablemap/tablemap/internal/engine"
)

// A reading is what Query and Scan share: the entity, the read options
// their option calls set, the first error an option met, and the read built
// from the options, built again after any option call.
type reading[T any] struct {
	e       *Entity[T]
	builder readBuilder // the Query or Scan, which builds the read from the options
	opts    engine.ReadOptions
	err     error
	filter1 expression.ConditionBuilder // the first Filter, which opts.Filter points to: no allocation of its own

	version uint64 // counts option calls: a read built at another count is stale
	read    engine.Built
}

// fail keeps err if it is the first an option met.
func (r *reading[T]) fail(err error) {
	if r.err == nil {
		r.err = &QueryError{Op: r.builder.opName(), Entity: r.e.s.Name, Index: r.opts.Index, Err: err}
	}
}

// limit, filter and project are the options Query and Scan share; like
// every option, they leave the built read stale.
func (r *reading[T]) limit(n int) {
	if n < 0 {
		r.fail(fmt.Errorf("negative limit %d", n))
	}
	r.opts.Limit = n
	r.version++
}

func (r *reading[T]) filter(cond expression.ConditionBuilder) {
	if r.opts.Filter == nil {
		// Never changed once set: a read built from it keeps pointing to it.
		r.filter1 = cond
		r.opts.Filter = &r.filter1
	} else {
		r.opts.Filter = engine.And(r.opts.Filter, cond)
	}
	r.version++
}

func (r *reading[T]) project(attrs []string) {
	r.opts.Project = append(r.opts.Project, attrs...)
	if err := r.e.s.CheckProjectPaths(r.opts.Project); err != nil {
		r.fail(err)
	}
	r.version++
}

// ready returns the read built from the options as they are (building it
// unless it is built already), or the first option error or the build's.
func (r *reading[T]) ready() (*engine.Read, error) {
	if r.err != nil {
		return nil, r.err
	}
	return r.read.Get(r.version, r.builder.newRead)
}

// A readBuilder builds its read from its options. (An interface, not a
// func field: a closure would be one more allocation per builder.)
type readBuilder interface {
	newRead() (*engine.Read, error)
	opName() string // "Query" or "Scan", for errors (a method, not a field: a smaller builder)
}

// page reads the page after cursor (see Query.Page).
func (r *reading[T]) page(ctx context.Context, cursor string) (*Page[T], error) {
	rd, err := r.ready()
	if err != nil {
		return nil, err
	}
	return readPage(ctx, rd, r.e, cursor)
}

// count counts the items the read matches (see Query.Count).
func (r *reading[T]) count(ctx context.Context) (int, error) {
	rd, err := r.ready()
	if err != nil {
		return 0, err
	}
	return rd.Count(ctx)
}
