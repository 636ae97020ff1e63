package engine

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
)

// The checks of CheckCondition rest on parsing every form the expression
// package writes; a form it cannot parse is let through unchecked, so each
// must parse, to the atoms it holds.
func TestConditionParserReadsEveryForm(t *testing.T) {
	a, b, v := expression.Name("a"), expression.Name("b.c[1]"), expression.Value(1)
	tests := []struct {
		cond  expression.ConditionBuilder
		atoms int
	}{
		{a.Equal(v), 1},
		{a.NotEqual(v).And(a.LessThan(v), a.LessThanEqual(v)), 3},
		{a.GreaterThan(v).Or(a.GreaterThanEqual(v)).Not(), 2},
		{a.Between(v, v), 1},
		{a.In(v, v, v), 1},
		{expression.Size(b).GreaterThan(v), 1},
		{a.AttributeExists().And(b.AttributeNotExists()), 2},
		{a.AttributeType(expression.Number), 1},
		{a.BeginsWith("x").And(a.Contains("y")), 2},
		{expression.Value(2).LessThan(b), 1},
		{a.Equal(expression.Plus(b, v)), 1},
		{a.Equal(expression.IfNotExists(b, v)), 1},
		{a.Equal(b), 1},
	}
	for _, tt := range tests {
		expr, err := expression.NewBuilder().WithCondition(tt.cond).Build()
		if err != nil {
			t.Fatal(err)
		}
		s := aws.ToString(expr.Condition())
		if err := CheckCondition(NewTable(nil, "t"), nil, "c", expr.Condition(), expr.Names(), expr.Values()); err == nil {
			t.Errorf("%q: attribute a of no entity not refused", s)
		}
		p := &CondParser{Toks: CondTokens(s), Names: expr.Names(), Values: expr.Values()}
		if !p.Condition() || p.I != len(p.Toks) {
			t.Errorf("%q does not parse (stopped at token %d of %q)", s, p.I, p.Toks)
			continue
		}
		if len(p.Atoms) != tt.atoms {
			t.Errorf("%q: %d atoms, want %d", s, len(p.Atoms), tt.atoms)
		}
	}
}
