package engine

import (
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/expr"
)

// The expressions of a write are rendered by internal/expr from a writeKey
// that names their shape, compiled once per key: the strings and names map
// of a request depend only on which conditions and clauses it has, not on
// their values. A caller's condition (an opaque expression.ConditionBuilder)
// is built alone with expression and spliced in (see writeExpr.combine);
// the result is byte for byte what expression gives for the whole.

// A condCode is one of tablemap's own conditions of a write.
type condCode uint8

const (
	condEnd         condCode = iota
	condNoItem               // attribute_not_exists(PK), OR ttl <= :now with a ttl field
	condAnItem               // attribute_exists(PK), AND unexpired with a ttl field
	condIsOwn                // _type = :type (or the match attribute; see Schema.ownAttr)
	condAbsentOrOwn          // attribute_not_exists(PK) OR _type = :type
	condExists               // attribute_exists(PK): condIsOwn of an entity recognised by its keys
	condVersionIs            // version = :n
	condUnexpired            // attribute_not_exists(ttl) OR ttl > :now
	condUser                 // the caller's condition
)

// The update actions a write renders, as expr's clause constructors.
type clauseOp uint8

const (
	clauseSet clauseOp = iota + 1
	clauseSetIfNotExists
	clauseAppend
	clauseAdd
	clauseRemove
	clauseDelete
	clauseSum // SET p = if_not_exists(p, :zero) + :v, of a nested path: rendered by expression only
)

// Limits of a cached shape; a write beyond them is rendered by expression.
const (
	maxConds     = 6
	maxClauses   = 16
	maxUserNames = 4
)

// A clauseKey is one update clause: its action and the attribute it
// changes, by the address of the schema's string holding its name (a
// field's, an index key's), which the schema never changes: a key of
// pointers hashes much faster than one of strings.
type clauseKey struct {
	op   clauseOp
	path *string
}

// A writeKey determines the Shape of a write's expressions: the entity
// (which fixes the attribute names of its own conditions), its conditions
// in order, whether they nest (Update ANDs them one at a time, the others
// all at once), the names and number of values of a caller's condition it
// stands in for, and the update clauses.
type writeKey struct {
	s       *Schema
	conds   [maxConds]condCode
	nested  bool
	user    [maxUserNames]string
	nuser   uint8 // names of the caller's condition, in order of first use
	muser   uint8 // values of the caller's condition
	nclause uint8
	ops     [maxClauses]clauseOp // the clauses, apart: arrays of bytes and of
	paths   [maxClauses]*string  // pointers hash in one piece
}

func (k *writeKey) clauses() []clauseKey {
	cs := make([]clauseKey, k.nclause)
	for i := range cs {
		cs[i] = clauseKey{k.ops[i], k.paths[i]}
	}
	return cs
}

var writeShapes expr.Cache[writeKey]

// shape returns the Shape k names. A caller's condition is a stand-in
// with its names in order and its number of values, which numbers every
// placeholder as the caller's condition would.
func (k *writeKey) shape() expr.Shape {
	var parts []expr.Cond
	for _, c := range k.conds {
		if c == condEnd {
			break
		}
		parts = append(parts, k.cond(c))
	}
	var sh expr.Shape
	switch {
	case len(parts) == 0:
	case k.nested:
		sh.Condition = parts[0]
		for _, p := range parts[1:] {
			sh.Condition = expr.And(sh.Condition, p)
		}
	default:
		sh.Condition = expr.And(parts...)
	}
	for _, c := range k.clauses() {
		sh.Update = append(sh.Update, [...]func(string) expr.Clause{
			clauseSet: expr.Set, clauseSetIfNotExists: expr.SetIfNotExists, clauseAppend: expr.AppendList,
			clauseAdd: expr.Add, clauseRemove: expr.Remove, clauseDelete: expr.Delete,
		}[c.op](*c.path))
	}
	return sh
}

func (k *writeKey) cond(c condCode) expr.Cond {
	s := k.s
	t := s.Table
	switch c {
	case condNoItem:
		if s.TTL == nil {
			return expr.Name(t.PK).NotExists()
		}
		return expr.Or(expr.Name(t.PK).NotExists(), expr.Name(s.TTL.Name).LessThanEqual())
	case condAnItem:
		if s.TTL == nil {
			return expr.Name(t.PK).Exists()
		}
		return expr.And(expr.Name(t.PK).Exists(), k.cond(condUnexpired))
	case condIsOwn:
		return expr.Name(s.ownAttr()).Equal()
	case condAbsentOrOwn:
		return expr.Or(expr.Name(t.PK).NotExists(), k.cond(condIsOwn))
	case condExists:
		return expr.Name(t.PK).Exists()
	case condVersionIs:
		return expr.Name(s.Version.Name).Equal()
	case condUnexpired:
		return expr.Or(expr.Name(s.TTL.Name).NotExists(), expr.Name(s.TTL.Name).GreaterThan())
	}
	// condUser: the stand-in.
	var parts []expr.Cond
	for _, n := range k.user[:k.nuser] {
		parts = append(parts, expr.Name(n).Exists())
	}
	if k.muser > 0 {
		parts = append(parts, expr.Name(k.user[0]).In(int(k.muser)))
	}
	return expr.And(parts...)
}

// A writeExpr collects the conditions and update clauses of one write, and
// their values, and renders them.
type writeExpr struct {
	key        writeKey
	nconds     int
	more       []clauseKey // the clauses beyond maxClauses: rendered by expression
	docPaths   bool        // an update of nested paths: every clause goes to more
	user       *expression.ConditionBuilder
	now        int64 // the epoch second of the expiry conditions, 0 until one needs it
	condVals   avs   // of tablemap's own conditions, in order
	updateVals avs   // of the update clauses, in order
	// lend: the request is the caller's (WriteSpec.Lend), so its values
	// are its own, the entity-type value too (see ownedStrings.unshare),
	// in room when there is one.
	lend bool
	room *valueRoom
}

func (x *writeExpr) init(s *Schema, nested bool) {
	x.key.s, x.key.nested = s, nested
}

// avs is a list of attribute values, held in place up to a dozen (so that
// a writeExpr, which holds two, stays on the stack), in a slice beyond.
type avs struct {
	n    int
	fix  [12]types.AttributeValue
	more []types.AttributeValue
}

func (l *avs) add(vs ...types.AttributeValue) {
	for _, v := range vs {
		if l.n < len(l.fix) {
			l.fix[l.n] = v
		} else {
			l.more = append(l.more, v)
		}
		l.n++
	}
}

// appendTo appends the values to dst.
func (l *avs) appendTo(dst []types.AttributeValue) []types.AttributeValue {
	return append(append(dst, l.fix[:min(l.n, len(l.fix))]...), l.more...)
}

// add adds one of tablemap's own conditions; f records the time an expiry
// condition compares with, so that it judges a failure as the condition did.
func (x *writeExpr) add(c condCode, f *Failure, version int64) {
	s := x.key.s
	if s.ownAttr() == "" {
		// An entity recognised by the shape of its keys owns every item at
		// a key it builds (Register refuses entities whose keys can be
		// equal): the guards need no type, only, for IsOwn, an item.
		switch c {
		case condAbsentOrOwn:
			return
		case condIsOwn:
			c = condExists
		}
	}
	x.key.conds[x.nconds] = c // at most 4 in any write
	x.nconds++
	switch c {
	case condNoItem, condAnItem, condUnexpired:
		if s.TTL != nil {
			if x.now == 0 {
				x.now = s.Table.Epoch()
			}
			f.TtlNow = x.now
			x.condVals.add(NumberValue(x.now))
		}
	case condIsOwn, condAbsentOrOwn:
		v := s.ownValue()
		if x.lend && v == types.AttributeValue(s.TypeValue) {
			if x.room != nil {
				v = x.room.own(v)
			} else {
				v = &types.AttributeValueMemberS{Value: s.TypeValue.Value}
			}
		}
		x.condVals.add(v)
	case condVersionIs:
		x.condVals.add(NumberValue(version))
	}
}

// addUser adds the caller's condition, if any.
func (x *writeExpr) addUser(user *expression.ConditionBuilder) {
	if user != nil {
		x.user = user
		x.add(condUser, nil, 0)
	}
}

// clause adds an update clause and its values.
func (x *writeExpr) clause(op clauseOp, path *string, vals ...types.AttributeValue) {
	if x.key.nclause == maxClauses || x.docPaths {
		x.more = append(x.more, clauseKey{op, path})
	} else {
		x.key.ops[x.key.nclause], x.key.paths[x.key.nclause] = op, path
		x.key.nclause++
	}
	x.updateVals.add(vals...)
}

// A rendered is the expressions of one request.
type rendered struct {
	cond, update *string
	names        map[string]string
	values       map[string]types.AttributeValue
	user         *expression.Expression // the caller's condition built alone, to check it; nil if none or checked when its shape was cached
}

// render renders the write's expressions. The names map may be shared by
// every request of the shape; the values map is the request's own.
func (x *writeExpr) render() (rendered, error) {
	if x.nconds == 0 && x.key.nclause == 0 && len(x.more) == 0 {
		return rendered{}, nil // a write without conditions (an entity recognised by its keys)
	}
	if x.user != nil {
		if r, ok, err := x.renderCached(); ok {
			return r, err
		}
	}
	if x.user != nil || len(x.more) > 0 {
		return x.renderUser()
	}
	comp, err := writeShape(&x.key)
	if err != nil {
		return rendered{}, err
	}
	return x.output(comp, nil)
}

func (x *writeExpr) output(comp *expr.Compiled, user map[string]types.AttributeValue) (rendered, error) {
	var buf [32]types.AttributeValue
	vals := x.condVals.appendTo(buf[:0])
	for i := range len(user) {
		vals = append(vals, user[":"+strconv.Itoa(i)])
	}
	vals = x.updateVals.appendTo(vals)
	values, err := comp.Values(vals)
	return rendered{cond: comp.Condition(), update: comp.Update(), names: comp.Names(), values: values}, err
}

// renderUser renders a write with a caller's condition: combined when the
// shape fits a cached one and the caller's condition comes last, else
// entirely with expression.
func (x *writeExpr) renderUser() (rendered, error) {
	var ub expression.Expression
	var err error
	if x.user != nil {
		if ub, err = expression.NewBuilder().WithCondition(*x.user).Build(); err != nil {
			return rendered{}, err
		}
	}
	names := ub.Names()
	last := x.nconds > 1 && x.key.conds[x.nconds-1] == condUser
	var r rendered
	if len(x.more) > 0 || !last || len(names) == 0 || len(names) > maxUserNames || len(ub.Values()) > 255 {
		r, err = x.expression()
	} else {
		r, err = x.combine(ub)
	}
	if x.user != nil {
		r.user = new(ub)
	}
	return r, err
}

// combine renders the write with the stand-in of the caller's condition
// ub, then writes ub's text in place of the stand-in, renumbered: its
// names as they are numbered among the write's, its values after those of
// the write's own conditions.
func (x *writeExpr) combine(ub expression.Expression) (rendered, error) {
	k := x.key
	names := ub.Names()
	k.nuser, k.muser = uint8(len(names)), uint8(len(ub.Values()))
	for i := range len(names) {
		k.user[i] = names["#"+strconv.Itoa(i)]
	}
	comp, err := writeShapes.Get(k, k.shape)
	if err != nil {
		return rendered{}, err
	}
	own := x.key
	own.conds[x.nconds-1] = condEnd
	own.nclause, own.ops, own.paths = 0, [maxClauses]clauseOp{}, [maxClauses]*string{}
	ownComp, err := writeShapes.Get(own, own.shape)
	if err != nil {
		return rendered{}, err
	}
	r, err := x.output(comp, ub.Values())
	if err != nil {
		return r, err
	}
	var idx [maxUserNames]int
	next := len(ownComp.Names())
	for i, n := range k.user[:k.nuser] {
		idx[i] = -1
		for ph, on := range ownComp.Names() {
			if on == n {
				idx[i], _ = strconv.Atoi(ph[1:])
			}
		}
		if idx[i] < 0 {
			idx[i] = next
			next++
		}
	}
	var b strings.Builder
	oc := *ownComp.Condition()
	userText := *ub.Condition()
	b.Grow(len(oc) + len(userText) + 16)
	wrap := k.nested || x.nconds == 2
	if wrap {
		b.WriteByte('(')
	}
	b.WriteString(oc)
	if wrap {
		b.WriteByte(')')
	}
	b.WriteString(" AND (")
	renumber(&b, userText, idx[:k.nuser], ownComp.NumValues())
	b.WriteByte(')')
	cond := b.String()
	r.cond = &cond
	return r, nil
}

// renumber writes s, a condition expression writes, with name #i as
// #names[i] and value :j as :(base+j).
func renumber(b *strings.Builder, s string, names []int, base int) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		b.WriteByte(c)
		if c != '#' && c != ':' {
			continue
		}
		j := i + 1
		for j < len(s) && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(s[i+1 : j])
		if c == '#' {
			n = names[n]
		} else {
			n += base
		}
		b.WriteString(strconv.Itoa(n))
		i = j - 1
	}
}
