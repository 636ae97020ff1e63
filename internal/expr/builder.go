package expr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/tablemap/tablemap/internal/codec"
)

// A caller's condition is an expression.ConditionBuilder, whose tree is
// unexported: building it runs expression on every request. A UserCond
// reads the tree instead, into a structure key and the values, so that
// the rendering of a structure (by expression, once: see Marked) can be
// cached and a request only marshals its values.
//
// The tree is read through mirrors of expression's unexported structs,
// which init checks against the real ones by reflection (field names,
// types, offsets, sizes) and the condition modes by building one condition
// of each kind: if expression changes, Supported is false and every
// condition takes the old way, expression.Build per request. Reading a
// field through a mirror costs what reading it in expression does;
// reflect.Value.Field would box the values it hands back.

// Mirrors of expression v1.10.7's builders (see checkLayout).
type (
	condMirror struct {
		operandList   []expression.OperandBuilder
		conditionList []expression.ConditionBuilder
		mode          int
	}
	nameMirror  struct{ names []string }
	valueMirror struct {
		value   any
		options expression.ValueBuilderOptions
	}
	sizeMirror struct{ nameBuilder expression.NameBuilder }
)

// A userOp is the kind of a condition node, as the structure key writes it.
type userOp uint8

const (
	uUnknown userOp = iota
	uEqual
	uNotEqual
	uLess
	uLessEqual
	uGreater
	uGreaterEqual
	uAnd
	uOr
	uNot
	uBetween
	uIn
	uExists
	uNotExists
	uType
	uBeginsWith
	uContains
)

// The operand kinds of the structure key.
const (
	keyName  = 'n'
	keySize  = 's'
	keyValue = 'v'
)

// modes maps expression's condition modes to userOps; nil when the layout
// does not match.
var modes map[int]userOp

// modeOps is modes as an array, for the modes below its length: reading a
// condition looks up every node's mode.
var modeOps [64]userOp

func init() {
	if checkLayout() == nil {
		modes = probeModes()
	}
	for m, op := range modes {
		if 0 <= m && m < len(modeOps) {
			modeOps[m] = op
		}
	}
}

// opOf returns the userOp of expression's condition mode m, uUnknown for
// an unknown one.
func opOf(m int) userOp {
	if 0 <= m && m < len(modeOps) {
		return modeOps[m]
	}
	return modes[m]
}

// Supported reports whether callers' conditions can be read: whether
// expression's builders are laid out as this package expects.
func Supported() bool { return modes != nil }

// checkLayout compares the mirrors with expression's structs.
func checkLayout() error {
	pairs := []struct{ real, mirror reflect.Type }{
		{reflect.TypeFor[expression.ConditionBuilder](), reflect.TypeFor[condMirror]()},
		{reflect.TypeFor[expression.NameBuilder](), reflect.TypeFor[nameMirror]()},
		{reflect.TypeFor[expression.ValueBuilder](), reflect.TypeFor[valueMirror]()},
		{reflect.TypeFor[expression.SizeBuilder](), reflect.TypeFor[sizeMirror]()},
	}
	for _, p := range pairs {
		if p.real.Size() != p.mirror.Size() || p.real.NumField() != p.mirror.NumField() {
			return fmt.Errorf("%v: size or number of fields differ from the mirror", p.real)
		}
		for i := range p.real.NumField() {
			rf, mf := p.real.Field(i), p.mirror.Field(i)
			same := rf.Type == mf.Type || rf.Name == "mode" && rf.Type.Kind() == mf.Type.Kind() && rf.Type.Size() == mf.Type.Size()
			if rf.Name != mf.Name || rf.Offset != mf.Offset || !same {
				return fmt.Errorf("%v: field %d is %s %v, the mirror's %s %v", p.real, i, rf.Name, rf.Type, mf.Name, mf.Type)
			}
		}
	}
	opts := reflect.TypeFor[expression.ValueBuilderOptions]()
	if opts.NumField() != 1 || opts.Field(0).Name != "EncoderOptions" {
		return errors.New("expression.ValueBuilderOptions is not {EncoderOptions}")
	}
	return nil
}

// probeModes builds one condition of each kind and reads its mode; nil if
// two kinds share a mode or one is 0 (unset).
func probeModes() map[int]userOp {
	n, v := expression.Name("a"), expression.Value(1)
	probes := map[userOp]expression.ConditionBuilder{
		uEqual: n.Equal(v), uNotEqual: n.NotEqual(v), uLess: n.LessThan(v), uLessEqual: n.LessThanEqual(v),
		uGreater: n.GreaterThan(v), uGreaterEqual: n.GreaterThanEqual(v),
		uAnd: n.Equal(v).And(n.Equal(v)), uOr: n.Equal(v).Or(n.Equal(v)), uNot: n.Equal(v).Not(),
		uBetween: n.Between(v, v), uIn: n.In(v), uExists: n.AttributeExists(), uNotExists: n.AttributeNotExists(),
		uType: n.AttributeType(expression.Number), uBeginsWith: n.BeginsWith("a"), uContains: n.Contains(1),
	}
	m := make(map[int]userOp, len(probes))
	for op, cb := range probes {
		mode := (*condMirror)(unsafe.Pointer(&cb)).mode
		if _, dup := m[mode]; dup || mode == 0 {
			return nil
		}
		m[mode] = op
	}
	return m
}

// A UserCond is a caller's condition read: Key determines the text
// expression builds for it (names and placeholders) and the attribute
// value type of each of its values; Values are its values, marshaled as
// expression marshals them, in the order of their placeholders.
type UserCond struct {
	Key    []byte
	Values []types.AttributeValue
}

// Read reads cb into u, reusing u's slices, and reports whether it could.
// It cannot read a form outside the common subset (the comparisons,
// BETWEEN, IN, the functions, size, AND, OR, NOT over names and plain
// values), a value with encoder options or that does not marshal, nor a
// condition expression would refuse for its shape (unset, wrong arity):
// those the caller builds with expression, which renders or refuses them.
func (u *UserCond) Read(cb *expression.ConditionBuilder) bool {
	u.Key, u.Values = u.Key[:0], u.Values[:0]
	return modes != nil && u.cond(cb)
}

func (u *UserCond) cond(cb *expression.ConditionBuilder) bool {
	c := (*condMirror)(unsafe.Pointer(cb))
	op := opOf(c.mode)
	if !arity(op, len(c.conditionList), len(c.operandList)) {
		return false
	}
	u.Key = append(u.Key, byte(op))
	u.Key = binary.AppendUvarint(u.Key, uint64(len(c.conditionList)+len(c.operandList)))
	for i := range c.conditionList {
		if !u.cond(&c.conditionList[i]) {
			return false
		}
	}
	for i, o := range c.operandList {
		if op >= uExists && !functionArg(i, o) {
			return false
		}
		if !u.operand(o) {
			return false
		}
	}
	return true
}

// functionArg reports whether o is what a function's argument i is:
// a name first, then a value.
func functionArg(i int, o expression.OperandBuilder) bool {
	if i == 0 {
		_, ok := o.(expression.NameBuilder)
		return ok
	}
	_, ok := o.(expression.ValueBuilder)
	return ok
}

// arity reports whether a node of op with conds conditions and ops
// operands has the form expression's constructors give it.
func arity(op userOp, conds, ops int) bool {
	switch op {
	case uUnknown:
		return false
	case uAnd, uOr:
		return conds >= 2 && ops == 0
	case uNot:
		return conds == 1 && ops == 0
	case uBetween:
		return conds == 0 && ops == 3
	case uIn:
		return conds == 0 && ops >= 2
	case uExists, uNotExists:
		return conds == 0 && ops == 1
	}
	return conds == 0 && ops == 2
}

func (u *UserCond) operand(o expression.OperandBuilder) bool {
	switch o := o.(type) {
	case expression.NameBuilder:
		return u.names(keyName, (*nameMirror)(unsafe.Pointer(&o)).names)
	case expression.SizeBuilder:
		nb := (*sizeMirror)(unsafe.Pointer(&o)).nameBuilder
		return u.names(keySize, (*nameMirror)(unsafe.Pointer(&nb)).names)
	case expression.ValueBuilder:
		vm := (*valueMirror)(unsafe.Pointer(&o))
		if vm.options.EncoderOptions != nil {
			return false
		}
		av, typ := Marshal(vm.value)
		if typ == 0 {
			return false
		}
		u.Key = append(u.Key, keyValue, typ)
		u.Values = append(u.Values, av)
		return true
	}
	return false // KeyBuilder, SetValueBuilder, a caller's own OperandBuilder
}

func (u *UserCond) names(kind byte, names []string) bool {
	if len(names) == 0 {
		return false // unset: Build refuses it
	}
	u.Key = append(u.Key, kind)
	u.Key = binary.AppendUvarint(u.Key, uint64(len(names)))
	for _, n := range names {
		u.Key = binary.AppendUvarint(u.Key, uint64(len(n)))
		u.Key = append(u.Key, n...)
	}
	return true
}

// Marshal returns v as expression.Value(v) marshals it, and a byte naming
// its attribute value type, 0 if it does not marshal (or to a type
// unknown here). Strings, ints and bools take a fast path the tests hold
// equal to attributevalue.Marshal.
func Marshal(v any) (types.AttributeValue, byte) {
	var av types.AttributeValue
	switch v := v.(type) {
	case string:
		return &types.AttributeValueMemberS{Value: v}, 'S'
	case int:
		return &types.AttributeValueMemberN{Value: strconv.Itoa(v)}, 'N'
	case int64:
		return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}, 'N'
	case bool:
		return &types.AttributeValueMemberBOOL{Value: v}, 'T'
	case types.AttributeValue:
		av = v
	default:
		if av = memberAddr(v); av != nil {
			break
		}
		var err error
		if av, err = attributevalue.Marshal(v); err != nil {
			return nil, 0
		}
	}
	return av, avType(av)
}

// avType names the type of av in a structure key; 0 for nil or a type
// unknown here.
func avType(av types.AttributeValue) byte {
	if av == nil {
		return 0
	}
	return avTypes[codec.TypeName(av)]
}

var avTypes = map[string]byte{"S": 'S', "N": 'N', "B": 'B', "BOOL": 'T', "NULL": '0', "L": 'L', "M": 'M', "SS": 's', "NS": 'n', "BS": 'b'}

// memberTypes are the attribute value members expression takes as values.
var memberTypes = map[reflect.Type]bool{
	reflect.TypeFor[types.AttributeValueMemberS](): true, reflect.TypeFor[types.AttributeValueMemberN](): true,
	reflect.TypeFor[types.AttributeValueMemberB](): true, reflect.TypeFor[types.AttributeValueMemberSS](): true,
	reflect.TypeFor[types.AttributeValueMemberNS](): true, reflect.TypeFor[types.AttributeValueMemberBS](): true,
	reflect.TypeFor[types.AttributeValueMemberM](): true, reflect.TypeFor[types.AttributeValueMemberL](): true,
	reflect.TypeFor[types.AttributeValueMemberNULL](): true, reflect.TypeFor[types.AttributeValueMemberBOOL](): true,
}

// memberAddr returns the address of a copy of v when v is an attribute
// value member given as a value (types.AttributeValueMemberS{…}), as
// expression takes it; else nil.
func memberAddr(v any) types.AttributeValue {
	t := reflect.TypeOf(v)
	if !memberTypes[t] {
		return nil
	}
	p := reflect.New(t)
	p.Elem().Set(reflect.ValueOf(v))
	return p.Interface().(types.AttributeValue)
}

// Marked returns a condition expression builds to the same text and names
// as cb, a condition Read reads, with its value i (in the order of
// Read's Values) replaced by the string mark(i): built once per structure,
// it tells where each value's placeholder is.
func Marked(cb *expression.ConditionBuilder, mark func(i int) string) expression.ConditionBuilder {
	n := 0
	return marked(cb, mark, &n)
}

func marked(cb *expression.ConditionBuilder, mark func(int) string, n *int) expression.ConditionBuilder {
	c := (*condMirror)(unsafe.Pointer(cb))
	op := opOf(c.mode)
	var kids []expression.ConditionBuilder
	for i := range c.conditionList {
		kids = append(kids, marked(&c.conditionList[i], mark, n))
	}
	var ops []expression.OperandBuilder
	last := "" // the mark of the last value
	for _, o := range c.operandList {
		if _, ok := o.(expression.ValueBuilder); ok {
			last = mark(*n)
			o = expression.Value(last)
			*n++
		}
		ops = append(ops, o)
	}
	switch op {
	case uAnd:
		return expression.And(kids[0], kids[1], kids[2:]...)
	case uOr:
		return expression.Or(kids[0], kids[1], kids[2:]...)
	case uNot:
		return expression.Not(kids[0])
	case uBetween:
		return expression.Between(ops[0], ops[1], ops[2])
	case uIn:
		return expression.In(ops[0], ops[1], ops[2:]...)
	case uExists:
		return expression.AttributeExists(ops[0].(expression.NameBuilder))
	case uNotExists:
		return expression.AttributeNotExists(ops[0].(expression.NameBuilder))
	case uType:
		return expression.AttributeType(ops[0].(expression.NameBuilder), expression.DynamoDBAttributeType(last))
	case uBeginsWith:
		return expression.BeginsWith(ops[0].(expression.NameBuilder), last)
	case uContains:
		return expression.Contains(ops[0].(expression.NameBuilder), last)
	}
	return [...]func(l, r expression.OperandBuilder) expression.ConditionBuilder{
		uEqual: expression.Equal, uNotEqual: expression.NotEqual, uLess: expression.LessThan,
		uLessEqual: expression.LessThanEqual, uGreater: expression.GreaterThan, uGreaterEqual: expression.GreaterThanEqual,
	}[op](ops[0], ops[1])
}
