package expr

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// rendered is what a request carries from either side.
type rendered struct {
	Condition, Filter, KeyCondition, Projection, Update *string

	Names  map[string]string
	Values map[string]types.AttributeValue
}

var avOpts = cmpopts.IgnoreUnexported(types.AttributeValueMemberS{})

// testValues are n distinct values, in shape order.
func testValues(n int) []types.AttributeValue {
	vals := make([]types.AttributeValue, n)
	for i := range vals {
		vals[i] = &types.AttributeValueMemberS{Value: fmt.Sprintf("value %d", i)}
	}
	return vals
}

// sameAsExpression checks that s compiles to what expression builds for the
// same input with the values vals, or that both fail. It reports whether
// both succeeded.
func sameAsExpression(t *testing.T, s Shape) bool {
	t.Helper()
	vals := testValues(s.values())
	want, wantErr := viaExpression(t, s, vals)
	comp, err := Compile(s)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("shape %+v: Compile error %v, expression error %v", s, err, wantErr)
	}
	if err != nil {
		return false
	}
	if comp.NumValues() != len(vals) {
		t.Fatalf("shape %+v: NumValues %d, want %d", s, comp.NumValues(), len(vals))
	}
	got := rendered{comp.Condition(), comp.Filter(), comp.KeyCondition(), comp.Projection(), comp.Update(), comp.Names(), nil}
	if got.Values, err = comp.Values(vals); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got, avOpts); d != "" {
		t.Fatalf("shape %+v: compiled differs from expression (-want +got):\n%s", s, d)
	}
	return true
}

// viaExpression builds s with expression, feeding it vals in shape order.
func viaExpression(t *testing.T, s Shape, vals []types.AttributeValue) (rendered, error) {
	t.Helper()
	f := &feed{vals: vals}
	b := expression.NewBuilder()
	if s.Condition.op != condUnset {
		b = b.WithCondition(f.cond(s.Condition))
	}
	if s.Filter.op != condUnset {
		b = b.WithFilter(f.cond(s.Filter))
	}
	if s.KeyCondition.set {
		b = b.WithKeyCondition(f.key(s.KeyCondition))
	}
	if len(s.Projection) > 0 {
		names := make([]expression.NameBuilder, len(s.Projection))
		for i, p := range s.Projection {
			names[i] = expression.Name(p)
		}
		b = b.WithProjection(expression.NamesList(names[0], names[1:]...))
	}
	if len(s.Update) > 0 {
		b = b.WithUpdate(f.update(s.Update))
	}
	if f.i != len(vals) {
		t.Fatalf("shape %+v: expression took %d values, the shape says %d", s, f.i, len(vals))
	}
	e, err := b.Build()
	return rendered{e.Condition(), e.Filter(), e.KeyCondition(), e.Projection(), e.Update(), e.Names(), e.Values()}, err
}

// A feed hands out the values in shape order as the builders are made.
type feed struct {
	vals []types.AttributeValue
	i    int
}

func (f *feed) next() expression.ValueBuilder {
	f.i++
	return expression.Value(f.vals[f.i-1])
}

// prefix is the next value as the string expression's BeginsWith takes.
func (f *feed) prefix() string {
	f.i++
	return f.vals[f.i-1].(*types.AttributeValueMemberS).Value
}

func operand(o Operand) expression.OperandBuilder {
	if o.size {
		return expression.Name(o.path).Size()
	}
	return expression.Name(o.path)
}

func (f *feed) cond(c Cond) expression.ConditionBuilder {
	switch c.op {
	case condEqual:
		return expression.Equal(operand(c.attr), f.next())
	case condNotEqual:
		return expression.NotEqual(operand(c.attr), f.next())
	case condLess:
		return expression.LessThan(operand(c.attr), f.next())
	case condLessEqual:
		return expression.LessThanEqual(operand(c.attr), f.next())
	case condGreater:
		return expression.GreaterThan(operand(c.attr), f.next())
	case condGreaterEqual:
		return expression.GreaterThanEqual(operand(c.attr), f.next())
	case condBetween:
		lo := f.next()
		return expression.Between(operand(c.attr), lo, f.next())
	case condIn:
		vals := make([]expression.OperandBuilder, c.nvals+1)
		for i := range c.nvals {
			vals[i] = f.next()
		}
		return expression.In(operand(c.attr), vals[0], vals[1:c.nvals]...)
	case condBeginsWith:
		return expression.BeginsWith(expression.Name(c.attr.path), f.prefix())
	case condExists:
		return expression.AttributeExists(expression.Name(c.attr.path))
	case condNotExists:
		return expression.AttributeNotExists(expression.Name(c.attr.path))
	case condAnd, condOr:
		kids := make([]expression.ConditionBuilder, len(c.kids))
		for i, k := range c.kids {
			kids[i] = f.cond(k)
		}
		if c.op == condAnd {
			return expression.And(kids[0], kids[1], kids[2:]...)
		}
		return expression.Or(kids[0], kids[1], kids[2:]...)
	case condNot:
		return expression.Not(f.cond(c.kids[0]))
	}
	return expression.ConditionBuilder{}
}

func (f *feed) key(k KeyCond) expression.KeyConditionBuilder {
	kc := expression.Key(k.pk).Equal(f.next())
	sk := expression.Key(k.sk)
	switch k.op {
	case KeyEqual:
		return kc.And(sk.Equal(f.next()))
	case KeyLess:
		return kc.And(sk.LessThan(f.next()))
	case KeyLessEqual:
		return kc.And(sk.LessThanEqual(f.next()))
	case KeyGreater:
		return kc.And(sk.GreaterThan(f.next()))
	case KeyGreaterEqual:
		return kc.And(sk.GreaterThanEqual(f.next()))
	case KeyBetween:
		lo := f.next()
		return kc.And(sk.Between(lo, f.next()))
	case KeyBeginsWith:
		return kc.And(sk.BeginsWith(f.prefix()))
	}
	return kc
}

func (f *feed) update(u Update) expression.UpdateBuilder {
	var ub expression.UpdateBuilder
	for _, c := range u {
		name := expression.Name(c.path)
		switch c.op {
		case clauseSet:
			ub = ub.Set(name, f.next())
		case clauseSetIfNotExists:
			ub = ub.Set(name, expression.IfNotExists(name, f.next()))
		case clauseAppendList:
			empty := f.next()
			ub = ub.Set(name, expression.ListAppend(expression.IfNotExists(name, empty), f.next()))
		case clauseAdd:
			ub = ub.Add(name, f.next())
		case clauseDelete:
			ub = ub.Delete(name, f.next())
		case clauseRemove:
			ub = ub.Remove(name)
		}
	}
	return ub
}
