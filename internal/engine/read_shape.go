package engine

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/expr"
)

// A QueryShape is the built expressions of a read, with placeholders for
// its key values: reads that differ only in those values share one, so
// the expression builder runs once per shape, not once per read.
type QueryShape struct {
	KeyCond, Filter, Projection *string
	Names                       map[string]string
	Values                      map[string]types.AttributeValue // the values that are not key values
	Slots                       [3]string                       // placeholders of the partition key and the sort key operands a and b
	User                        []string                        // placeholders of the caller's filter's values, in Read.filter's order
	Now                         string                          // placeholder of the expiry filter's now, "" if none
	values                      []placed                        // Values as a list, quicker to copy than a map
}

// A placed is a value and its placeholder.
type placed struct {
	ph string
	v  types.AttributeValue
}

// A ShapeKey is what a read's shape depends on. A caller's filter is in
// it by its structure (see usercond.go); a read with a filter that has
// none builds its own expressions.
type ShapeKey struct {
	Scan  bool
	G     *Index
	Op    KeyOp
	Ident string // the entity types
	// Project holds the projected paths when they are at most four (no
	// string joined per read), else Projects them all, NUL-separated.
	Project  [4]string
	Projects string
	Expiry   bool   // the filter hides expired items
	Filter   string // the structure key of the caller's filter
}

// OperandMark is the value a key operand has while its shape is built, to
// find its placeholder.
const OperandMark = "\x00tablemap key operand "

// Shape returns the read's expressions (without projection when count),
// from the table's cache unless the read has a filter of its own that
// expr.UserCond does not read, or its table has cached maxUserShapes
// shapes with filters.
func (r *Read) Shape(count bool) (*QueryShape, error) {
	project := r.Project
	if count {
		project = nil
	}
	cacheable := r.Filter == nil || r.filter.read()
	key := ShapeKey{Scan: r.IsScan(), G: r.G, Op: r.SK.Op, Ident: r.Ident(), Expiry: !r.ExpiredOK}
	if len(project) <= len(key.Project) {
		copy(key.Project[:], project)
	} else {
		key.Projects = strings.Join(project, "\x00")
	}
	key.Filter = r.filter.key
	if cacheable {
		if s, ok := loadShape(r.T, &key); ok {
			return s, nil
		}
	}
	if r.Filter != nil && cacheable && userShapesFull(r.T) {
		cacheable = false
	}
	s, err := r.buildShape(project, cacheable)
	if err != nil || !cacheable || r.Filter != nil && !takeUserShape(r.T) {
		return s, err
	}
	actual, _ := r.T.QueryShapes.LoadOrStore(key, s)
	return actual.(*QueryShape), nil
}

// buildShape builds the read's expressions projecting project; with marks,
// the key operands and the values of the caller's filter are placeholders
// found by their OperandMark and valueMark values.
func (r *Read) buildShape(project []string, marks bool) (*QueryShape, error) {
	t := r.T
	b := expression.NewBuilder()
	user := r.Filter
	if marks && user != nil {
		m := expr.Marked(user, markOf)
		user = &m
	}
	if filter, ok := ReadFilter(t, r.Types(), r.ExpiredOK, expression.Value(NowMark), user); ok {
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
		b = b.WithProjection(t.Projection(r.keyAttrs(), project))
	}
	e, err := b.Build()
	if err != nil {
		return nil, err
	}
	s := &QueryShape{
		KeyCond: e.KeyCondition(), Filter: e.Filter(), Projection: e.Projection(),
		Names: e.Names(), Values: e.Values(),
	}
	if r.Filter != nil {
		if err := r.checkFilter(s, marks); err != nil {
			return nil, err
		}
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
	if marks && r.Filter != nil {
		s.User = make([]string, len(r.filter.values))
		for ph, v := range s.Values {
			if i := markIndex(v); i >= 0 && i < len(s.User) {
				s.User[i] = ph
				delete(s.Values, ph)
			}
		}
		if slices.Contains(s.User, "") {
			return nil, errors.New("internal error: a value of the filter has no placeholder")
		}
	}
	for ph, v := range s.Values {
		s.values = append(s.values, placed{ph, v})
	}
	return s, nil
}

// checkFilter runs CheckCondition on the filter of s, with the caller's
// values in place of their marks.
func (r *Read) checkFilter(s *QueryShape, marks bool) error {
	values := s.Values
	if marks {
		values = maps.Clone(values)
		for ph, v := range values {
			if i := markIndex(v); i >= 0 {
				values[ph] = r.filter.values[i]
			}
		}
	}
	return CheckCondition(r.T, r.Types(), "the filter", s.Filter, s.Names, values)
}
