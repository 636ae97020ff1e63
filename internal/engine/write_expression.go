package engine

import (
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// expression renders the write entirely with the expression package: a
// write with more clauses than a cached shape holds, or a caller's
// condition that cannot be spliced (see renderUser).
func (x *writeExpr) expression() (rendered, error) {
	cv := x.condVals.appendTo(nil)
	next := func() expression.ValueBuilder {
		v := cv[0]
		cv = cv[1:]
		return expression.Value(v)
	}
	var parts []expression.ConditionBuilder
	for _, c := range x.key.conds[:x.nconds] {
		parts = append(parts, x.exprCond(c, next))
	}
	b := expression.NewBuilder()
	if len(parts) > 0 {
		cond := parts[0]
		switch {
		case x.key.nested:
			for _, p := range parts[1:] {
				cond = cond.And(p)
			}
		case len(parts) > 1:
			cond = expression.And(parts[0], parts[1], parts[2:]...)
		}
		b = b.WithCondition(cond)
	}
	if x.key.nclause > 0 || len(x.more) > 0 {
		b = b.WithUpdate(x.exprUpdate())
	}
	e, err := b.Build()
	if err != nil {
		return rendered{}, err
	}
	return rendered{cond: e.Condition(), update: e.Update(), names: e.Names(), values: e.Values()}, nil
}

func (x *writeExpr) exprCond(c condCode, next func() expression.ValueBuilder) expression.ConditionBuilder {
	s := x.key.s
	t := s.Table
	switch c {
	case condNoItem:
		if s.TTL == nil {
			return expression.Name(t.PK).AttributeNotExists()
		}
		return expression.Or(expression.Name(t.PK).AttributeNotExists(), expression.Name(s.TTL.Name).LessThanEqual(next()))
	case condAnItem:
		if s.TTL == nil {
			return expression.Name(t.PK).AttributeExists()
		}
		return expression.And(expression.Name(t.PK).AttributeExists(), x.exprCond(condUnexpired, next))
	case condIsOwn:
		return expression.Name(s.ownAttr()).Equal(next())
	case condAbsentOrOwn:
		return expression.Name(t.PK).AttributeNotExists().Or(x.exprCond(condIsOwn, next))
	case condExists:
		return expression.Name(t.PK).AttributeExists()
	case condVersionIs:
		return expression.Name(s.Version.Name).Equal(next())
	case condUnexpired:
		ttl := expression.Name(s.TTL.Name)
		return expression.Or(ttl.AttributeNotExists(), ttl.GreaterThan(next()))
	}
	return *x.user
}

func (x *writeExpr) exprUpdate() expression.UpdateBuilder {
	uv := x.updateVals.appendTo(nil)
	next := func() expression.ValueBuilder {
		v := uv[0]
		uv = uv[1:]
		return expression.Value(v)
	}
	var ub expression.UpdateBuilder
	for _, c := range append(x.key.clauses(), x.more...) {
		name := expression.Name(*c.path)
		switch c.op {
		case clauseSet:
			ub = ub.Set(name, next())
		case clauseSetIfNotExists:
			ub = ub.Set(name, expression.IfNotExists(name, next()))
		case clauseAppend:
			empty := next()
			ub = ub.Set(name, expression.ListAppend(expression.IfNotExists(name, empty), next()))
		case clauseAdd:
			ub = ub.Add(name, next())
		case clauseSum:
			zero := next()
			ub = ub.Set(name, expression.Plus(expression.IfNotExists(name, zero), next()))
		case clauseRemove:
			ub = ub.Remove(name)
		case clauseDelete:
			ub = ub.Delete(name, next())
		}
	}
	return ub
}

// emptyList is the default of an Append to a missing attribute.
func emptyList() types.AttributeValue {
	return &types.AttributeValueMemberL{Value: []types.AttributeValue{}}
}
