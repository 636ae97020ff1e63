package expr

import (
	"errors"
	"strings"
)

// The text of the comparisons, as expression writes them.
var compareText = map[condOp]string{
	condEqual: " = ", condNotEqual: " <> ", condLess: " < ", condLessEqual: " <= ",
	condGreater: " > ", condGreaterEqual: " >= ",
}

// cond writes c with its values in caller order.
func (r *renderer) cond(c Cond) error {
	switch c.op {
	case condUnset:
		return errors.New("an unset condition")
	case condAnd, condOr:
		sep := " AND "
		if c.op == condOr {
			sep = " OR "
		}
		for i, k := range c.kids {
			if i > 0 {
				r.b.WriteString(sep)
			}
			if err := r.paren(k); err != nil {
				return err
			}
		}
		return nil
	case condNot:
		r.b.WriteString("NOT ")
		return r.paren(c.kids[0])
	case condBetween:
		if err := r.operand(c.attr); err != nil {
			return err
		}
		r.b.WriteString(" BETWEEN ")
		r.inOrder()
		r.b.WriteString(" AND ")
		r.inOrder()
		return nil
	case condIn:
		return r.in(c)
	case condBeginsWith, condExists, condNotExists:
		return r.function(c)
	}
	if err := r.operand(c.attr); err != nil {
		return err
	}
	r.b.WriteString(compareText[c.op])
	r.inOrder()
	return nil
}

// paren writes (c).
func (r *renderer) paren(c Cond) error {
	r.b.WriteByte('(')
	if err := r.cond(c); err != nil {
		return err
	}
	r.b.WriteByte(')')
	return nil
}

// in writes o IN (:a, :b, ...).
func (r *renderer) in(c Cond) error {
	if c.nvals < 1 {
		return errors.New("IN with no values")
	}
	if err := r.operand(c.attr); err != nil {
		return err
	}
	r.b.WriteString(" IN (")
	for i := range c.nvals {
		if i > 0 {
			r.b.WriteString(", ")
		}
		r.inOrder()
	}
	r.b.WriteByte(')')
	return nil
}

// function writes begins_with, attribute_exists or attribute_not_exists,
// which take a path, not a size.
func (r *renderer) function(c Cond) error {
	if c.attr.size {
		return errors.New("a function of a size")
	}
	switch c.op {
	case condBeginsWith:
		r.b.WriteString("begins_with (")
	case condExists:
		r.b.WriteString("attribute_exists (")
	default:
		r.b.WriteString("attribute_not_exists (")
	}
	if err := r.path(c.attr.path); err != nil {
		return err
	}
	if c.op == condBeginsWith {
		r.b.WriteString(", ")
		r.inOrder()
	}
	r.b.WriteByte(')')
	return nil
}

// operand writes a path or size (path).
func (r *renderer) operand(o Operand) error {
	if !o.size {
		return r.path(o.path)
	}
	r.b.WriteString("size (")
	if err := r.path(o.path); err != nil {
		return err
	}
	r.b.WriteByte(')')
	return nil
}

// path writes an attribute path as expression.Name(p).BuildOperand does:
// split at '.', each element a name placeholder followed by its index text.
func (r *renderer) path(p string) error {
	if p == "" {
		return errors.New("an empty attribute name")
	}
	for i, word := range strings.Split(p, ".") {
		name, index, err := pathElement(word)
		if err != nil {
			return err
		}
		if i > 0 {
			r.b.WriteByte('.')
		}
		r.name(name)
		r.b.WriteString(index)
	}
	return nil
}

var errPath = errors.New("a malformed attribute path")

// pathElement splits one element of a path ("list[1][2]") into its name and
// its trailing index text, with the checks of expression's NameBuilder: as
// many '[' as ']', each pair in order around a non-empty run of digits, a
// non-empty name, no '$' in the index text. Brackets that do not end the
// element stay in the name ("a[1]b" is one name).
func pathElement(word string) (name, index string, err error) {
	if word == "" {
		return "", "", errPath
	}
	var opens []int
	closes := 0
	for i := 0; i < len(word); i++ {
		switch word[i] {
		case '[':
			opens = append(opens, i)
		case ']':
			if closes >= len(opens) || !digits(word[opens[closes]+1:i]) {
				return "", "", errPath
			}
			closes++
		}
	}
	if closes != len(opens) {
		return "", "", errPath
	}
	if word[len(word)-1] == ']' {
		j := strings.IndexByte(word, '[')
		word, index = word[:j], word[j:]
	}
	// expression copies the index text into its format string, where a '$'
	// is an escape it then fails on ("a[0]$[1]").
	if word == "" || strings.IndexByte(index, '$') >= 0 {
		return "", "", errPath
	}
	return word, index, nil
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// The text of the sort key comparisons.
var keyText = map[KeyOp]string{
	KeyEqual: " = ", KeyLess: " < ", KeyLessEqual: " <= ", KeyGreater: " > ", KeyGreaterEqual: " >= ",
}

// key writes a key condition as expression.KeyAnd does. Key names are not
// paths: expression.Key does not split them.
func (r *renderer) key(k KeyCond) error {
	if k.pk == "" {
		return errors.New("an empty partition key name")
	}
	if k.op == keyNone {
		if k.sk != "" {
			return errors.New("a sort key without a comparison")
		}
		r.name(k.pk)
		r.b.WriteString(" = ")
		r.inOrder()
		return nil
	}
	if k.sk == "" || k.op > KeyBeginsWith {
		return errors.New("an empty sort key name or an unknown comparison")
	}
	r.b.WriteByte('(')
	r.name(k.pk)
	r.b.WriteString(" = ")
	r.inOrder()
	r.b.WriteString(") AND (")
	switch k.op {
	case KeyBetween:
		r.name(k.sk)
		r.b.WriteString(" BETWEEN ")
		r.inOrder()
		r.b.WriteString(" AND ")
		r.inOrder()
	case KeyBeginsWith:
		r.b.WriteString("begins_with (")
		r.name(k.sk)
		r.b.WriteString(", ")
		r.inOrder()
		r.b.WriteByte(')')
	default:
		r.name(k.sk)
		r.b.WriteString(keyText[k.op])
		r.inOrder()
	}
	r.b.WriteByte(')')
	return nil
}

// projection writes p1, p2, ...
func (r *renderer) projection(p Projection) error {
	for i, path := range p {
		if i > 0 {
			r.b.WriteString(", ")
		}
		if err := r.path(path); err != nil {
			return err
		}
	}
	return nil
}

// The keywords of the update actions, by group.
var actionText = [...]string{clauseAdd: "ADD ", clauseDelete: "DELETE ", clauseRemove: "REMOVE ", clauseSet: "SET "}

// update writes the clauses of u grouped by action in expression's order
// (ADD, DELETE, REMOVE, SET), each group ending with a newline. Values keep
// their caller index: the clause's position in u.
func (r *renderer) update(u Update) error {
	base := r.caller
	for g := clauseAdd; g <= clauseSet; g++ {
		at, first := base, true
		for _, c := range u {
			if c.group() == g {
				if first {
					r.b.WriteString(actionText[g])
				} else {
					r.b.WriteString(", ")
				}
				first = false
				if err := r.clause(c, at); err != nil {
					return err
				}
			}
			at += c.values()
		}
		if !first {
			r.b.WriteByte('\n')
		}
	}
	for _, c := range u {
		r.caller += c.values()
	}
	return nil
}

// clause writes one action; its values are the caller's at and at+1.
func (r *renderer) clause(c Clause, at int) error {
	if err := r.path(c.path); err != nil {
		return err
	}
	switch c.op {
	case clauseRemove:
	case clauseAdd, clauseDelete:
		r.b.WriteByte(' ')
		r.value(at)
	case clauseSet:
		r.b.WriteString(" = ")
		r.value(at)
	default: // if_not_exists, list_append of if_not_exists
		r.b.WriteString(" = ")
		if c.op == clauseAppendList {
			r.b.WriteString("list_append(")
		}
		r.b.WriteString("if_not_exists(")
		if err := r.path(c.path); err != nil {
			return err
		}
		r.b.WriteString(", ")
		r.value(at)
		r.b.WriteByte(')')
		if c.op == clauseAppendList {
			r.b.WriteString(", ")
			r.value(at + 1)
			r.b.WriteByte(')')
		}
	}
	return nil
}
