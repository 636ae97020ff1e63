package codec

import (
	"encoding"
	"fmt"
	"reflect"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type (
	marshaler   = attributevalue.Marshaler
	unmarshaler = attributevalue.Unmarshaler
)

// numberer is how attributevalue recognises number types held in strings,
// such as attributevalue.Number and json.Number: they are written as N.
type numberer interface {
	Float64() (float64, error)
	Int64() (int64, error)
	String() string
}

var (
	marshalerType       = reflect.TypeFor[marshaler]()
	unmarshalerType     = reflect.TypeFor[unmarshaler]()
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	numbererType        = reflect.TypeFor[numberer]()
	timeType            = reflect.TypeFor[time.Time]()
	byteSlicesType      = reflect.TypeFor[[][]byte]()
	attributeValueType  = reflect.TypeFor[types.AttributeValue]()
)

// isTime reports whether t is time.Time or a type defined from it.
func isTime(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.ConvertibleTo(timeType)
}

// flat reports whether a field of type t encodes with no state (see
// Field.flat): the encoders of these kinds only format text and allocate
// members, which a nil state does on its own; any other needs its depth
// or its pools.
func flat(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(attributeValueType) || t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		return false
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return isTime(t)
}

type encKey struct {
	t    reflect.Type
	o    opts
	addr bool
}

type decKey struct {
	t reflect.Type
	o opts
}

// compiler builds the plans reachable from one type. Recursive types are
// fine: a struct plan is registered before its fields are compiled, and any
// other encoder or decoder is reachable through a forwarding function while
// it is being built.
type compiler struct {
	structs map[planKey]*Struct
	encs    map[encKey]encFn
	decs    map[decKey]decFn
}

func newCompiler() *compiler {
	return &compiler{
		structs: map[planKey]*Struct{},
		encs:    map[encKey]encFn{},
		decs:    map[decKey]decFn{},
	}
}

func (c *compiler) structPlan(t reflect.Type, addr bool) (*Struct, error) {
	k := planKey{t, addr}
	if v, ok := plans.Load(k); ok {
		e := v.(*planEntry)
		return e.s, cloneErr(e.err)
	}
	if s := c.structs[k]; s != nil {
		return s, nil
	}
	s := &Struct{Type: t, byName: map[string]*Field{}}
	c.structs[k] = s

	if m := marshalerOf(t, addr); m != nil {
		s.marshaler = m
	}
	s.unmarshaler = t.Name() != "" && reflect.PointerTo(t).Implements(unmarshalerType)

	cands := visibleFields(t)
	if err := conflicts(t, cands); err != nil {
		return nil, err
	}
	for _, cand := range cands {
		if !utf8.ValidString(cand.name) {
			return nil, within(badName(cand.name), t, cand.sf.Name)
		}
		f, err := c.field(t, cand, addr)
		if err != nil {
			return nil, within(err, t, cand.sf.Name)
		}
		s.Fields = append(s.Fields, f)
		s.byName[f.Name] = f
	}
	s.flat = flatItem(s.Fields)
	s.indexLengths()
	return s, nil
}

// flatItem reports whether every field is flat and at most one formats
// text (a number or a time; see Struct.flat).
func flatItem(fs []*Field) bool {
	texts := 0
	for _, f := range fs {
		if !f.flat {
			return false
		}
		t := f.Type
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if k := t.Kind(); k != reflect.String && k != reflect.Bool {
			texts++
		}
	}
	return texts <= 1
}

// conflicts rejects two direct fields of t that claim one attribute name:
// Go forbids two fields of one name, so only tags can cause it, and it is a
// mistake rather than the shadowing of an embedded field.
func conflicts(t reflect.Type, cands []candidate) error {
	seen := map[string]string{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		ti := parseTag(sf)
		if ti.ignore {
			continue
		}
		if sf.Anonymous && ti.name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				continue
			}
		}
		name := sf.Name
		if ti.name != "" {
			name = ti.name
		}
		if other, ok := seen[name]; ok {
			return &Error{Type: t, Path: sf.Name, Err: fmt.Errorf("attribute name %q is also used by field %s", name, other)}
		}
		seen[name] = sf.Name
	}
	return nil
}

func (c *compiler) field(owner reflect.Type, cand candidate, addr bool) (*Field, error) {
	sf := cand.sf
	f := &Field{
		Name:      cand.name,
		Path:      sf.Name,
		Index:     cand.index,
		Type:      sf.Type,
		Options:   cand.tag.options,
		owner:     owner,
		opts:      cand.tag.opts,
		OmitEmpty: cand.tag.opts.omitEmpty,
		Set:       cand.tag.opts.set != setNone,
		UnixTime:  cand.tag.opts.unixTime,
	}

	// Walk the index to the field's offset, noting embedded pointers.
	cur := owner
	var off uintptr
	for i, x := range cand.index {
		sfi := cur.Field(x)
		off += sfi.Offset
		if i == len(cand.index)-1 {
			break
		}
		cur = sfi.Type
		if cur.Kind() == reflect.Pointer {
			cur = cur.Elem()
			f.hops = append(f.hops, hop{off: off, elem: cur})
			off = 0
		}
	}
	f.offset = off

	if err := checkOpts(sf.Type, cand.tag); err != nil {
		return nil, err
	}
	var err error
	if f.enc, err = c.encField(sf.Type, f.opts, addr); err != nil {
		return nil, err
	}
	f.flat = flat(sf.Type)
	if f.dec, err = c.decField(sf.Type, f.opts); err != nil {
		return nil, err
	}
	return f, nil
}

// checkOpts rejects tag options that cannot apply to a field of type t.
func checkOpts(t reflect.Type, ti tagInfo) error {
	o := ti.opts
	bad := func(why string) error {
		return fmt.Errorf("tag %s:%q: %s", ti.key, ti.raw, why)
	}
	if o.omitEmpty && o.nullEmpty {
		return bad("omitempty and nullempty exclude each other")
	}
	base := t
	for base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	if o.unixTime && !isTime(base) && base.Kind() != reflect.Interface {
		return bad(fmt.Sprintf("unixtime needs a time.Time, not %s", t))
	}
	if o.set != setNone && base.Kind() != reflect.Slice && base.Kind() != reflect.Array && base.Kind() != reflect.Interface {
		return bad(fmt.Sprintf("a set needs a slice or an array, not %s", t))
	}
	if o.set == setAuto && base.Kind() != reflect.Interface {
		if _, err := autoSet(base); err != nil {
			return bad(err.Error())
		}
	}
	return nil
}

// autoSet picks the set type for the `set` option from the element type.
func autoSet(t reflect.Type) (setKind, error) {
	e := t.Elem()
	if e.Kind() == reflect.Uint8 {
		return setNone, fmt.Errorf("%s is binary (B); a binary set is [][]byte", t)
	}
	for e.Kind() == reflect.Pointer {
		e = e.Elem()
	}
	switch e.Kind() {
	case reflect.String:
		return setString, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return setNumber, nil
	case reflect.Slice, reflect.Array:
		if e.Elem().Kind() == reflect.Uint8 {
			return setBinary, nil
		}
	}
	return setNone, fmt.Errorf("set elements must be strings, numbers or []byte, not %s", t.Elem())
}

func unsupported(t reflect.Type) error {
	return errorf("cannot store %s (kind %s) in DynamoDB", t, t.Kind())
}
