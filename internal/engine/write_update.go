package engine

import (
	"context"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/keys"
)

// actionClauses are the clauses of the actions of one value.
var actionClauses = [...]clauseOp{UpdateSet: clauseSet, UpdateSetIfNotExists: clauseSetIfNotExists, UpdateAdd: clauseAdd, UpdateDeleteFromSet: clauseDelete}

// updateExpr adds the clauses of the actions, of the index keys they
// change, of the version increment and the updated time, and the
// conditions that the item exists, is of this entity, has not expired and
// is of the expected version.
func (w *WriteSpec) updateExpr(ctx context.Context, x *writeExpr, f *Failure) error {
	s := w.S
	if len(w.Actions) == 0 {
		return fmt.Errorf("nothing to update")
	}
	x.init(s, true)
	for i := range w.Actions {
		if p := w.Actions[i].NestedPath(); p != nil {
			// A path is a request value, never part of a cached shape:
			// every clause of the update is rendered by expression.
			x.docPaths = true
			m := f.ext()
			m.Paths = append(m.Paths, *p)
		}
	}
	for i := range w.Actions {
		a := &w.Actions[i]
		if a.F == nil {
			x.pathClause(a)
			continue
		}
		av := a.Av
		if av != nil && a.F.HasOption("encrypted") {
			var err error
			if av, err = s.Seal(ctx, f.Key, a.F, av); err != nil {
				return err
			}
		}
		switch a.Kind {
		case UpdateRemove:
			x.clause(clauseRemove, &a.F.Name)
		case UpdateAppend:
			x.clause(clauseAppend, &a.F.Name, emptyList(), av)
		default:
			x.clause(actionClauses[a.Kind], &a.F.Name, av)
		}
	}
	if err := w.indexKeys(x, f); err != nil {
		return err
	}
	x.add(condIsOwn, f, 0) // the item exists and is of this entity
	if s.TTL != nil {
		x.add(condUnexpired, f, 0) // and has not expired: Get would not find it
	}
	if s.Version != nil {
		x.clause(clauseAdd, &s.Version.Name, NumberValue(1))
	}
	w.expectVersion(x, f)
	if s.Updated != nil {
		av, err := s.Updated.Marshal(reflect.ValueOf(s.Table.Now()))
		if err != nil {
			return err
		}
		x.clause(clauseSet, &s.Updated.Name, av)
	}
	x.addUser(w.indexedCond(f))
	return nil
}

// pathClause adds the clause of an action on a nested path, as
// PathUpdate.Apply builds it: a nested Add is SET p = if_not_exists(p, 0)
// + v, since DynamoDB's ADD is for top-level attributes.
func (x *writeExpr) pathClause(a *UpdateAction) {
	p := &a.X.Path.Path
	switch a.Kind {
	case UpdateRemove:
		x.clause(clauseRemove, p)
	case UpdateAppend:
		x.clause(clauseAppend, p, emptyList(), a.Av)
	case UpdateAdd:
		x.clause(clauseSum, p, &types.AttributeValueMemberN{Value: "0"}, a.Av)
	default:
		x.clause(actionClauses[a.Kind], p, a.Av)
	}
}

// indexedCond is the caller's condition and that the index keys f.extra.Indexed
// names are stored (see indexKey).
func (w *WriteSpec) indexedCond(f *Failure) *expression.ConditionBuilder {
	cond := w.Cond
	for _, ia := range f.indexed() {
		cond = And(cond, expression.Name(ia.Attr).AttributeExists())
	}
	return cond
}

// indexKeys adds the GSI key changes the actions imply: an index that
// reads a removed field loses its keys (the item leaves the sparse index);
// a key that reads a field set is recomputed, which needs all its fields,
// those not set taken from the key value; an empty one takes the item out
// of the index.
func (w *WriteSpec) indexKeys(x *writeExpr, f *Failure) error {
	s := w.S
	if len(s.GSIOf) == 0 {
		return nil // no field is an index's: no action changes a key
	}
	var set, removed map[string]bool
	var next reflect.Value // the key value with the Set values: the new index fields
	for i := range w.Actions {
		a := &w.Actions[i]
		if a.F == nil || a.Kind != UpdateSet && a.Kind != UpdateRemove || len(s.GSIOf[a.F.Name]) == 0 {
			continue
		}
		if set == nil {
			set, removed = map[string]bool{}, map[string]bool{}
			next = reflect.New(s.Typ)
			next.Elem().Set(reflect.NewAt(s.Typ, w.P).Elem())
		}
		if a.Kind == UpdateSet {
			set[a.F.Name] = true
			a.F.Value(next.UnsafePointer()).Set(a.X.V)
		} else {
			removed[a.F.Name] = true
		}
	}
	if set == nil {
		return nil
	}
	for _, g := range s.GSIs {
		if err := w.indexKey(x, f, g, set, removed, next.UnsafePointer()); err != nil {
			return err
		}
	}
	return nil
}

func (w *WriteSpec) indexKey(x *writeExpr, f *Failure, g *Index, set, removed map[string]bool, np unsafe.Pointer) error {
	remove := func() {
		x.clause(clauseRemove, &g.PKAttr)
		if g.SK != nil {
			x.clause(clauseRemove, &g.SKAttr)
		}
	}
	if Touches(g.Fields(), removed) {
		remove()
		return nil
	}
	type change struct {
		attr *string
		part *KeyPart
	}
	var changes, others []change
	for _, c := range []change{{&g.PKAttr, g.PK}, {&g.SKAttr, g.SK}} {
		switch {
		case c.part == nil:
		case Touches(c.part.Fields, set):
			changes = append(changes, c)
		default:
			others = append(others, c)
		}
	}
	if len(changes) == 0 {
		return nil
	}
	left := false
	for _, c := range changes {
		for _, f := range c.part.Fields {
			if !set[f.Name] && keys.IsZero(f.Value(w.P)) {
				return fmt.Errorf("changing index %s's key %s needs its field %q too: Set it, or give its current value in the key value", g.Name, *c.attr, f.Name)
			}
		}
		left = left || !c.part.Complete(np)
	}
	if left {
		remove()
		return nil
	}
	// The other key of the index is rewritten too when the key value gives
	// its fields; else it must be stored already: an item not yet in the
	// (sparse) index would get one key alone and stay out of it.
	for _, c := range others {
		if w.given(c.part, set) {
			changes = append(changes, c)
		} else {
			m := f.ext()
			m.Indexed = append(m.Indexed, IndexedAttr{Index: g.Name, Attr: *c.attr})
		}
	}
	for _, c := range changes {
		key, err := c.part.Build(np)
		if err != nil {
			return fmt.Errorf("index %s: %w", g.Name, err)
		}
		x.clause(clauseSet, c.attr, &types.AttributeValueMemberS{Value: key})
	}
	return nil
}

// given reports whether every field of part is set by the update or given
// in the key value.
func (w *WriteSpec) given(part *KeyPart, set map[string]bool) bool {
	for _, f := range part.Fields {
		if !set[f.Name] && keys.IsZero(f.Value(w.P)) {
			return false
		}
	}
	return true
}
