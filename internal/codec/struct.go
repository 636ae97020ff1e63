package codec

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Struct is the compiled plan of a struct type: its attributes in field
// order, each with an encoder and a decoder. Plans are built once per type
// and cached; StructOf returns the shared plan.
type Struct struct {
	Type   reflect.Type
	Fields []*Field // in struct field order, embedded structs flattened

	byName      map[string]*Field
	byLen       [32]uint8                        // by name length: the index+1 of the one field that long; 0 none; lenShared several
	marshaler   func(p unsafe.Pointer) marshaler // the type's own Marshaler, if any
	unmarshaler bool                             // *Type implements Unmarshaler
	// flat: every field is flat (see Field.flat) and at most one formats
	// text, so that an item encoded alone needs no state: its text, if
	// any, costs the one allocation the state would, and less memory.
	flat bool
}

// Field is one attribute of a Struct.
type Field struct {
	Name  string       // attribute name: dynamo tag, else dynamodbav tag, else the Go name
	Path  string       // Go name for messages; promoted fields of embedded structs by their own name
	Index []int        // reflect index path, through embedded structs
	Type  reflect.Type // the Go field's type

	OmitEmpty bool // omitempty: zero values are not written
	Set       bool // set (or attributevalue's stringset, numberset, binaryset)
	UnixTime  bool // unixtime: a time.Time written as N seconds

	// Options are all tag options in order, including those the codec does
	// not interpret (version, created, updated, ttl, encrypted), for the
	// layers above.
	Options []string

	owner  reflect.Type
	hops   []hop   // embedded pointers on the way to the field
	offset uintptr // from the struct (or the last embedded pointer's target)
	opts   opts
	enc    encFn
	dec    decFn
	// flat: the field is a bool, string, number or time (or a pointer to
	// one) without a Marshaler, whose encoding needs no state: Marshal and
	// ValueEncoder give it none (nil), and its number or time text is a
	// string of its own.
	flat bool
}

// hop is an embedded pointer at off whose target has type elem.
type hop struct {
	off  uintptr
	elem reflect.Type
}

// HasOption reports whether the field's tag lists option o.
func (f *Field) HasOption(o string) bool {
	for _, x := range f.Options {
		if x == o {
			return true
		}
	}
	return false
}

// ptr is the field's address inside the struct at p, or nil when an
// embedded pointer on the way is nil.
func (f *Field) ptr(p unsafe.Pointer) unsafe.Pointer {
	for _, h := range f.hops {
		p = *(*unsafe.Pointer)(unsafe.Add(p, h.off))
		if p == nil {
			return nil
		}
	}
	return unsafe.Add(p, f.offset)
}

// PtrAlloc is the field's address inside the struct at p, which points to
// a value of the plan's type, allocating nil embedded pointers on the way.
func (f *Field) PtrAlloc(p unsafe.Pointer) unsafe.Pointer { return f.ptrAlloc(p) }

// ptrAlloc is ptr, allocating nil embedded pointers on the way.
func (f *Field) ptrAlloc(p unsafe.Pointer) unsafe.Pointer {
	for _, h := range f.hops {
		slot := (*unsafe.Pointer)(unsafe.Add(p, h.off))
		if *slot == nil {
			*slot = reflect.New(h.elem).UnsafePointer()
		}
		p = *slot
	}
	return unsafe.Add(p, f.offset)
}

// Value is the field's reflect.Value inside the struct *p, addressable and
// settable. It allocates nil embedded struct pointers on the way.
func (f *Field) Value(p unsafe.Pointer) reflect.Value {
	return reflect.NewAt(f.Type, f.ptrAlloc(p)).Elem()
}

// Marshal encodes v, a value of f.Type, with the field's options. A nil
// AttributeValue and nil error mean the value is omitted (omitempty).
func (f *Field) Marshal(v reflect.Value) (types.AttributeValue, error) {
	if !v.IsValid() || v.Type() != f.Type {
		return nil, &Error{Type: f.owner, Path: f.Path, Err: fmt.Errorf("cannot encode %s as %s", typeOf(v), f.Type)}
	}
	var p unsafe.Pointer
	if v.CanAddr() {
		p = v.Addr().UnsafePointer()
	} else {
		c := reflect.New(f.Type)
		c.Elem().Set(v)
		p = c.UnsafePointer()
	}
	var st *encState
	if !f.flat {
		st = newEncState()
	}
	av, err := f.enc(st, p)
	if err != nil {
		return nil, within(err, f.owner, f.Path)
	}
	return av, nil
}

// Unmarshal decodes av into v, a settable value of f.Type, with the
// field's options.
func (f *Field) Unmarshal(av types.AttributeValue, v reflect.Value) (err error) {
	if !v.IsValid() || v.Type() != f.Type || !v.CanSet() {
		return &Error{Type: f.owner, Path: f.Path, Err: fmt.Errorf("cannot decode into %s: need a settable %s", typeOf(v), f.Type)}
	}
	defer rescue(&err, f.owner, f.Path, av)
	if err := f.dec(av, v.Addr().UnsafePointer()); err != nil {
		return within(err, f.owner, f.Path)
	}
	return nil
}

func typeOf(v reflect.Value) string {
	if !v.IsValid() {
		return "invalid value"
	}
	return v.Type().String()
}

// Field returns the field stored under attribute name attr, or nil.
//
// Most names of a struct differ in length: a name's length finds its one
// candidate, compared without hashing (an Update looks up every action's
// attribute), and the map answers the others.
func (s *Struct) Field(attr string) *Field {
	if n := len(attr); n < len(s.byLen) {
		switch i := s.byLen[n]; i {
		case 0:
			return nil
		case lenShared:
		default:
			if f := s.Fields[i-1]; f.Name == attr {
				return f
			}
			return nil
		}
	}
	return s.byName[attr]
}

// lenShared marks a name length of several fields (or of a field past the
// 254th) in Struct.byLen.
const lenShared = 255

// indexLengths sets byLen from the fields.
func (s *Struct) indexLengths() {
	for i, f := range s.Fields {
		n := len(f.Name)
		switch {
		case n >= len(s.byLen):
		case s.byLen[n] == 0 && i+1 < lenShared:
			s.byLen[n] = uint8(i + 1)
		default:
			s.byLen[n] = lenShared
		}
	}
}

// MarshalPtr encodes the struct at p, which points to a value of s.Type.
func (s *Struct) MarshalPtr(p unsafe.Pointer) (map[string]types.AttributeValue, error) {
	return s.MarshalPtrRoom(p, 0)
}

// MarshalPtrRoom is MarshalPtr with room in the map for extra more
// attributes, which the caller adds (keys, a type attribute) without the
// map growing.
func (s *Struct) MarshalPtrRoom(p unsafe.Pointer, extra int) (map[string]types.AttributeValue, error) {
	if s.marshaler != nil {
		return s.marshalCustom(p)
	}
	m, _, err := s.marshalRoom(s.aloneState(), p, extra, false)
	if err != nil {
		return nil, top(err, s.Type)
	}
	return m, nil
}

// MarshalPtrSized is MarshalPtrRoom that also returns the item's size as
// DynamoDB counts it (see ItemSize), summed field by field as they are
// encoded: a second walk over the map costs a tenth of the encoding. With
// an Encoder, the item's text shares its buffers; nil gives it its own.
func (s *Struct) MarshalPtrSized(enc *Encoder, p unsafe.Pointer, extra int) (map[string]types.AttributeValue, int, error) {
	if s.marshaler != nil {
		m, err := s.marshalCustom(p)
		return m, ItemSize(m), err
	}
	m, n, err := s.marshalRoom(enc.stateFor(s), p, extra, true)
	if err != nil {
		return nil, 0, top(err, s.Type)
	}
	return m, n, nil
}

// MarshalPtrInto is MarshalPtrSized encoding into m, which must be empty,
// rather than into a new map: a batch encodes each request's items into
// the maps of the one before. It is not for a struct that encodes itself
// (see Custom).
func (s *Struct) MarshalPtrInto(enc *Encoder, p unsafe.Pointer, m map[string]types.AttributeValue) (int, error) {
	if s.marshaler != nil {
		return 0, &Error{Type: s.Type, Err: errors.New("MarshalPtrInto of a type with its own MarshalDynamoDBAttributeValue")}
	}
	_, n, err := s.marshalInto(enc.stateFor(s), p, m, true)
	if err != nil {
		return 0, top(err, s.Type)
	}
	return n, nil
}

// Custom reports whether the struct encodes itself (its type has a
// MarshalDynamoDBAttributeValue method).
func (s *Struct) Custom() bool { return s.marshaler != nil }

// An Encoder is the scratch space of encoding items one after another,
// as a batch does: the text of their numbers and times shares its
// buffers, which are only appended to until a Reset, and their members
// come from blocks, so items cost an allocation per buffer or block filled
// rather than several each. Not for concurrent use.
type Encoder struct{ e *encState }

// String returns a string value of v, from the encoder's blocks (see
// Encoder), or a value of its own when enc is nil.
func (enc *Encoder) String(v string) types.AttributeValue {
	if enc == nil {
		return &types.AttributeValueMemberS{Value: v}
	}
	if enc.e == nil {
		enc.e = newEncState()
		enc.e.pools = new(pools)
	}
	return enc.e.newS(v)
}

// aloneState returns the state of encoding one item of s alone: none
// when s is flat.
func (s *Struct) aloneState() *encState {
	if s.flat {
		return nil
	}
	return newEncState()
}

// stateFor returns the encoder's state for one more item of s, or with
// no encoder (nil) the state of encoding it alone.
func (enc *Encoder) stateFor(s *Struct) *encState {
	if enc == nil {
		return s.aloneState()
	}
	if enc.e == nil {
		enc.e = newEncState()
		enc.e.pools = new(pools)
	}
	enc.e.depth = 0 // an item that failed may have left it
	return enc.e
}

func (s *Struct) marshalCustom(p unsafe.Pointer) (map[string]types.AttributeValue, error) {
	av, err := s.marshaler(p).MarshalDynamoDBAttributeValue()
	if err != nil {
		return nil, top(err, s.Type)
	}
	if av == nil {
		m, err := s.marshal(newEncState(), p)
		return m, top(err, s.Type)
	}
	if err := checkAV(av, 0, true); err != nil {
		return nil, top(err, s.Type)
	}
	m, ok := av.(*types.AttributeValueMemberM)
	if !ok {
		return nil, &Error{Type: s.Type, Err: fmt.Errorf("MarshalDynamoDBAttributeValue returned %s, want M", TypeName(av))}
	}
	return m.Value, nil
}

func (s *Struct) marshal(e *encState, p unsafe.Pointer) (map[string]types.AttributeValue, error) {
	m, _, err := s.marshalRoom(e, p, 0, false)
	return m, err
}

// marshalRoom encodes the struct at p into a map with room for extra more
// attributes and, when sized, returns the item's size (see ItemSize).
func (s *Struct) marshalRoom(e *encState, p unsafe.Pointer, extra int, sized bool) (map[string]types.AttributeValue, int, error) {
	return s.marshalInto(e, p, make(map[string]types.AttributeValue, len(s.Fields)+extra), sized)
}

// marshalInto is marshalRoom encoding into m.
func (s *Struct) marshalInto(e *encState, p unsafe.Pointer, m map[string]types.AttributeValue, sized bool) (map[string]types.AttributeValue, int, error) {
	n := 0
	for _, f := range s.Fields {
		fp := unsafe.Add(p, f.offset)
		if f.hops != nil {
			if fp = f.ptr(p); fp == nil {
				continue
			}
		}
		av, err := f.enc(e, fp)
		if err != nil {
			return nil, 0, within(err, s.Type, f.Path)
		}
		if av != nil {
			m[f.Name] = av
			if sized {
				n += len(f.Name) + ValueSize(av)
			}
		}
	}
	return m, n, nil
}

// UnmarshalPtr decodes item into the struct at p, which points to a value
// of s.Type. Attributes the item lacks leave their fields unchanged.
func (s *Struct) UnmarshalPtr(item map[string]types.AttributeValue, p unsafe.Pointer) (err error) {
	_, err = s.UnmarshalPtrSkip(item, p, nil)
	return err
}

// UnmarshalPtrSkip is UnmarshalPtr ignoring the attributes named in skip
// (which must name no field and hold no name twice): they decode into no
// field, not even one whose name matches theirs case-insensitively, and an
// Unmarshaler of the type does not see them. item is not modified. It
// returns the fields the item lacks.
func (s *Struct) UnmarshalPtrSkip(item map[string]types.AttributeValue, p unsafe.Pointer, skip []string) (missing Missing, err error) {
	defer rescueItem(&err, s.Type, item)
	if s.unmarshaler {
		if present(item, skip) > 0 {
			item = maps.Clone(item)
			for _, name := range skip {
				delete(item, name)
			}
		}
		err := reflect.NewAt(s.Type, p).Interface().(unmarshaler).UnmarshalDynamoDBAttributeValue(&types.AttributeValueMemberM{Value: item})
		return ^Missing(0), top(err, s.Type)
	}
	missing, err = s.unmarshalSkip(item, p, skip)
	return missing, top(err, s.Type)
}

// Missing is the fields an item lacks by their exact names, as
// UnmarshalPtrSkip reports them: bit i for Fields[i], and the last bit
// for every field from the 64th on; every bit for a type that unmarshals
// itself, whose fields the codec does not see.
type Missing uint64

// MaskOf returns the bits Missing would set for fs, fields of s.
func (s *Struct) MaskOf(fs []*Field) Missing {
	var m Missing
	for i, f := range s.Fields {
		if slices.Contains(fs, f) {
			m |= missingBit(i)
		}
	}
	return m
}

func missingBit(i int) Missing { return 1 << min(i, 63) }

// present returns how many of names item holds.
func present(item map[string]types.AttributeValue, names []string) int {
	n := 0
	for _, name := range names {
		if _, ok := item[name]; ok {
			n++
		}
	}
	return n
}

func (s *Struct) unmarshal(item map[string]types.AttributeValue, p unsafe.Pointer) error {
	_, err := s.unmarshalSkip(item, p, nil)
	return err
}

func (s *Struct) unmarshalSkip(item map[string]types.AttributeValue, p unsafe.Pointer, skip []string) (Missing, error) {
	matched := 0
	var missing Missing
	for i, f := range s.Fields {
		av, ok := item[f.Name]
		if !ok {
			missing |= missingBit(i)
			continue
		}
		matched++
		fp := unsafe.Add(p, f.offset)
		if f.hops != nil {
			fp = f.ptrAlloc(p)
		}
		if err := f.dec(av, fp); err != nil {
			return missing, within(err, s.Type, f.Path)
		}
	}
	// Attributes left over may match a field case-insensitively, unless
	// they are all skipped.
	if matched < len(item) && matched+present(item, skip) < len(item) {
		return missing, s.unmarshalFolded(item, p, skip)
	}
	return missing, nil
}

// unmarshalFolded decodes the attributes that match a field's name only
// case-insensitively, as attributevalue does, unless the item also holds
// the exact name.
func (s *Struct) unmarshalFolded(item map[string]types.AttributeValue, p unsafe.Pointer, skip []string) error {
	for k, av := range item {
		if s.byName[k] != nil || slices.Contains(skip, k) {
			continue
		}
		for _, f := range s.Fields {
			if !strings.EqualFold(f.Name, k) {
				continue
			}
			if _, exact := item[f.Name]; !exact {
				if err := f.dec(av, f.ptrAlloc(p)); err != nil {
					return within(err, s.Type, f.Path)
				}
			}
			break
		}
	}
	return nil
}

type planKey struct {
	t    reflect.Type
	addr bool // encoders may call pointer-receiver marshalers
}

type planEntry struct {
	s   *Struct
	err error
}

var plans sync.Map // planKey -> *planEntry

// StructOf returns the compiled plan of struct type t. The plan is built
// once and cached. An error names the type, the field and what is wrong
// with it: a kind the codec cannot store, a tag option that does not fit.
func StructOf(t reflect.Type) (*Struct, error) {
	if t == nil || t.Kind() != reflect.Struct {
		return nil, &Error{Type: t, Err: fmt.Errorf("not a struct type")}
	}
	return plan(t, true)
}

func plan(t reflect.Type, addr bool) (*Struct, error) {
	k := planKey{t, addr}
	if v, ok := plans.Load(k); ok {
		e := v.(*planEntry)
		return e.s, cloneErr(e.err)
	}
	c := newCompiler()
	if _, err := c.structPlan(t, addr); err != nil {
		err = top(err, t)
		plans.LoadOrStore(k, &planEntry{err: err})
		return nil, cloneErr(err)
	}
	for k, s := range c.structs {
		plans.LoadOrStore(k, &planEntry{s: s})
	}
	v, _ := plans.Load(k)
	return v.(*planEntry).s, nil
}
