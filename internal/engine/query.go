package engine

import (
	"fmt"
	"slices"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/keys"
)

// SkOp is a sort key comparison.
type SkOp int

const (
	SkEqual SkOp = iota + 1
	SkLess
	SkLessOrEqual
	SkGreater
	SkGreaterOrEqual
	SkBetween
	SkBeginsWith
)

// checkSKSize refuses sort key operands over MaxSortKeyBytes, which
// DynamoDB would refuse too.
func (r *Read) checkSKSize() error {
	if r.G.SK == nil {
		return nil
	}
	for _, operand := range [...]string{r.SK.A, r.SK.B} {
		// The tag is joined only for an error: most queries pass.
		if len(operand) > MaxSortKeyBytes {
			return CheckKeySize(r.G.SK.Tag+" condition", operand, MaxSortKeyBytes)
		}
	}
	return nil
}

// A keyOp is a comparison of a key condition on the sort key.
type KeyOp int

const (
	KeyAny KeyOp = iota // no condition
	KeyEqual
	KeyBeginsWith
	KeyLess
	KeyLessOrEqual
	KeyGreater
	KeyGreaterOrEqual
	KeyBetween
)

// An skKey is a key condition on the sort key: a comparison with a (and b
// for between).
type SkKey struct {
	Op   KeyOp
	A, B string
}

// Condition returns the key condition on attr, comparing with a and b
// (which replace k's operands, for building with placeholders).
func (k SkKey) Condition(attr, a, b string) (expression.KeyConditionBuilder, bool) {
	key := expression.Key(attr)
	switch k.Op {
	case KeyEqual:
		return key.Equal(expression.Value(a)), true
	case KeyBeginsWith:
		return key.BeginsWith(a), true
	case KeyLess:
		return key.LessThan(expression.Value(a)), true
	case KeyLessOrEqual:
		return key.LessThanEqual(expression.Value(a)), true
	case KeyGreater:
		return key.GreaterThan(expression.Value(a)), true
	case KeyGreaterOrEqual:
		return key.GreaterThanEqual(expression.Value(a)), true
	case KeyBetween:
		return key.Between(expression.Value(a), expression.Value(b)), true
	}
	return expression.KeyConditionBuilder{}, false
}

// SkCondition returns the key condition of a sort key comparison with the
// values at a and b (b only for between).
func (g *Index) SkCondition(op SkOp, a, b unsafe.Pointer) (SkKey, error) {
	lo, err := g.SkBound(a)
	if err != nil {
		return SkKey{}, err
	}
	switch op {
	case SkEqual:
		if lo.Complete {
			return SkKey{Op: KeyEqual, A: lo.Prefix}, nil
		}
		return SkKey{Op: KeyBeginsWith, A: lo.Prefix}, nil
	case SkLess:
		return SkKey{Op: KeyLess, A: lo.Prefix}, nil
	case SkLessOrEqual:
		if lo.Complete {
			return SkKey{Op: KeyLessOrEqual, A: lo.Prefix}, nil
		}
		return SkKey{Op: KeyLess, A: lo.After()}, nil
	case SkGreater:
		if lo.Complete {
			return SkKey{Op: KeyGreater, A: lo.Prefix}, nil
		}
		return SkKey{Op: KeyGreaterOrEqual, A: lo.After()}, nil
	case SkGreaterOrEqual:
		return SkKey{Op: KeyGreaterOrEqual, A: lo.Prefix}, nil
	case SkBetween:
		hi, err := g.SkBound(b)
		if err != nil {
			return SkKey{}, err
		}
		upper := hi.Prefix
		if !hi.Complete {
			upper = hi.After()
		}
		if g.SK.below(upper, lo.Prefix) {
			return SkKey{}, fmt.Errorf("sort key range is empty: lower bound %s is above upper bound %s", keys.Quote(lo.Prefix), keys.Quote(upper))
		}
		return SkKey{Op: KeyBetween, A: lo.Prefix, B: upper}, nil
	case SkBeginsWith:
		if g.SK.Kind == types.ScalarAttributeTypeN {
			return SkKey{}, fmt.Errorf("%w: %s: the sort key is a number, which has no begins_with", ErrInvalidKey, g.SK.Tag)
		}
		return SkKey{Op: KeyBeginsWith, A: lo.Begins}, nil
	}
	return SkKey{}, fmt.Errorf("unknown sort key comparison %d", op)
}

// An skBound is the sort key of a value's leading sort key fields.
type SkBound struct {
	Prefix   string // the key prefix of the fields, ending on a field boundary
	Begins   string // the same without the literal text after the last field
	Complete bool   // every field is set: prefix is a full key
}

// After returns the least string above every string that starts with the
// bound's prefix. A partial prefix ends with literal text that starts with
// the delimiter, which no encoded value holds, so no key of the template is
// that string itself.
func (b SkBound) After() string {
	return b.Prefix[:len(b.Prefix)-1] + string(b.Prefix[len(b.Prefix)-1]+1)
}

func (g *Index) SkBound(p unsafe.Pointer) (SkBound, error) {
	k := g.SK
	vals, err := k.Values(p, BoundFields)
	if err != nil {
		return SkBound{}, err
	}
	if len(vals) == 0 && len(k.Fields) > 0 {
		return SkBound{}, fmt.Errorf("%w: %s: the sort key condition's value sets no sort key field (the first is %q)", ErrInvalidKey, k.Tag, k.Fields[0].Name)
	}
	b := SkBound{Prefix: k.Prefix(vals), Complete: len(vals) == len(k.Fields)}
	b.Begins = b.Prefix
	if n := len(vals); n > 0 {
		b.Begins = k.Prefix(vals[:n-1]) + vals[n-1]
	}
	if !b.Complete {
		if last := b.Prefix[len(b.Prefix)-1]; last >= 0x7f {
			return SkBound{}, fmt.Errorf("%s: cannot compare a partial sort key ending in byte %#x; set every sort key field", k.Tag, last)
		}
	}
	return b, nil
}

// CheckProject returns an error naming the first of attrs that is not a
// top-level attribute of the entity, for Project.
func (s *Schema) CheckProject(attrs []string) error {
	for _, a := range attrs {
		if s.Codec.Field(a) == nil {
			return fmt.Errorf("project: %s has no attribute %q", s.Name, a)
		}
	}
	return nil
}

// Projection returns the projection of a read of attrs: the type attribute
// (to check each item's entity), then the key attributes keys, then attrs.
// On a table without type attribute, the attributes that tell the entity
// come first instead (see recognitionAttrs), each name once.
func (t *Table) Projection(keys, attrs []string) expression.ProjectionBuilder {
	first := t.recognitionAttrs()
	proj := expression.NamesList(expression.Name(first[0]))
	seen := map[string]bool{first[0]: true}
	for _, list := range [][]string{first[1:], keys, attrs} {
		for _, a := range list {
			if t.TypeAttr == "" && seen[a] {
				continue
			}
			seen[a] = true
			proj = proj.AddNames(expression.Name(a))
		}
	}
	return proj
}

// FillKey sets the table key fields of the value at p from item's table
// key attributes, for items read with a projection.
func (s *Schema) FillKey(item map[string]types.AttributeValue, p unsafe.Pointer) error {
	for _, part := range s.tableKeyParts() {
		if part.k == nil {
			continue
		}
		key, ok := KeyString(item[part.attr])
		if !ok {
			return fmt.Errorf("item has no key attribute %q", part.attr)
		}
		if err := part.k.Parse(key, p); err != nil {
			return err
		}
	}
	return nil
}

func TypeFilter(t *Table, schemas []*Schema, user *expression.ConditionBuilder) expression.ConditionBuilder {
	name := expression.Name(t.TypeAttr)
	var c expression.ConditionBuilder
	if len(schemas) == 1 {
		c = name.Equal(expression.Value(schemas[0].Name))
	} else {
		vals := make([]expression.OperandBuilder, len(schemas))
		for i, s := range schemas {
			vals[i] = expression.Value(s.Name)
		}
		c = name.In(vals[0], vals[1:]...)
	}
	if user != nil {
		c = expression.And(c, *user)
	}
	return c
}

// KeyAttrs returns the key attributes of items read from index g: the
// table's key, and the index's.
func KeyAttrs(t *Table, g *Index) []string {
	if c := g.keyAttrs.Load(); c != nil && c.t == t {
		return c.attrs
	}
	if v, ok := t.keyAttrs.Load(g); ok {
		g.keyAttrs.Store(&indexKeyAttrs{t: t, attrs: v.([]string)})
		return v.([]string)
	}
	attrs := []string{t.PK}
	if t.SK != "" {
		attrs = append(attrs, t.SK)
	}
	for _, a := range []string{g.PKAttr, g.SKAttr} {
		if a != "" && (g.PK != nil && a == g.PKAttr || g.SK != nil) && !slices.Contains(attrs, a) {
			attrs = append(attrs, a)
		}
	}
	attrs = slices.Clip(attrs) // shared: an append copies
	t.keyAttrs.Store(g, attrs)
	return attrs
}

// SkArg is a sort key condition on values of the entity's type: the
// values at A, and B for between.
type SkArg struct {
	Op   SkOp
	A, B unsafe.Pointer
}

// NewQuery returns the query with options o of s's items in the partition
// of the value at p (see Query in the root package): its sort key
// condition is sk, or without one the prefix of the value's leading sort
// key fields.
func NewQuery(s *Schema, o ReadOptions, p unsafe.Pointer, sk *SkArg) (*Read, error) {
	return NewQueryIn(&Read{ReadOptions: o}, s, p, sk)
}

// NewQueryIn is NewQuery in dst, with dst's options: a builder's room
// for its read, whose options its option calls set, saving an allocation.
// Dst's other fields are overwritten.
func NewQueryIn(dst *Read, s *Schema, p unsafe.Pointer, sk *SkArg) (*Read, error) {
	r, err := newQueryIn(dst, KindQuery, s, nil, p, sk)
	if err != nil {
		return nil, err
	}
	return r, r.finish()
}

// newQueryIn makes r the read of kind of the items of s or plan's entities
// (see newReadIn) in the partition of the value at p, with its key
// condition, unfinished.
func newQueryIn(r *Read, kind ReadKind, s *Schema, plan *collectionPlan, p unsafe.Pointer, sk *SkArg) (*Read, error) {
	r, err := newReadIn(r, kind, s, plan)
	if err != nil {
		return nil, err
	}
	if err := r.keyCondition(p, sk); err != nil {
		return nil, r.Wrap(err)
	}
	return r, nil
}

// keyCondition sets the partition and sort key condition of a query of the
// value at p.
func (r *Read) keyCondition(p unsafe.Pointer, sk *SkArg) error {
	g := r.G
	pk, err := g.PK.Build(p)
	if err != nil {
		return err
	}
	r.PK = pk
	if sk != nil {
		if g.SK == nil {
			return fmt.Errorf("index %q of %s has no sort key to compare", g.Name, r.one[0].Name)
		}
		if r.SK, err = g.SkCondition(sk.Op, sk.A, sk.B); err != nil {
			return err
		}
		return r.checkSKSize()
	}
	if g.SK != nil {
		vals, err := g.SK.Values(p, QueryFields)
		if err != nil {
			return err
		}
		prefix := g.SK.Prefix(vals)
		switch {
		case len(vals) == len(g.SK.Fields):
			r.SK = SkKey{Op: KeyEqual, A: prefix}
		case prefix != "":
			r.SK = SkKey{Op: KeyBeginsWith, A: prefix}
		}
	}
	return r.checkSKSize()
}
