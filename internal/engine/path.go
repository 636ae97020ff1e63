package engine

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/tablemap/tablemap/internal/codec"
)

// A PathSeg is one step of a document path: a name (an attribute, a
// struct field's attribute name, a map key) or a list index.
type PathSeg struct {
	Name    string
	Index   int
	IsIndex bool
}

func (s PathSeg) String() string {
	if s.IsIndex {
		return "[" + strconv.Itoa(s.Index) + "]"
	}
	return s.Name
}

// ParsePath parses a document path as expression.Name reads it: names
// joined by dots, each followed by any number of list indexes ("a.b[3].c").
// A name holds no '.', '[' or ']'; an index is decimal digits.
func ParsePath(path string) ([]PathSeg, error) {
	var segs []PathSeg
	for i, word := range strings.Split(path, ".") {
		name, rest, _ := strings.Cut(word, "[")
		if name == "" || strings.Contains(name, "]") {
			return nil, fmt.Errorf("document path %s: part %d is not a name", quotePath(path), i+1)
		}
		if !utf8.ValidString(name) {
			return nil, fmt.Errorf("document path %s: part %d is not valid UTF-8", quotePath(path), i+1)
		}
		segs = append(segs, PathSeg{Name: name})
		if len(word) > len(name) {
			idx, err := parseIndexes("[" + rest)
			if err != nil {
				return nil, fmt.Errorf("document path %s: %s: %w", quotePath(path), quotePath(word), err)
			}
			segs = append(segs, idx...)
		}
	}
	return segs, nil
}

// parseIndexes parses "[1][2]".
func parseIndexes(s string) ([]PathSeg, error) {
	var segs []PathSeg
	for s != "" {
		body, ok := strings.CutPrefix(s, "[")
		num, rest, closed := strings.Cut(body, "]")
		if !ok || !closed || num == "" || strings.Trim(num, "0123456789") != "" {
			return nil, errors.New("a list index is [digits]")
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("list index %s is out of range", num)
		}
		segs = append(segs, PathSeg{Index: n, IsIndex: true})
		s = rest
	}
	return segs, nil
}

// quotePath quotes at most about 100 bytes of a path, for messages.
func quotePath(p string) string {
	if len(p) > 100 {
		return strconv.Quote(p[:100]) + "…"
	}
	return strconv.Quote(p)
}

// A DocPath is a document path resolved against an entity's Go type:
// every step exists in the type (a struct field by its attribute name, a
// key of a map, an index of a list or array), and the leaf is a place
// whose values encode like the field there.
type DocPath struct {
	Path  string // as given
	Segs  []PathSeg
	Field *codec.Field // the top-level field
	Leaf  codec.Place  // the value the path names
}

// Nested reports whether the path goes below its top-level attribute.
func (p DocPath) Nested() bool { return len(p.Segs) > 1 }

// Name returns the path for the expression package. Each name is taken as
// it is, so an attribute name or map key holding a dot is one step.
func (p DocPath) Name() expression.NameBuilder { return SegsName(p.Segs) }

// SegsName returns the expression name of a parsed path.
func SegsName(segs []PathSeg) expression.NameBuilder {
	var nb expression.NameBuilder
	for i := 0; i < len(segs); {
		first := i == 0
		word := segs[i].Name
		for i++; i < len(segs) && segs[i].IsIndex; i++ {
			word += segs[i].String()
		}
		if first {
			nb = expression.NameNoDotSplit(word)
		} else {
			nb = nb.AppendName(expression.NameNoDotSplit(word))
		}
	}
	return nb
}

// PathError is a document path that does not fit the entity's type. It
// names the entity, the path and the step at fault.
type PathError struct {
	Entity string
	Path   string
	Seg    string // the step at fault, "" for the path as a whole
	Err    error
}

func (e *PathError) Error() string {
	if e.Seg == "" {
		return fmt.Sprintf("%s: path %s: %v", e.Entity, quotePath(e.Path), e.Err)
	}
	return fmt.Sprintf("%s: path %s at %s: %v", e.Entity, quotePath(e.Path), quotePath(e.Seg), e.Err)
}

func (e *PathError) Unwrap() error { return e.Err }

// ResolvePath resolves path against s's Go type. A whole path that is the
// name of a top-level attribute is that attribute, even when it holds a
// dot. Errors are *PathError.
func (s *Schema) ResolvePath(path string) (DocPath, error) {
	if f := s.Codec.Field(path); f != nil {
		return DocPath{Path: path, Segs: []PathSeg{{Name: path}}, Field: f, Leaf: f.Place()}, nil
	}
	segs, err := ParsePath(path)
	if err != nil {
		return DocPath{}, &PathError{Entity: s.Name, Path: path, Err: err}
	}
	return s.ResolveSegs(path, segs)
}

// ResolveSegs resolves a parsed path (see ResolvePath).
func (s *Schema) ResolveSegs(path string, segs []PathSeg) (DocPath, error) {
	fail := func(i int, format string, args ...any) (DocPath, error) {
		return DocPath{}, &PathError{Entity: s.Name, Path: path, Seg: segs[i].String(), Err: fmt.Errorf(format, args...)}
	}
	if len(segs) == 0 || segs[0].IsIndex {
		return DocPath{}, &PathError{Entity: s.Name, Path: path, Err: errors.New("a path starts with an attribute name")}
	}
	f := s.Codec.Field(segs[0].Name)
	if f == nil {
		return fail(0, "%s has no attribute %s", s.Name, quotePath(segs[0].Name))
	}
	if len(segs) > 1 && f.HasOption("encrypted") {
		return fail(0, "the attribute is encrypted: DynamoDB sees only its ciphertext, not the values inside it")
	}
	at := f.Place()
	for i := 1; i < len(segs); i++ {
		next, err := step(at, segs[i])
		if err != nil {
			return fail(i, "%w", err)
		}
		at = next
	}
	return DocPath{Path: path, Segs: segs, Field: f, Leaf: at}, nil
}

// step goes from the value at place at to its part seg.
func step(at codec.Place, seg PathSeg) (codec.Place, error) {
	t := at.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if why := opaque(t); why != "" {
		return codec.Place{}, fmt.Errorf("the value above is %s, %s; tablemap cannot tell what is inside it", t, why)
	}
	switch k := t.Kind(); {
	case seg.IsIndex && at.IsSet():
		return codec.Place{}, fmt.Errorf("the value above is a set (%s); set elements have no index", t)
	case seg.IsIndex && (k == reflect.Slice || k == reflect.Array) && t.Elem().Kind() != reflect.Uint8:
		if k == reflect.Array && seg.Index >= t.Len() {
			return codec.Place{}, fmt.Errorf("index %d is out of range for %s", seg.Index, t)
		}
		return at.Elem(seg.String()), nil
	case !seg.IsIndex && k == reflect.Map:
		return at.Elem("[" + strconv.Quote(seg.Name) + "]"), nil
	case !seg.IsIndex && k == reflect.Struct:
		st, err := at.Struct()
		if err != nil {
			return codec.Place{}, err
		}
		f := st.Field(seg.Name)
		if f == nil {
			return codec.Place{}, fmt.Errorf("%s has no field stored as %s", t, quotePath(seg.Name))
		}
		return f.Place(), nil
	case seg.IsIndex:
		return codec.Place{}, fmt.Errorf("the value above is %s, not a list", t)
	}
	return codec.Place{}, fmt.Errorf("the value above is %s, not a map or struct", t)
}

// opaque says why values of type t are not a map, list or struct whose
// parts the codec lays out ("" when they are).
func opaque(t reflect.Type) string {
	switch {
	case t.Kind() == reflect.Interface:
		return "an interface"
	case t.Implements(AttributeValueType):
		return "an attribute value passed through as it is"
	case t.Implements(AvMarshalerType) || reflect.PointerTo(t).Implements(AvMarshalerType):
		return "encoded by its own MarshalDynamoDBAttributeValue"
	case t.Kind() == reflect.Struct && t.ConvertibleTo(TimeType):
		return "stored as a string or a number"
	}
	return ""
}

// Overlap returns whether one of two paths is a prefix of the other (or
// both are the same): DynamoDB refuses an expression that names both.
func Overlap(a, b []PathSeg) bool {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FirstOverlap returns the first two of paths that overlap.
func FirstOverlap(paths []DocPath) (a, b string, ok bool) {
	for i := range paths {
		for j := range i {
			if Overlap(paths[i].Segs, paths[j].Segs) {
				return paths[j].Path, paths[i].Path, true
			}
		}
	}
	return "", "", false
}

// LeafType returns the Go type of the value the path names, pointers
// looked through.
func (p DocPath) LeafType() reflect.Type {
	t := p.Leaf.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// IsNumber reports whether the path names a number stored as N, which Add
// and Incr can change.
func (p DocPath) IsNumber() bool {
	return IsNumber(p.LeafType().Kind()) && !p.Leaf.AsString() && !p.Leaf.IsSet()
}
