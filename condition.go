package tablemap

import (
	"fmt"
	"maps"
	"reflect"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap/internal/codec"
)

// checkCondition refuses, before sending, a caller's condition or filter
// (what says which) that could never mean what it says on the items of
// schemas: one naming an attribute none of them has, one reading an
// encrypted attribute other than for its existence (DynamoDB sees only the
// ciphertext), and one comparing an attribute with a value of another
// attribute value type than the attribute is stored as: a time.Time value
// (a string) against a ttl attribute (epoch seconds) never holds.
//
// The builder is opaque, so the check reads cond, the expression built for
// the request (with the library's own conditions, which pass: they read
// the key, type and version attributes as stored), in the grammar
// feature/dynamodb/expression writes, with #n names and :n values. Nested
// paths are checked by their top-level attribute only.
func checkCondition(t *Table, schemas []*schema, what string, cond *string, names map[string]string, values map[string]types.AttributeValue) error {
	if ph := nowSlot(values); ph != "" {
		// The expiry rule's now, a string marker until the request is
		// sent, is epoch seconds there.
		values = maps.Clone(values)
		values[ph] = epochValue(0)
	}
	p := &condParser{toks: condTokens(aws.ToString(cond)), names: names, values: values}
	if !p.condition() || p.i != len(p.toks) {
		return nil // a form this parser does not know: nothing to refuse
	}
	c := condChecker{t: t, schemas: schemas, what: what}
	for _, a := range p.atoms {
		if err := c.atom(a); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidCondition, err)
		}
	}
	return nil
}

// An operand of a condition: an attribute path, a value, or anything
// else (size, arithmetic), with the attributes it reads.
type condOperand struct {
	attr   string // a path's top-level attribute
	nested bool   // the path goes below it
	value  types.AttributeValue
	reads  []string // every top-level attribute read, for other operands
}

func (o condOperand) isPath() bool { return o.attr != "" }

// An atom is one comparison or function of a condition.
type condAtom struct {
	op       string // "=", "BETWEEN", "IN", "begins_with", "attribute_exists" …
	operands []condOperand
}

type condParser struct {
	toks   []string
	i      int
	names  map[string]string
	values map[string]types.AttributeValue
	atoms  []condAtom
}

// condTokens splits an expression into names (#0), values (:0), words,
// operators and punctuation.
func condTokens(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		j := i + 1
		switch {
		case c == ' ' || c == '\n':
			i++
			continue
		case c == '#' || c == ':' || isWordByte(c):
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
		case c == '<' && j < len(s) && (s[j] == '=' || s[j] == '>'), c == '>' && j < len(s) && s[j] == '=':
			j++
		}
		toks = append(toks, s[i:j])
		i = j
	}
	return toks
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func (p *condParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *condParser) accept(tok string) bool {
	if p.peek() == tok {
		p.i++
		return true
	}
	return false
}

// condition parses terms joined by AND and OR.
func (p *condParser) condition() bool {
	if !p.term() {
		return false
	}
	for p.accept("AND") || p.accept("OR") {
		if !p.term() {
			return false
		}
	}
	return true
}

var condFuncs = map[string]bool{"attribute_exists": true, "attribute_not_exists": true, "attribute_type": true, "begins_with": true, "contains": true}

var comparators = map[string]bool{"=": true, "<>": true, "<": true, "<=": true, ">": true, ">=": true}

func (p *condParser) term() bool {
	switch tok := p.peek(); {
	case tok == "(":
		p.i++
		return p.condition() && p.accept(")")
	case tok == "NOT":
		p.i++
		return p.term()
	case condFuncs[tok]:
		p.i++
		args, ok := p.list()
		p.atoms = append(p.atoms, condAtom{op: tok, operands: args})
		return ok
	}
	left, ok := p.operand()
	if !ok {
		return false
	}
	a := condAtom{op: p.peek(), operands: []condOperand{left}}
	p.i++
	switch {
	case comparators[a.op]:
		right, ok := p.operand()
		if !ok {
			return false
		}
		a.operands = append(a.operands, right)
	case a.op == "BETWEEN":
		lo, ok1 := p.operand()
		ok2 := p.accept("AND")
		hi, ok3 := p.operand()
		if !ok1 || !ok2 || !ok3 {
			return false
		}
		a.operands = append(a.operands, lo, hi)
	case a.op == "IN":
		args, ok := p.list()
		if !ok {
			return false
		}
		a.operands = append(a.operands, args...)
	default:
		return false
	}
	p.atoms = append(p.atoms, a)
	return true
}

// list parses "(operand, operand …)".
func (p *condParser) list() ([]condOperand, bool) {
	if !p.accept("(") {
		return nil, false
	}
	var args []condOperand
	for {
		o, ok := p.operand()
		if !ok {
			return nil, false
		}
		args = append(args, o)
		if p.accept(")") {
			return args, true
		}
		if !p.accept(",") {
			return nil, false
		}
	}
}

// operand parses a path, a value, a function of operands (size,
// if_not_exists, list_append) or operands joined by + and -.
func (p *condParser) operand() (condOperand, bool) {
	o, ok := p.primary()
	for ok && (p.peek() == "+" || p.peek() == "-") {
		p.i++
		var next condOperand
		next, ok = p.primary()
		o = condOperand{reads: append(o.reads, next.reads...)}
	}
	return o, ok
}

func (p *condParser) primary() (condOperand, bool) {
	tok := p.peek()
	p.i++
	switch {
	case strings.HasPrefix(tok, ":"):
		v, ok := p.values[tok]
		return condOperand{value: v}, ok
	case strings.HasPrefix(tok, "#"):
		name, ok := p.names[tok]
		o := condOperand{attr: name, reads: []string{name}}
		for ok {
			switch {
			case p.accept("."):
				_, ok = p.names[p.peek()]
				p.i++
			case p.accept("["):
				p.i++ // the index
				ok = p.accept("]")
			default:
				return o, true
			}
			o.nested = true
		}
		return o, false
	case tok == "size" || tok == "if_not_exists" || tok == "list_append":
		args, ok := p.list()
		var o condOperand
		for _, a := range args {
			o.reads = append(o.reads, a.reads...)
		}
		return o, ok
	}
	return condOperand{}, false
}

// checkCond checks the condition of expr, built for a write or check of
// the entity's item at k, as checkCondition does, when the caller gave one
// (user non-nil): the library's own conditions need no check.
func (s *schema) checkCond(op string, k Key, user *expression.ConditionBuilder, expr expression.Expression) error {
	if user == nil {
		return nil
	}
	if err := checkCondition(s.table, []*schema{s}, "the condition", expr.Condition(), expr.Names(), expr.Values()); err != nil {
		return &ItemError{Op: op, Entity: s.name, Key: k, Err: err}
	}
	return nil
}

type condChecker struct {
	t       *Table
	schemas []*schema
	what    string
}

func (c condChecker) atom(a condAtom) error {
	existence := a.op == "attribute_exists" || a.op == "attribute_not_exists"
	for _, o := range a.operands {
		for _, attr := range o.reads {
			if err := c.known(attr, existence); err != nil {
				return err
			}
		}
	}
	if comparators[a.op] && !a.operands[0].isPath() && a.operands[1].isPath() {
		a.operands[0], a.operands[1] = a.operands[1], a.operands[0]
	}
	if len(a.operands) < 2 || !a.operands[0].isPath() || a.operands[0].nested {
		return nil
	}
	attr := a.operands[0].attr
	stored := c.storedType(attr)
	if stored == "" {
		return nil
	}
	want := stored
	switch a.op {
	case "begins_with":
		if stored != "S" && stored != "B" {
			return fmt.Errorf("%s applies begins_with to attribute %q, stored as %s, a type it never holds for", c.what, attr, stored)
		}
	case "contains":
		elem := map[string]string{"S": "S", "SS": "S", "NS": "N", "BS": "B"}[stored]
		if elem == "" {
			return nil
		}
		want = elem
	case "attribute_type":
		return nil
	}
	for _, o := range a.operands[1:] {
		if o.value == nil {
			continue
		}
		got := codec.TypeName(o.value)
		if got != want && got != "NULL" {
			return fmt.Errorf("%s compares attribute %q, stored as %s, with a value of type %s, which never holds; give a value encoded like the field%s", c.what, attr, want, got, c.hint(attr, want, got))
		}
	}
	return nil
}

// known refuses an attribute no schema has, and an encrypted one unless
// only its existence is asked for.
func (c condChecker) known(attr string, existence bool) error {
	if c.tableAttr(attr) {
		return nil
	}
	found := false
	for _, s := range c.schemas {
		f := s.codec.Field(attr)
		if f == nil {
			continue
		}
		found = true
		if f.HasOption("encrypted") && !existence {
			return fmt.Errorf("%s reads attribute %q, which %s encrypts: DynamoDB sees only its ciphertext, so the condition can never hold as meant", c.what, attr, s.name)
		}
	}
	if !found {
		names := make([]string, len(c.schemas))
		for i, s := range c.schemas {
			names[i] = s.name
		}
		return fmt.Errorf("%s names attribute %q, which %s does not have", c.what, attr, strings.Join(names, " nor "))
	}
	return nil
}

// tableAttr reports whether attr is one of the table's key or type
// attributes (exactly: DynamoDB names are case-sensitive).
func (c condChecker) tableAttr(attr string) bool {
	t := c.t
	if attr == t.pk || attr == t.sk || attr == t.typeAttr {
		return true
	}
	// GSI1PK … GSI20SK (see Table.gsiAttrs), without building each name.
	num, ok := strings.CutPrefix(attr, "GSI")
	if !ok || len(num) < 3 || num[len(num)-1] != 'K' || num[len(num)-2] != 'P' && num[len(num)-2] != 'S' {
		return false
	}
	n, err := strconv.Atoi(num[:len(num)-2])
	return err == nil && n >= 1 && n <= MaxGSIs && strconv.Itoa(n) == num[:len(num)-2]
}

// storedType returns the attribute value type attr is stored as by every
// schema that has it, or "" if unknown or not the same for all.
func (c condChecker) storedType(attr string) string {
	if c.tableAttr(attr) {
		return "S" // key and type attributes are strings
	}
	typ := ""
	for _, s := range c.schemas {
		f := s.codec.Field(attr)
		if f == nil {
			continue
		}
		st := s.storedType(f)
		if st == "" || typ != "" && st != typ {
			return ""
		}
		typ = st
	}
	return typ
}

func (c condChecker) hint(attr, want, got string) string {
	for _, s := range c.schemas {
		if f := s.codec.Field(attr); f != nil && want == "N" && got == "S" && (f == s.ttl || f.UnixTime) {
			return " (epoch seconds: expression.Value(t.Unix()))"
		}
	}
	return ""
}

var (
	avMarshalerType    = reflect.TypeFor[attributevalue.Marshaler]()
	attributeValueType = reflect.TypeFor[types.AttributeValue]()
	numbererType       = reflect.TypeFor[interface {
		Float64() (float64, error)
		Int64() (int64, error)
	}]()
)

// storedType returns the attribute value type ("S", "N", "BOOL" …) field f
// is stored as, or "" when it depends on the value (interfaces, custom
// marshalers).
func (s *schema) storedType(f *codec.Field) string {
	if f.HasOption("encrypted") {
		return "B"
	}
	asString := f.HasOption("string")
	t := f.Type
	if f == s.ttl {
		if asString && isInt(t) {
			return "S"
		}
		return "N"
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Interface || t.Implements(avMarshalerType) || reflect.PointerTo(t).Implements(avMarshalerType) || t.Implements(attributeValueType) {
		return ""
	}
	switch k := t.Kind(); {
	case t.Kind() == reflect.Struct && t.ConvertibleTo(timeType):
		if f.UnixTime {
			return "N"
		}
		return "S"
	case k == reflect.Bool:
		return "BOOL"
	case k == reflect.String:
		if t.Implements(numbererType) && !asString {
			return ""
		}
		return "S"
	case isNumber(k):
		if asString {
			return "S"
		}
		return "N"
	case k == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "B"
	case k == reflect.Slice && (f.Set || f.HasOption("stringset") || f.HasOption("numberset") || f.HasOption("binaryset")):
		switch e := t.Elem(); {
		case e.Kind() == reflect.String:
			return "SS"
		case isNumber(e.Kind()):
			return "NS"
		case e.Kind() == reflect.Slice && e.Elem().Kind() == reflect.Uint8:
			return "BS"
		}
		return ""
	case k == reflect.Slice:
		return "L"
	case k == reflect.Map || k == reflect.Struct:
		return "M"
	}
	return ""
}
