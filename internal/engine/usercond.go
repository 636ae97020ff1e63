package engine

import (
	"hash/maphash"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/expr"
)

// A caller's condition or filter (an expression.ConditionBuilder) is read
// into the structure key of its tree and its values (expr.UserCond). The
// expressions of a write or read with it are built once per structure,
// with expression, from a copy of the tree whose values are marks that
// tell where each value's placeholder lands; the check of the caller's
// condition (CheckCondition) runs then too, with the real values, whose
// attribute value types the key holds. A request of that structure only
// marshals its values. A tree expr.UserCond does not read, or a table
// past maxUserShapes, takes the old way: expression.Build per request.

// maxUserShapes bounds the shapes cached for callers' conditions per
// table: their structures come from code, but a caller may build them
// from data (IN with n values), and the cache must not grow with it.
const maxUserShapes = 1000

// userCache turns the cache of callers' conditions off, for the tests
// that compare it with the old way.
var userCache = true

// userShapesFull reports whether t has cached maxUserShapes shapes with a
// caller's condition.
func userShapesFull(t *Table) bool { return t.userShapes.Load() >= maxUserShapes }

// takeUserShape reports whether t may cache one more shape with a
// caller's condition, and counts it.
func takeUserShape(t *Table) bool {
	for {
		n := t.userShapes.Load()
		if n >= maxUserShapes {
			return false
		}
		if t.userShapes.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// valueMark is the value i has while a shape is built with marks.
const valueMark = "\x00tablemap value "

func markOf(i int) string { return valueMark + strconv.Itoa(i) }

// markIndex returns the index of the mark v, or -1 if v is not one.
func markIndex(v types.AttributeValue) int {
	s, ok := v.(*types.AttributeValueMemberS)
	if !ok || !strings.HasPrefix(s.Value, valueMark) {
		return -1
	}
	i, err := strconv.Atoi(s.Value[len(valueMark):])
	if err != nil {
		return -1
	}
	return i
}

// checkMarked runs CheckCondition on the caller's condition cb alone,
// built from its marked copy with the values vals: the check of the old
// way, which judges only the caller's part of an expression. built is
// false when expression refuses cb.
func checkMarked(t *Table, schemas []*Schema, what string, cb *expression.ConditionBuilder, vals []types.AttributeValue) (built bool, err error) {
	e, err := expression.NewBuilder().WithCondition(expr.Marked(cb, markOf)).Build()
	if err != nil {
		return false, nil
	}
	values := e.Values()
	for ph, v := range values {
		if i := markIndex(v); i >= 0 && i < len(vals) {
			values[ph] = vals[i]
		}
	}
	return true, CheckCondition(t, schemas, what, e.Condition(), e.Names(), values)
}

// A userWriteKey is the shape of a write with a caller's condition: its
// own conditions and clauses, and the structure of the caller's.
type userWriteKey struct {
	w    writeKey
	user string
}

// A userWrite is the rendering of a userWriteKey; its caller's condition
// passed CheckCondition.
type userWrite struct {
	key          userWriteKey
	cond, update *string
	names        map[string]string
	slots        []string // the placeholders of the own conditions' values, the caller's, the update's
}

// userWrites holds the userWrites of the shapes seen; adding copies the
// map (at most maxUserShapes per table), reading takes no lock.
var userWrites struct {
	mu sync.Mutex
	m  atomic.Pointer[map[userWriteKey]*userWrite]
}

// userConds recycles the buffers of reading callers' conditions.
var userConds = sync.Pool{New: func() any { return new(expr.UserCond) }}

// renderCached renders a write with a caller's condition from the cache;
// ok is false when it takes the old way (renderUser).
func (x *writeExpr) renderCached() (r rendered, ok bool, err error) {
	if !userCache || len(x.more) > 0 {
		return r, false, nil
	}
	u := userConds.Get().(*expr.UserCond)
	defer userConds.Put(u)
	if !u.Read(x.user) {
		return r, false, nil
	}
	slot := &userWriteMemo[userWriteIndex(&x.key, u.Key)]
	uw := slot.Load()
	if uw == nil || uw.key.w != x.key || uw.key.user != string(u.Key) {
		uw = nil
		if m := userWrites.m.Load(); m != nil {
			uw = (*m)[userWriteKey{w: x.key, user: string(u.Key)}]
		}
		if uw != nil {
			slot.Store(uw)
		}
	}
	if uw == nil {
		if userShapesFull(x.key.s.Table) {
			return r, false, nil
		}
		if uw, err = x.compileUser(u); uw == nil {
			return r, err != nil, err // a refused check; nil: the old way
		}
		uw.key = userWriteKey{w: x.key, user: string(u.Key)}
		storeUserWrite(x.key.s.Table, uw.key, uw)
	}
	var buf [32]types.AttributeValue
	vals := x.condVals.appendTo(buf[:0])
	vals = append(vals, u.Values...)
	vals = x.updateVals.appendTo(vals)
	var values map[string]types.AttributeValue // nil without values: DynamoDB refuses an empty map
	if len(vals) > 0 {
		values = make(map[string]types.AttributeValue, len(vals))
	}
	for i, v := range vals {
		values[uw.slots[i]] = v
	}
	return rendered{cond: uw.cond, update: uw.update, names: uw.names, values: values}, true, nil
}

func storeUserWrite(t *Table, k userWriteKey, uw *userWrite) {
	userWrites.mu.Lock()
	defer userWrites.mu.Unlock()
	old := userWrites.m.Load()
	if old != nil && (*old)[k] != nil || !takeUserShape(t) {
		return
	}
	m := make(map[userWriteKey]*userWrite, 1)
	if old != nil {
		m = make(map[userWriteKey]*userWrite, len(*old)+1)
		for ok, ov := range *old {
			m[ok] = ov
		}
	}
	m[k] = uw
	userWrites.m.Store(&m)
}

// compileUser builds the write x with every value a mark, with
// expression, and finds each value's placeholder. It returns nil and the
// refusal when the caller's condition fails CheckCondition, nil and nil
// when expression refuses the write (the old way says why).
func (x *writeExpr) compileUser(u *expr.UserCond) (*userWrite, error) {
	s := x.key.s
	if built, err := checkMarked(s.Table, []*Schema{s}, "the condition", x.user, u.Values); !built || err != nil {
		return nil, err
	}
	m := *x
	nc, nu := x.condVals.n, len(u.Values)
	m.condVals, m.updateVals = marks(0, nc), marks(nc+nu, x.updateVals.n)
	user := expr.Marked(x.user, func(i int) string { return markOf(nc + i) })
	m.user = &user
	e, err := m.expression()
	if err != nil {
		return nil, nil
	}
	slots := make([]string, nc+nu+x.updateVals.n)
	for ph, v := range e.values {
		if i := markIndex(v); i >= 0 && i < len(slots) {
			slots[i] = ph
		}
	}
	if len(e.values) != len(slots) {
		return nil, nil
	}
	for _, ph := range slots {
		if ph == "" {
			return nil, nil
		}
	}
	return &userWrite{cond: e.cond, update: e.update, names: e.names, slots: slots}, nil
}

// marks returns n marks, from mark from on.
func marks(from, n int) avs {
	var l avs
	for i := range n {
		l.add(&types.AttributeValueMemberS{Value: markOf(from + i)})
	}
	return l
}

// A userFilter is a read's filter read by expr.UserCond.
type userFilter struct {
	key    string // the structure key; "": no filter, or one that takes the old way
	values []types.AttributeValue
	fix    [2]types.AttributeValue // holds values when they fit (few: it is in every read)
}

// readFrom reads the caller's filter cb.
func (f *userFilter) readFrom(cb *expression.ConditionBuilder) {
	if cb == nil || !userCache {
		return
	}
	u := userConds.Get().(*expr.UserCond)
	defer userConds.Put(u)
	if u.Read(cb) {
		f.key, f.values = filterKey(u.Key), append(f.fix[:0:len(f.fix)], u.Values...)
	}
}

// filterKeys holds structure keys of filters seen, so that a read of a
// filter seen before takes its key without allocating one: a slot holds
// the last key of its hash.
var filterKeys [memoSlots]atomic.Pointer[string]

// filterKey returns key as a string, the one in filterKeys if it is there.
func filterKey(key []byte) string {
	slot := &filterKeys[maphash.Bytes(memoSeed, key)%memoSlots]
	if s := slot.Load(); s != nil && *s == string(key) {
		return *s
	}
	s := string(key)
	slot.Store(&s)
	return s
}

// read reports whether the filter was read (a key is never empty).
func (f *userFilter) read() bool { return f.key != "" }
