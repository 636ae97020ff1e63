package expr

// A Shape describes the expressions of one request without their values.
// A zero field is absent. The values of the request are given to
// Compiled.Values in the order of these fields.
type Shape struct {
	Condition    Cond
	Filter       Cond
	KeyCondition KeyCond
	Projection   Projection
	Update       Update
}

// An Operand is the left side of a condition: an attribute path, or its
// size. Its right side is always a value placeholder.
type Operand struct {
	path string
	size bool
}

// Name is the attribute path p, split at '.' as expression.Name splits it.
func Name(p string) Operand { return Operand{path: p} }

// Size is size(p), as expression.Name(p).Size().
func Size(p string) Operand { return Operand{path: p, size: true} }

type condOp uint8

const (
	condUnset condOp = iota
	condEqual
	condNotEqual
	condLess
	condLessEqual
	condGreater
	condGreaterEqual
	condBetween
	condIn
	condBeginsWith
	condExists
	condNotExists
	condAnd
	condOr
	condNot
)

// A Cond is a condition (or filter) tree. The zero Cond is unset: absent as
// a field of Shape, an error inside a tree, as in expression.
type Cond struct {
	op    condOp
	attr  Operand
	nvals int    // values of In
	kids  []Cond // of And, Or, Not
}

// Equal is o = :v.
func (o Operand) Equal() Cond { return Cond{op: condEqual, attr: o} }

// NotEqual is o <> :v.
func (o Operand) NotEqual() Cond { return Cond{op: condNotEqual, attr: o} }

// LessThan is o < :v.
func (o Operand) LessThan() Cond { return Cond{op: condLess, attr: o} }

// LessThanEqual is o <= :v.
func (o Operand) LessThanEqual() Cond { return Cond{op: condLessEqual, attr: o} }

// GreaterThan is o > :v.
func (o Operand) GreaterThan() Cond { return Cond{op: condGreater, attr: o} }

// GreaterThanEqual is o >= :v.
func (o Operand) GreaterThanEqual() Cond { return Cond{op: condGreaterEqual, attr: o} }

// Between is o BETWEEN :lo AND :hi (two values).
func (o Operand) Between() Cond { return Cond{op: condBetween, attr: o} }

// In is o IN (:v1, ... :vn), n >= 1 values.
func (o Operand) In(n int) Cond { return Cond{op: condIn, attr: o, nvals: n} }

// BeginsWith is begins_with(o, :prefix); o may not be a Size.
func (o Operand) BeginsWith() Cond { return Cond{op: condBeginsWith, attr: o} }

// Exists is attribute_exists(o); o may not be a Size.
func (o Operand) Exists() Cond { return Cond{op: condExists, attr: o} }

// NotExists is attribute_not_exists(o); o may not be a Size.
func (o Operand) NotExists() Cond { return Cond{op: condNotExists, attr: o} }

// And is (c1) AND (c2) ...; And of one condition is that condition, And of
// none is unset. Nested Ands stay nested, as in expression.
func And(conds ...Cond) Cond { return compound(condAnd, conds) }

// Or is (c1) OR (c2) ...; Or of one condition is that condition, Or of
// none is unset.
func Or(conds ...Cond) Cond { return compound(condOr, conds) }

// Not is NOT (c).
func Not(c Cond) Cond { return Cond{op: condNot, kids: []Cond{c}} }

func compound(op condOp, conds []Cond) Cond {
	switch len(conds) {
	case 0:
		return Cond{}
	case 1:
		return conds[0]
	}
	return Cond{op: op, kids: append([]Cond(nil), conds...)}
}

// values is the number of values c takes.
func (c Cond) values() int {
	switch c.op {
	case condExists, condNotExists, condUnset:
		return 0
	case condBetween:
		return 2
	case condIn:
		return c.nvals
	case condAnd, condOr, condNot:
		n := 0
		for _, k := range c.kids {
			n += k.values()
		}
		return n
	}
	return 1
}

// A KeyOp compares a sort key with its values in a KeyCond.
type KeyOp uint8

const (
	keyNone KeyOp = iota
	KeyEqual
	KeyLess
	KeyLessEqual
	KeyGreater
	KeyGreaterEqual
	KeyBetween // two values
	KeyBeginsWith
)

// A KeyCond is a key condition: the partition key equal to a value and at
// most one comparison of the sort key. The zero KeyCond is absent.
type KeyCond struct {
	pk, sk string
	op     KeyOp
	set    bool
}

// PartitionKey is pk = :v, as expression.Key(pk).Equal(v).
func PartitionKey(pk string) KeyCond { return KeyCond{pk: pk, set: true} }

// And adds the comparison op of the sort key sk, as
// expression's KeyConditionBuilder.And.
func (k KeyCond) And(sk string, op KeyOp) KeyCond {
	k.sk, k.op = sk, op
	return k
}

func (k KeyCond) values() int {
	switch {
	case !k.set:
		return 0
	case k.op == keyNone:
		return 1
	case k.op == KeyBetween:
		return 3
	}
	return 2
}

// A Projection is a list of attribute paths to read.
type Projection []string

type clauseOp uint8

// The actions of an update, in the order expression renders them.
const (
	clauseAdd clauseOp = iota
	clauseDelete
	clauseRemove
	clauseSet
	clauseSetIfNotExists
	clauseAppendList
)

// A Clause is one action of an Update on one attribute path.
type Clause struct {
	op   clauseOp
	path string
}

// An Update is the clauses of an update expression, in the order written.
type Update []Clause

// Set is SET p = :v.
func Set(p string) Clause { return Clause{clauseSet, p} }

// SetIfNotExists is SET p = if_not_exists(p, :v).
func SetIfNotExists(p string) Clause { return Clause{clauseSetIfNotExists, p} }

// AppendList is SET p = list_append(if_not_exists(p, :empty), :v): two
// values, the default list first.
func AppendList(p string) Clause { return Clause{clauseAppendList, p} }

// Add is ADD p :v.
func Add(p string) Clause { return Clause{clauseAdd, p} }

// Remove is REMOVE p (no value).
func Remove(p string) Clause { return Clause{clauseRemove, p} }

// Delete is DELETE p :v (remove elements from a set).
func Delete(p string) Clause { return Clause{clauseDelete, p} }

func (c Clause) values() int {
	switch c.op {
	case clauseRemove:
		return 0
	case clauseAppendList:
		return 2
	}
	return 1
}

// group is the action keyword c renders under; SET variants share "SET".
func (c Clause) group() clauseOp { return min(c.op, clauseSet) }
