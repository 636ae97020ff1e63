package engine

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

// CheckCondition refuses, before sending, a caller's condition or filter
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
// feature/dynamodb/expression writes, with #n names and :n values. A
// nested path ("address.city", "tags[0]") must resolve against the Go type
// of an entity that has its top-level attribute (see Schema.ResolvePath),
// and is compared by the type of the value it names.
func CheckCondition(t *Table, schemas []*Schema, what string, cond *string, names map[string]string, values map[string]types.AttributeValue) error {
	if ph := NowSlot(values); ph != "" {
		// The expiry rule's now, a string marker until the request is
		// sent, is epoch seconds there.
		values = maps.Clone(values)
		values[ph] = NumberValue(0)
	}
	p := &CondParser{Toks: CondTokens(aws.ToString(cond)), Names: names, Values: values}
	if !p.Condition() || p.I != len(p.Toks) {
		return nil // a form this parser does not know: nothing to refuse
	}
	c := CondChecker{T: t, Schemas: schemas, What: what}
	for _, a := range p.Atoms {
		if err := c.Atom(a); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidCondition, err)
		}
	}
	return nil
}

// An operand of a condition: an attribute path, a value, or anything
// else (size, arithmetic), with the paths it reads.
type CondOperand struct {
	Path  []PathSeg // the operand is this document path
	Value types.AttributeValue
	Reads [][]PathSeg // every path read, for other operands too
}

func (o CondOperand) IsPath() bool { return len(o.Path) > 0 }

// An atom is one comparison or function of a condition.
type CondAtom struct {
	Op       string // "=", "BETWEEN", "IN", "begins_with", "attribute_exists" …
	Operands []CondOperand
}

type CondParser struct {
	Toks   []string
	I      int
	Names  map[string]string
	Values map[string]types.AttributeValue
	Atoms  []CondAtom
}

// CondTokens splits an expression into names (#0), values (:0), words,
// operators and punctuation.
func CondTokens(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		j := i + 1
		switch {
		case c == ' ' || c == '\n':
			i++
			continue
		case c == '#' || c == ':' || IsWordByte(c):
			for j < len(s) && IsWordByte(s[j]) {
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

func IsWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func (p *CondParser) Peek() string {
	if p.I < len(p.Toks) {
		return p.Toks[p.I]
	}
	return ""
}

func (p *CondParser) Accept(tok string) bool {
	if p.Peek() == tok {
		p.I++
		return true
	}
	return false
}

// Condition parses terms joined by AND and OR.
func (p *CondParser) Condition() bool {
	if !p.Term() {
		return false
	}
	for p.Accept("AND") || p.Accept("OR") {
		if !p.Term() {
			return false
		}
	}
	return true
}

var CondFuncs = map[string]bool{"attribute_exists": true, "attribute_not_exists": true, "attribute_type": true, "begins_with": true, "contains": true}

var Comparators = map[string]bool{"=": true, "<>": true, "<": true, "<=": true, ">": true, ">=": true}

func (p *CondParser) Term() bool {
	switch tok := p.Peek(); {
	case tok == "(":
		p.I++
		return p.Condition() && p.Accept(")")
	case tok == "NOT":
		p.I++
		return p.Term()
	case CondFuncs[tok]:
		p.I++
		args, ok := p.List()
		p.Atoms = append(p.Atoms, CondAtom{Op: tok, Operands: args})
		return ok
	}
	left, ok := p.Operand()
	if !ok {
		return false
	}
	a := CondAtom{Op: p.Peek(), Operands: []CondOperand{left}}
	p.I++
	switch {
	case Comparators[a.Op]:
		right, ok := p.Operand()
		if !ok {
			return false
		}
		a.Operands = append(a.Operands, right)
	case a.Op == "BETWEEN":
		lo, ok1 := p.Operand()
		ok2 := p.Accept("AND")
		hi, ok3 := p.Operand()
		if !ok1 || !ok2 || !ok3 {
			return false
		}
		a.Operands = append(a.Operands, lo, hi)
	case a.Op == "IN":
		args, ok := p.List()
		if !ok {
			return false
		}
		a.Operands = append(a.Operands, args...)
	default:
		return false
	}
	p.Atoms = append(p.Atoms, a)
	return true
}

// List parses "(operand, operand …)".
func (p *CondParser) List() ([]CondOperand, bool) {
	if !p.Accept("(") {
		return nil, false
	}
	var args []CondOperand
	for {
		o, ok := p.Operand()
		if !ok {
			return nil, false
		}
		args = append(args, o)
		if p.Accept(")") {
			return args, true
		}
		if !p.Accept(",") {
			return nil, false
		}
	}
}

// Operand parses a path, a value, a function of operands (size,
// if_not_exists, list_append) or operands joined by + and -.
func (p *CondParser) Operand() (CondOperand, bool) {
	o, ok := p.Primary()
	for ok && (p.Peek() == "+" || p.Peek() == "-") {
		p.I++
		var next CondOperand
		next, ok = p.Primary()
		o = CondOperand{Reads: append(o.Reads, next.Reads...)}
	}
	return o, ok
}

func (p *CondParser) Primary() (CondOperand, bool) {
	tok := p.Peek()
	p.I++
	switch {
	case strings.HasPrefix(tok, ":"):
		v, ok := p.Values[tok]
		return CondOperand{Value: v}, ok
	case strings.HasPrefix(tok, "#"):
		return p.Path(tok)
	case tok == "size" || tok == "if_not_exists" || tok == "list_append":
		args, ok := p.List()
		var o CondOperand
		for _, a := range args {
			o.Reads = append(o.Reads, a.Reads...)
		}
		return o, ok
	}
	return CondOperand{}, false
}

// Path parses the rest of a document path starting with name token tok.
func (p *CondParser) Path(tok string) (CondOperand, bool) {
	name, ok := p.Names[tok]
	path := []PathSeg{{Name: name}}
	for ok {
		switch {
		case p.Accept("."):
			name, ok = p.Names[p.Peek()]
			path = append(path, PathSeg{Name: name})
			p.I++
		case p.Accept("["):
			n, err := strconv.Atoi(p.Peek())
			path = append(path, PathSeg{Index: n, IsIndex: true})
			p.I++
			ok = err == nil && p.Accept("]")
		default:
			return CondOperand{Path: path, Reads: [][]PathSeg{path}}, true
		}
	}
	return CondOperand{}, false
}

// PathString writes a parsed path back as expression.Name reads it.
func PathString(segs []PathSeg) string {
	var b strings.Builder
	for i, s := range segs {
		if i > 0 && !s.IsIndex {
			b.WriteByte('.')
		}
		b.WriteString(s.String())
	}
	return b.String()
}

// CheckCond checks the condition of expr, built for a write or check of
// the entity's item at k, as checkCondition does, when the caller gave one
// (user non-nil): the library's own conditions need no check.
func (s *Schema) CheckCond(op string, k Key, user *expression.ConditionBuilder, expr expression.Expression) error {
	if user == nil {
		return nil
	}
	if err := CheckCondition(s.Table, []*Schema{s}, "the condition", expr.Condition(), expr.Names(), expr.Values()); err != nil {
		return &ItemError{Op: op, Entity: s.Name, Key: k, Err: err}
	}
	return nil
}

type CondChecker struct {
	T       *Table
	Schemas []*Schema
	What    string
}

func (c CondChecker) Atom(a CondAtom) error {
	existence := a.Op == "attribute_exists" || a.Op == "attribute_not_exists"
	for _, o := range a.Operands {
		for _, path := range o.Reads {
			if err := c.Known(path, existence); err != nil {
				return err
			}
		}
	}
	if Comparators[a.Op] && !a.Operands[0].IsPath() && a.Operands[1].IsPath() {
		a.Operands[0], a.Operands[1] = a.Operands[1], a.Operands[0]
	}
	if len(a.Operands) < 2 || !a.Operands[0].IsPath() {
		return nil
	}
	path := a.Operands[0].Path
	attr := PathString(path)
	stored := c.PathType(path)
	if stored == "" {
		return nil
	}
	want := stored
	switch a.Op {
	case "begins_with":
		if stored != "S" && stored != "B" {
			return fmt.Errorf("%s applies begins_with to attribute %q, stored as %s, a type it never holds for", c.What, attr, stored)
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
	for _, o := range a.Operands[1:] {
		if o.Value == nil {
			continue
		}
		got := codec.TypeName(o.Value)
		if got != want && got != "NULL" {
			return fmt.Errorf("%s compares attribute %q, stored as %s, with a value of type %s, which never holds; give a value encoded like the field%s", c.What, attr, want, got, c.Hint(path, want, got))
		}
	}
	return nil
}

// Known refuses an attribute no schema has, and an encrypted one unless
// only its existence is asked for; a nested path, one that resolves in
// none of the schemas that have its attribute.
func (c CondChecker) Known(path []PathSeg, existence bool) error {
	attr := path[0].Name
	if c.TableAttr(attr) {
		if len(path) > 1 {
			return fmt.Errorf("%s names path %q, below attribute %q, which is a string", c.What, PathString(path), attr)
		}
		return nil
	}
	if len(path) > 1 {
		return c.KnownNested(path)
	}
	found := false
	for _, s := range c.Schemas {
		f := s.Codec.Field(attr)
		if f == nil {
			continue
		}
		found = true
		if f.HasOption("encrypted") && !existence {
			return fmt.Errorf("%s reads attribute %q, which %s encrypts: DynamoDB sees only its ciphertext, so the condition can never hold as meant", c.What, attr, s.Name)
		}
	}
	if !found {
		names := make([]string, len(c.Schemas))
		for i, s := range c.Schemas {
			names[i] = s.Name
		}
		return fmt.Errorf("%s names attribute %q, which %s does not have", c.What, attr, strings.Join(names, " nor "))
	}
	return nil
}

// KnownNested refuses a nested path that resolves in no schema, with the
// reason of the first schema that has its top-level attribute.
func (c CondChecker) KnownNested(path []PathSeg) error {
	var why error
	for _, s := range c.Schemas {
		_, err := s.ResolveSegs(PathString(path), path)
		if err == nil {
			return nil
		}
		if why == nil && s.Codec.Field(path[0].Name) != nil {
			why = err
		}
	}
	if why == nil {
		return c.Known(path[:1], true) // names the entities, which lack the attribute
	}
	return fmt.Errorf("%s names a path that does not fit: %w", c.What, why)
}

// PathType returns the attribute value type the value at path is stored
// as by every schema that has it, or "" if unknown or not the same for
// all.
func (c CondChecker) PathType(path []PathSeg) string {
	if len(path) == 1 {
		return c.StoredType(path[0].Name)
	}
	typ := ""
	for _, s := range c.Schemas {
		p, err := s.ResolveSegs("", path)
		if err != nil {
			continue
		}
		st := PlaceStoredType(p.Leaf)
		if st == "" || typ != "" && st != typ {
			return ""
		}
		typ = st
	}
	return typ
}

// TableAttr reports whether attr is one of the table's key or type
// attributes (exactly: DynamoDB names are case-sensitive).
func (c CondChecker) TableAttr(attr string) bool {
	t := c.T
	if attr == t.PK || attr == t.SK || attr == t.TypeAttr {
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

// StoredType returns the attribute value type attr is stored as by every
// schema that has it, or "" if unknown or not the same for all.
func (c CondChecker) StoredType(attr string) string {
	if c.TableAttr(attr) {
		return "S" // key and type attributes are strings
	}
	typ := ""
	for _, s := range c.Schemas {
		f := s.Codec.Field(attr)
		if f == nil {
			continue
		}
		st := s.StoredType(f)
		if st == "" || typ != "" && st != typ {
			return ""
		}
		typ = st
	}
	return typ
}

func (c CondChecker) Hint(path []PathSeg, want, got string) string {
	if want != "N" || got != "S" {
		return ""
	}
	for _, s := range c.Schemas {
		p, err := s.ResolveSegs("", path)
		if err == nil && (p.Field == s.TTL && !p.Nested() || p.Leaf.UnixTime()) {
			return " (epoch seconds: expression.Value(t.Unix()))"
		}
	}
	return ""
}

var (
	AvMarshalerType    = reflect.TypeFor[attributevalue.Marshaler]()
	AttributeValueType = reflect.TypeFor[types.AttributeValue]()
	NumbererType       = reflect.TypeFor[interface {
		Float64() (float64, error)
		Int64() (int64, error)
	}]()
)

// StoredType returns the attribute value type ("S", "N", "BOOL" …) field f
// is stored as, or "" when it depends on the value (interfaces, custom
// marshalers).
func (s *Schema) StoredType(f *codec.Field) string {
	if f.HasOption("encrypted") {
		return "B"
	}
	if f == s.TTL {
		if f.HasOption("string") && IsInt(f.Type) {
			return "S"
		}
		return "N"
	}
	return PlaceStoredType(f.Place())
}

// PlaceStoredType returns the attribute value type a value at place p is
// stored as, or "" when it depends on the value.
func PlaceStoredType(p codec.Place) string {
	t := p.Type
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Interface || t.Implements(AvMarshalerType) || reflect.PointerTo(t).Implements(AvMarshalerType) || t.Implements(AttributeValueType) {
		return ""
	}
	switch k := t.Kind(); {
	case t.Kind() == reflect.Struct && t.ConvertibleTo(TimeType):
		if p.UnixTime() {
			return "N"
		}
		return "S"
	case k == reflect.Bool:
		return "BOOL"
	case k == reflect.String:
		if t.Implements(NumbererType) && !p.AsString() {
			return ""
		}
		return "S"
	case IsNumber(k):
		if p.AsString() {
			return "S"
		}
		return "N"
	case k == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "B"
	case k == reflect.Slice && p.IsSet():
		switch e := t.Elem(); {
		case e.Kind() == reflect.String:
			return "SS"
		case IsNumber(e.Kind()):
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
