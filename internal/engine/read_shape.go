package engine

import (
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A QueryShape is the built expressions of a read, with placeholders for
// its key values: reads that differ only in those values share one, so
// the expression builder runs once per shape, not once per read.
type QueryShape struct {
	KeyCond, Filter, Projection *string
	Names                       map[string]string
	Values                      map[string]types.AttributeValue // the values that are not key values
	Slots                       [3]string                       // placeholders of the partition key and the sort key operands a and b
	Now                         string                          // placeholder of the expiry filter's now, "" if none
}

// A ShapeKey is what a read's shape depends on. A caller's filter is not
// in it: reads with a filter build their own expressions.
type ShapeKey struct {
	Scan    bool
	G       *Index
	Op      KeyOp
	Ident   string // the entity types
	Project string
	Expiry  bool // the filter hides expired items
}

// OperandMark is the value a key operand has while its shape is built, to
// find its placeholder.
const OperandMark = "\x00tablemap key operand "

// Shape returns the read's expressions (without projection when count),
// from the table's cache when the read has no filter of its own.
func (r *Read) Shape(count bool) (*QueryShape, error) {
	project := r.Project
	if count {
		project = nil
	}
	cacheable := r.Filter == nil
	key := ShapeKey{Scan: r.IsScan(), G: r.G, Op: r.SK.Op, Ident: r.Ident, Project: strings.Join(project, "\x00"), Expiry: !r.ExpiredOK}
	if cacheable {
		if s, ok := r.T.QueryShapes.Load(key); ok {
			return s.(*QueryShape), nil
		}
	}
	s, err := r.buildShape(project, cacheable)
	if err != nil || !cacheable {
		return s, err
	}
	actual, _ := r.T.QueryShapes.LoadOrStore(key, s)
	return actual.(*QueryShape), nil
}

// buildShape builds the read's expressions projecting project; with marks,
// the key operands are placeholders found by their OperandMark values.
func (r *Read) buildShape(project []string, marks bool) (*QueryShape, error) {
	t := r.T
	b := expression.NewBuilder()
	if filter, ok := ReadFilter(t, r.Types, r.ExpiredOK, expression.Value(NowMark), r.Filter); ok {
		b = b.WithFilter(filter)
	}
	if !r.IsScan() {
		operands := [...]string{r.PK, r.SK.A, r.SK.B}
		if marks {
			for i := range operands {
				operands[i] = OperandMark + strconv.Itoa(i)
			}
		}
		kc := expression.Key(r.G.PKAttr).Equal(expression.Value(operands[0]))
		if c, ok := r.SK.Condition(r.G.SKAttr, operands[1], operands[2]); ok {
			kc = kc.And(c)
		}
		b = b.WithKeyCondition(kc)
	}
	if len(project) > 0 {
		b = b.WithProjection(t.Projection(r.keyAttrs, project))
	}
	expr, err := b.Build()
	if err != nil {
		return nil, err
	}
	if r.Filter != nil {
		if err := CheckCondition(t, r.Types, "the filter", expr.Filter(), expr.Names(), expr.Values()); err != nil {
			return nil, err
		}
	}
	s := &QueryShape{
		KeyCond: expr.KeyCondition(), Filter: expr.Filter(), Projection: expr.Projection(),
		Names: expr.Names(), Values: expr.Values(),
	}
	if s.Now = NowSlot(s.Values); s.Now != "" {
		delete(s.Values, s.Now)
	}
	if marks {
		for ph, v := range s.Values {
			if sv, ok := v.(*types.AttributeValueMemberS); ok && strings.HasPrefix(sv.Value, OperandMark) {
				i, _ := strconv.Atoi(strings.TrimPrefix(sv.Value, OperandMark))
				s.Slots[i] = ph
				delete(s.Values, ph)
			}
		}
	}
	return s, nil
}
