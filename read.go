package tablemap

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/tablemap/tablemap/internal/engine"
)

// A reading is what Query and Scan share: the entity, the read the next
// terminal call uses, whose options the option calls set, the first error
// an option met, and the build of that read, built again after any option
// call.
type reading[T any] struct {
	e *Entity[T]
	// next holds the options. It is the builder's own room until built;
	// the first option after that moves the options to a read of their
	// own, since pages of the built one may still be read. (Options held
	// once, not also in the builder: a smaller builder.)
	next    *engine.Read
	err     error
	filter1 expression.ConditionBuilder // the first Filter, which the options' Filter points to: no allocation of its own

	version uint64 // counts option calls: a read built at another count is stale
	read    engine.Built
}

// options returns the options for an option call to set; every option
// call gets them, as it leaves the built read stale.
func (r *reading[T]) options() *engine.ReadOptions {
	if r.read.Holds(r.next) {
		r.next = &engine.Read{ReadOptions: r.next.ReadOptions}
	}
	r.version++
	return &r.next.ReadOptions
}

// fail keeps err if it is the first an option met.
func (r *reading[T]) fail(err error) {
	if r.err == nil {
		o := &r.next.ReadOptions
		r.err = &QueryError{Op: o.Kind.String(), Entity: r.e.s.Name, Index: o.Index, Err: err}
	}
}

// limit, filter and project are the options Query and Scan share.
func (r *reading[T]) limit(n int) {
	if n < 0 {
		r.fail(fmt.Errorf("negative limit %d", n))
	}
	r.options().Limit = n
}

func (r *reading[T]) filter(cond expression.ConditionBuilder) {
	o := r.options()
	if o.Filter == nil {
		// Never changed once set: a read built from it keeps pointing to it.
		r.filter1 = cond
		o.Filter = &r.filter1
	} else {
		o.Filter = engine.And(o.Filter, cond)
	}
}

func (r *reading[T]) project(attrs []string) {
	o := r.options()
	if len(o.Project) > 0 {
		attrs = append(o.Project[:len(o.Project):len(o.Project)], attrs...)
	}
	var err error
	if o.Project, err = r.e.s.Projection(attrs); err != nil {
		r.fail(err)
	}
}

// ready returns the read built from the options as they are (building it
// with build, the Query's or Scan's, unless it is built already), or the
// first option error or the build's. (Build is an argument, not a field:
// a smaller builder.)
func (r *reading[T]) ready(build func() (*engine.Read, error)) (*engine.Read, error) {
	if r.err != nil {
		return nil, r.err
	}
	return r.read.Get(r.version, build)
}

// page reads the page after cursor (see Query.Page).
func (r *reading[T]) page(ctx context.Context, cursor string, build func() (*engine.Read, error)) (*Page[T], error) {
	rd, err := r.ready(build)
	if err != nil {
		return nil, err
	}
	return readPage(ctx, rd, r.e, cursor)
}

// count counts the items the read matches (see Query.Count).
func (r *reading[T]) count(ctx context.Context, build func() (*engine.Read, error)) (int, error) {
	rd, err := r.ready(build)
	if err != nil {
		return 0, err
	}
	return rd.Count(ctx)
}
