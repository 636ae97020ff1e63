package codec

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// encFn encodes the value at p. A nil AttributeValue with a nil error means
// the value is omitted.
type encFn func(e *encState, p unsafe.Pointer) (types.AttributeValue, error)

// encState is the scratch space of one Marshal call. The text of numbers
// and times is appended to buf and handed out as strings that share its
// memory: bytes are written once and never touched again (a full buffer is
// abandoned, not reused), so the strings of one item cost one allocation,
// usually the arena inside the state itself.
type encState struct {
	buf     []byte
	spilled int // bytes of text in the buffers abandoned since the last Reset
	depth   int // maps, lists, structs and pointers to pointers entered
	arena   [128]byte

	// An Encoder's state hands out the members of string, number and
	// list values, and the elements of lists of strings, from pools (see
	// pool); nil in any other state, which an Update's builder, for one,
	// holds inline. Each value is a member of its own.
	pools *pools
}

// pools are the pools of an Encoder's state.
type pools struct {
	ss strPool
	ns numPool
	ls listPool
	lm pool[types.AttributeValueMemberL]
}

// newS returns a string value of v.
func (e *encState) newS(v string) types.AttributeValue {
	if e == nil || e.pools == nil {
		return &types.AttributeValueMemberS{Value: v}
	}
	m := e.pools.ss.take()
	m.Value = v
	return m
}

// newN returns a number value of text v.
func (e *encState) newN(v string) types.AttributeValue {
	if e == nil || e.pools == nil {
		return &types.AttributeValueMemberN{Value: v}
	}
	m := e.pools.ns.take()
	m.Value = v
	return m
}

// strings returns n string members for the elements of a list: one
// allocation for them all, or none when the pool's block has room.
func (e *encState) strings(n int) []types.AttributeValueMemberS {
	if e == nil || e.pools == nil || n > memberBlock {
		return make([]types.AttributeValueMemberS, n)
	}
	return e.pools.ss.takeN(n)
}

// list returns the n elements of a list value, as strings does.
func (e *encState) list(n int) []types.AttributeValue {
	if e == nil || e.pools == nil || n > memberBlock {
		return make([]types.AttributeValue, n)
	}
	return e.pools.ls.takeN(n)
}

// newL returns a list value of elements l.
func (e *encState) newL(l []types.AttributeValue) types.AttributeValue {
	if e == nil || e.pools == nil {
		return &types.AttributeValueMemberL{Value: l}
	}
	m := e.pools.lm.take()
	m.Value = l
	return m
}

// room makes room for n more bytes of text, in a new buffer when the one
// in use lacks it (the old one is abandoned: its strings are in use).
func (e *encState) room(n int) {
	if cap(e.buf)-len(e.buf) < n {
		e.spilled += len(e.buf)
		e.buf = make([]byte, 0, 256)
	}
}

func newEncState() *encState {
	e := new(encState)
	e.buf = e.arena[:0]
	return e
}

// The format methods take a nil state too (see Field.flat): the text is
// then a string of its own.

func (e *encState) formatInt(i int64) string {
	if 0 <= i && i < 100 || e == nil {
		return strconv.FormatInt(i, 10) // small numbers are static strings
	}
	e.room(20)
	start := len(e.buf)
	e.buf = strconv.AppendInt(e.buf, i, 10)
	return unsafe.String(&e.buf[start], len(e.buf)-start)
}

func (e *encState) formatUint(u uint64) string {
	if u < 100 || e == nil {
		return strconv.FormatUint(u, 10)
	}
	e.room(20)
	start := len(e.buf)
	e.buf = strconv.AppendUint(e.buf, u, 10)
	return unsafe.String(&e.buf[start], len(e.buf)-start)
}

func (e *encState) formatFloat(f float64, bits int) (string, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", errorf("cannot encode %v: DynamoDB numbers are finite", f)
	}
	// Integers well inside the mantissa print the same either way, and
	// faster as integers. (Not -0, which prints as "-0".)
	if f == math.Trunc(f) && f != 0 && (bits == 64 && math.Abs(f) < 1e15 || math.Abs(f) < 1<<22) {
		return e.formatInt(int64(f)), nil
	}
	if e == nil {
		return strconv.FormatFloat(f, 'f', -1, bits), nil
	}
	// 'f' formatting of large exponents is long; give it room.
	e.room(32)
	start := len(e.buf)
	e.buf = strconv.AppendFloat(e.buf, f, 'f', -1, bits)
	return unsafe.String(&e.buf[start], len(e.buf)-start), nil
}

func (e *encState) formatTime(t time.Time) string {
	if e == nil {
		return t.Format(time.RFC3339Nano)
	}
	e.room(48)
	start := len(e.buf)
	e.buf = t.AppendFormat(e.buf, time.RFC3339Nano)
	return unsafe.String(&e.buf[start], len(e.buf)-start)
}

func null() types.AttributeValue { return &types.AttributeValueMemberNULL{Value: true} }

// encField compiles the encoder of a value in a struct field, list, set or
// map: the zero-value rules of omitempty and nullempty, then the value.
// addr says whether the value is addressable, as attributevalue calls
// pointer-receiver marshalers only on addressable values.
func (c *compiler) encField(t reflect.Type, o opts, addr bool) (encFn, error) {
	if t.Implements(attributeValueType) {
		return encAttributeValue(t, o), nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner, err := c.encValue(t.Elem(), o, true)
		if err != nil {
			return nil, err
		}
		omit := o.omitEmpty
		return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
			q := *(*unsafe.Pointer)(p)
			if q == nil {
				if omit {
					return nil, nil
				}
				return null(), nil
			}
			return inner(e, q)
		}, nil
	case reflect.Interface:
		return c.encInterface(t, o), nil
	}
	inner, err := c.encValue(t, o, addr)
	if err != nil {
		return nil, err
	}
	zero := zeroFunc(t)
	switch {
	case zero == nil:
		return inner, nil
	case o.omitEmpty:
		return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
			if zero(p) {
				return nil, nil
			}
			return inner(e, p)
		}, nil
	case o.nullEmpty || t.Kind() == reflect.Map || t.Kind() == reflect.Slice:
		return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
			if zero(p) {
				return null(), nil
			}
			return inner(e, p)
		}, nil
	}
	return inner, nil
}

type sliceHeader struct {
	Data unsafe.Pointer
	Len  int
	Cap  int
}

// zeroFunc reports zero values as attributevalue counts them: nil maps and
// slices, empty strings and arrays, false, 0. Structs are never zero.
func zeroFunc(t reflect.Type) func(unsafe.Pointer) bool {
	switch t.Kind() {
	case reflect.String:
		return func(p unsafe.Pointer) bool { return len(*(*string)(p)) == 0 }
	case reflect.Bool:
		return func(p unsafe.Pointer) bool { return !*(*bool)(p) }
	case reflect.Int:
		return func(p unsafe.Pointer) bool { return *(*int)(p) == 0 }
	case reflect.Int8, reflect.Uint8:
		return func(p unsafe.Pointer) bool { return *(*uint8)(p) == 0 }
	case reflect.Int16, reflect.Uint16:
		return func(p unsafe.Pointer) bool { return *(*uint16)(p) == 0 }
	case reflect.Int32, reflect.Uint32:
		return func(p unsafe.Pointer) bool { return *(*uint32)(p) == 0 }
	case reflect.Int64, reflect.Uint64:
		return func(p unsafe.Pointer) bool { return *(*uint64)(p) == 0 }
	case reflect.Uint:
		return func(p unsafe.Pointer) bool { return *(*uint)(p) == 0 }
	case reflect.Float32:
		return func(p unsafe.Pointer) bool { return *(*float32)(p) == 0 }
	case reflect.Float64:
		return func(p unsafe.Pointer) bool { return *(*float64)(p) == 0 }
	case reflect.Map:
		return func(p unsafe.Pointer) bool { return *(*unsafe.Pointer)(p) == nil }
	case reflect.Slice:
		return func(p unsafe.Pointer) bool { return (*sliceHeader)(p).Data == nil }
	case reflect.Array:
		if t.Len() == 0 {
			return func(unsafe.Pointer) bool { return true }
		}
	}
	return nil
}

// encValue compiles the encoder of a value once pointers and interfaces are
// looked through: the type's Marshaler, else its kind.
func (c *compiler) encValue(t reflect.Type, o opts, addr bool) (encFn, error) {
	k := encKey{t, o, addr}
	if fn, ok := c.encs[k]; ok {
		return fn, nil
	}
	var fn encFn
	c.encs[k] = func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) { return fn(e, p) }
	f, err := c.newEncValue(t, o, addr)
	if err != nil {
		delete(c.encs, k)
		return nil, err
	}
	fn = f
	c.encs[k] = f
	return f, nil
}

// marshalerOf returns how to reach t's Marshaler from a pointer to a t, or
// nil if there is none to call.
func marshalerOf(t reflect.Type, addr bool) func(p unsafe.Pointer) marshaler {
	switch {
	case t.Kind() == reflect.Interface:
		return nil
	case t.Kind() != reflect.Pointer && t.Name() != "" && addr && reflect.PointerTo(t).Implements(marshalerType):
		return func(p unsafe.Pointer) marshaler { return reflect.NewAt(t, p).Interface().(marshaler) }
	case !t.Implements(marshalerType):
		return nil
	case t.Kind() == reflect.Pointer:
		return func(p unsafe.Pointer) marshaler {
			q := *(*unsafe.Pointer)(p)
			if q == nil {
				return nil
			}
			return reflect.NewAt(t.Elem(), q).Interface().(marshaler)
		}
	}
	return func(p unsafe.Pointer) marshaler { return reflect.NewAt(t, p).Elem().Interface().(marshaler) }
}

// encAttributeValue passes a types.AttributeValue field through as it is.
func encAttributeValue(t reflect.Type, o opts) encFn {
	return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
		var av types.AttributeValue
		if t == attributeValueType {
			av = *(*types.AttributeValue)(p)
		} else if v := reflect.NewAt(t, p).Elem(); !v.IsNil() {
			av = v.Interface().(types.AttributeValue)
		}
		if av == nil {
			if o.omitEmpty {
				return nil, nil
			}
			return null(), nil
		}
		return passThrough(e, av)
	}
}

// passThrough checks a types.AttributeValue the codec passes on as it is. A
// nil *types.AttributeValueMember… is NULL, as attributevalue writes it.
func passThrough(e *encState, av types.AttributeValue) (types.AttributeValue, error) {
	if isNilMember(av) {
		return null(), nil
	}
	if err := checkAV(av, e.depth, true); err != nil {
		return nil, err
	}
	return av, nil
}

func (c *compiler) newEncValue(t reflect.Type, o opts, addr bool) (encFn, error) {
	if t.Implements(attributeValueType) {
		return encAttributeValue(t, o), nil
	}
	custom := marshalerOf(t, addr)
	kind, err := c.encKind(t, o, addr)
	if custom == nil {
		return kind, err
	}
	if err != nil {
		// The Marshaler decides; the kind only matters if it returns nil.
		kerr := err
		kind = func(*encState, unsafe.Pointer) (types.AttributeValue, error) { return nil, kerr }
	}
	omitNil := o.omitEmpty && o.omitEmptyElem
	return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
		m := custom(p)
		if m == nil { // a nil pointer inside a pointer to a pointer
			if omitNil {
				return nil, nil
			}
			return null(), nil
		}
		av, err := m.MarshalDynamoDBAttributeValue()
		if err != nil {
			return nil, err
		}
		if av == nil {
			return kind(e, p)
		}
		// The SDK would dereference a nil member and silently replace
		// invalid UTF-8: check what the Marshaler built.
		if err := checkAV(av, e.depth, true); err != nil {
			return nil, err
		}
		return av, nil
	}, nil
}

func (c *compiler) encKind(t reflect.Type, o opts, addr bool) (encFn, error) {
	switch t.Kind() {
	case reflect.Bool:
		return encBool, nil
	case reflect.String:
		if t.Implements(numbererType) && !o.asString {
			return encNumberString, nil
		}
		return encString, nil
	case reflect.Int:
		return encInt[int](o.asString), nil
	case reflect.Int8:
		return encInt[int8](o.asString), nil
	case reflect.Int16:
		return encInt[int16](o.asString), nil
	case reflect.Int32:
		return encInt[int32](o.asString), nil
	case reflect.Int64:
		return encInt[int64](o.asString), nil
	case reflect.Uint:
		return encUint[uint](o.asString), nil
	case reflect.Uint8:
		return encUint[uint8](o.asString), nil
	case reflect.Uint16:
		return encUint[uint16](o.asString), nil
	case reflect.Uint32:
		return encUint[uint32](o.asString), nil
	case reflect.Uint64:
		return encUint[uint64](o.asString), nil
	case reflect.Float32:
		return encFloat[float32](32, o.asString), nil
	case reflect.Float64:
		return encFloat[float64](64, o.asString), nil
	case reflect.Struct:
		if isTime(t) {
			return encTime(o), nil
		}
		s, err := c.structPlan(t, addr)
		if err != nil {
			return nil, err
		}
		return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
			if err := e.enter(); err != nil {
				return nil, err
			}
			m, err := s.marshal(e, p)
			if err != nil {
				return nil, err
			}
			e.depth--
			return &types.AttributeValueMemberM{Value: m}, nil
		}, nil
	case reflect.Map:
		return c.encMap(t, o)
	case reflect.Slice, reflect.Array:
		return c.encList(t, o, addr)
	case reflect.Pointer:
		// A pointer to a pointer: the outer one is already followed.
		inner, err := c.encField(t.Elem(), o, true)
		if err != nil {
			return nil, err
		}
		omit := o.omitEmpty && o.omitEmptyElem
		return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
			q := *(*unsafe.Pointer)(p)
			if q == nil {
				if omit {
					return nil, nil
				}
				return null(), nil
			}
			if err := e.enter(); err != nil {
				return nil, err
			}
			av, err := inner(e, q)
			e.depth--
			return av, err
		}, nil
	case reflect.Interface:
		return c.encInterface(t, o), nil
	}
	return nil, unsupported(t)
}

func encBool(_ *encState, p unsafe.Pointer) (types.AttributeValue, error) {
	return &types.AttributeValueMemberBOOL{Value: *(*bool)(p)}, nil
}

func encString(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
	s := *(*string)(p)
	if !utf8.ValidString(s) {
		return nil, badString(s)
	}
	return e.newS(s), nil
}

func encNumberString(_ *encState, p unsafe.Pointer) (types.AttributeValue, error) {
	return &types.AttributeValueMemberN{Value: *(*string)(p)}, nil
}

func encInt[T int | int8 | int16 | int32 | int64](asString bool) encFn {
	if asString {
		return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
			return e.newS(e.formatInt(int64(*(*T)(p)))), nil
		}
	}
	return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
		return e.newN(e.formatInt(int64(*(*T)(p)))), nil
	}
}

func encUint[T uint | uint8 | uint16 | uint32 | uint64](asString bool) encFn {
	if asString {
		return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
			return e.newS(e.formatUint(uint64(*(*T)(p)))), nil
		}
	}
	return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
		return e.newN(e.formatUint(uint64(*(*T)(p)))), nil
	}
}

func encFloat[T float32 | float64](bits int, asString bool) encFn {
	return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
		s, err := e.formatFloat(float64(*(*T)(p)), bits)
		if err != nil {
			return nil, err
		}
		if asString {
			return e.newS(s), nil
		}
		return e.newN(s), nil
	}
}

// encTime writes RFC3339Nano strings, or N seconds with unixtime. Unlike
// attributevalue's default, omitempty omits the zero time (its
// OmitEmptyTime option): a zero TTL written as year 1 would expire the item.
func encTime(o opts) encFn {
	omit, unix := o.omitEmpty, o.unixTime
	return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
		t := (*time.Time)(p)
		if omit && t.IsZero() {
			return nil, nil
		}
		if unix {
			return e.newN(e.formatInt(t.Unix())), nil
		}
		s := e.formatTime(*t)
		if s[0] == '-' || s[4] != '-' {
			// attributevalue writes these, but cannot read them back.
			return nil, errorf("cannot encode %s: RFC3339 needs a year from 0 to 9999", s)
		}
		return e.newS(s), nil
	}
}

// encInterface encodes the dynamic value of an interface.
func (c *compiler) encInterface(t reflect.Type, o opts) encFn {
	empty := t.NumMethod() == 0
	return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
		var x any
		if empty {
			x = *(*any)(p)
		} else {
			x = reflect.NewAt(t, p).Elem().Interface()
		}
		if x == nil {
			if o.omitEmpty {
				return nil, nil
			}
			return null(), nil
		}
		return encDynamic(e, x, o)
	}
}

func encDynamic(e *encState, x any, o opts) (types.AttributeValue, error) {
	if av, ok := x.(types.AttributeValue); ok {
		return passThrough(e, av)
	}
	if o == (opts{}) {
		switch v := x.(type) {
		case string:
			if !utf8.ValidString(v) {
				return nil, badString(v)
			}
			return &types.AttributeValueMemberS{Value: v}, nil
		case bool:
			return &types.AttributeValueMemberBOOL{Value: v}, nil
		case float64:
			s, err := e.formatFloat(v, 64)
			if err != nil {
				return nil, err
			}
			return &types.AttributeValueMemberN{Value: s}, nil
		case int:
			return &types.AttributeValueMemberN{Value: e.formatInt(int64(v))}, nil
		case int64:
			return &types.AttributeValueMemberN{Value: e.formatInt(v)}, nil
		}
	}
	rt := reflect.TypeOf(x)
	fn, err := dynamicEncoder(rt, o, false)
	if err != nil {
		return nil, err
	}
	tmp := reflect.New(rt)
	tmp.Elem().Set(reflect.ValueOf(x))
	return fn(e, tmp.UnsafePointer())
}

type dynKey struct {
	t    reflect.Type
	o    opts
	full bool // with the zero-value rules (top level) or not (interface contents)
	dec  bool // a decoder, not an encoder
}

type dynEntry struct {
	enc encFn
	dec decFn
	err error
}

var dynamic sync.Map // dynKey -> *dynEntry

// dynamicEncoder is the cached encoder of a type met at run time, in an
// interface or at the top of MarshalValue; such values are not addressable.
func dynamicEncoder(t reflect.Type, o opts, full bool) (encFn, error) {
	k := dynKey{t: t, o: o, full: full}
	if v, ok := dynamic.Load(k); ok {
		d := v.(*dynEntry)
		return d.enc, cloneErr(d.err)
	}
	c := newCompiler()
	var fn encFn
	var err error
	if full {
		fn, err = c.encField(t, o, false)
	} else {
		fn, err = c.encValue(t, o, false)
	}
	dynamic.LoadOrStore(k, &dynEntry{enc: fn, err: err})
	return fn, cloneErr(err)
}

// mapKeyFunc turns a map key into an attribute name as attributevalue does:
// MarshalText, else the key printed with fmt.
func mapKeyFunc(kt reflect.Type) (func(reflect.Value) (string, error), error) {
	if kt.Implements(textMarshalerType) {
		return func(k reflect.Value) (string, error) {
			b, err := k.Interface().(interface{ MarshalText() ([]byte, error) }).MarshalText()
			if err != nil {
				return "", fmt.Errorf("map key: %w", err)
			}
			return string(b), nil
		}, nil
	}
	switch kt.Kind() {
	case reflect.String:
		if kt.NumMethod() == 0 {
			return func(k reflect.Value) (string, error) { return k.String(), nil }, nil
		}
		return sprintKey, nil
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return sprintKey, nil
	}
	return nil, errorf("map key type %s must be a string, number, bool or encoding.TextMarshaler", kt)
}

func sprintKey(k reflect.Value) (string, error) { return fmt.Sprint(k.Interface()), nil }

func (c *compiler) encMap(t reflect.Type, o opts) (encFn, error) {
	keyOf, err := mapKeyFunc(t.Key())
	if err != nil {
		return nil, err
	}
	eo := o.elem()
	if eo == (opts{}) && t.Key() == reflect.TypeFor[string]() {
		switch t.Elem() {
		case reflect.TypeFor[string]():
			return encStringMap, nil
		case reflect.TypeFor[int]():
			return encIntMap[int], nil
		case reflect.TypeFor[int64]():
			return encIntMap[int64], nil
		case reflect.TypeFor[float64]():
			return encFloatMap, nil
		case reflect.TypeFor[bool]():
			return encBoolMap, nil
		}
	}
	elem, err := c.encField(t.Elem(), eo, false)
	if err != nil {
		return nil, err
	}
	kt, et := t.Key(), t.Elem()
	return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
		if err := e.enter(); err != nil {
			return nil, err
		}
		mv := reflect.NewAt(t, p).Elem()
		out := make(map[string]types.AttributeValue, mv.Len())
		k := reflect.New(kt).Elem()
		v := reflect.New(et).Elem()
		vp := v.Addr().UnsafePointer()
		for it := mv.MapRange(); it.Next(); {
			k.SetIterKey(it)
			name, err := keyOf(k)
			if err != nil {
				return nil, err
			}
			if name == "" {
				return nil, errorf("map key %v is empty: attribute names cannot be empty", k)
			}
			if !utf8.ValidString(name) {
				return nil, badName(name)
			}
			v.SetIterValue(it)
			av, err := elem(e, vp)
			if err != nil {
				return nil, at(err, "["+strconv.Quote(name)+"]")
			}
			if av != nil {
				out[name] = av
			}
		}
		e.depth--
		return &types.AttributeValueMemberM{Value: out}, nil
	}, nil
}

// checkName checks a map key as an attribute name.
func checkName(k string) error {
	if k == "" {
		return errorf("map key is empty: attribute names cannot be empty")
	}
	if !utf8.ValidString(k) {
		return badName(k)
	}
	return nil
}

func encStringMap(_ *encState, p unsafe.Pointer) (types.AttributeValue, error) {
	m := *(*map[string]string)(p)
	out := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		if err := checkName(k); err != nil {
			return nil, err
		}
		if !utf8.ValidString(v) {
			return nil, at(badString(v), "["+strconv.Quote(k)+"]")
		}
		out[k] = &types.AttributeValueMemberS{Value: v}
	}
	return &types.AttributeValueMemberM{Value: out}, nil
}

func encIntMap[V int | int64](e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
	m := *(*map[string]V)(p)
	out := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		if err := checkName(k); err != nil {
			return nil, err
		}
		out[k] = &types.AttributeValueMemberN{Value: e.formatInt(int64(v))}
	}
	return &types.AttributeValueMemberM{Value: out}, nil
}

func encFloatMap(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
	m := *(*map[string]float64)(p)
	out := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		if err := checkName(k); err != nil {
			return nil, err
		}
		s, err := e.formatFloat(v, 64)
		if err != nil {
			return nil, at(err, "["+strconv.Quote(k)+"]")
		}
		out[k] = &types.AttributeValueMemberN{Value: s}
	}
	return &types.AttributeValueMemberM{Value: out}, nil
}

func encBoolMap(_ *encState, p unsafe.Pointer) (types.AttributeValue, error) {
	m := *(*map[string]bool)(p)
	out := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		if err := checkName(k); err != nil {
			return nil, err
		}
		out[k] = &types.AttributeValueMemberBOOL{Value: v}
	}
	return &types.AttributeValueMemberM{Value: out}, nil
}

// elems returns where the elements of the slice or array at p start and how
// many there are.
func elems(t reflect.Type, p unsafe.Pointer) (unsafe.Pointer, int) {
	if t.Kind() == reflect.Array {
		return p, t.Len()
	}
	h := (*sliceHeader)(p)
	return h.Data, h.Len
}

func (c *compiler) encList(t reflect.Type, o opts, addr bool) (encFn, error) {
	et := t.Elem()
	if et.Kind() == reflect.Uint8 {
		// Binary, whatever the tag says, as attributevalue does.
		return func(_ *encState, p unsafe.Pointer) (types.AttributeValue, error) {
			data, n := elems(t, p)
			b := make([]byte, n)
			if n > 0 {
				copy(b, unsafe.Slice((*byte)(data), n))
			}
			return &types.AttributeValueMemberB{Value: b}, nil
		}, nil
	}
	set, strict := o.set, o.set == setAuto
	if set == setNone && t == byteSlicesType {
		set = setBinary
	}
	if set == setAuto {
		var err error
		if set, err = autoSet(t); err != nil {
			return nil, err
		}
	}
	size := et.Size()
	eo := o.elem()
	elemAddr := addr || t.Kind() == reflect.Slice
	plainStrings := eo == (opts{}) && plainString(et, elemAddr)

	if set == setNone {
		if plainStrings {
			return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
				data, n := elems(t, p)
				l := e.list(n)
				ms := e.strings(n)
				for i := range l {
					s := *(*string)(unsafe.Add(data, uintptr(i)*size))
					if !utf8.ValidString(s) {
						return nil, at(badString(s), "["+strconv.Itoa(i)+"]")
					}
					ms[i].Value = s
					l[i] = &ms[i]
				}
				return e.newL(l), nil
			}, nil
		}
		elem, err := c.encField(et, eo, elemAddr)
		if err != nil {
			return nil, err
		}
		return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
			if err := e.enter(); err != nil {
				return nil, err
			}
			data, n := elems(t, p)
			l := make([]types.AttributeValue, 0, n)
			for i := 0; i < n; i++ {
				av, err := elem(e, unsafe.Add(data, uintptr(i)*size))
				if err != nil {
					return nil, at(err, "["+strconv.Itoa(i)+"]")
				}
				if av != nil {
					l = append(l, av)
				}
			}
			e.depth--
			return &types.AttributeValueMemberL{Value: l}, nil
		}, nil
	}

	// A set. DynamoDB has no empty sets: attributevalue writes NULL; the
	// `set` option makes that an error unless omitempty omits it.
	omit := o.omitEmpty
	empty := func() (types.AttributeValue, error) {
		switch {
		case !strict:
			return null(), nil
		case omit:
			return nil, nil
		}
		return nil, errorf("cannot encode an empty %s as a set: DynamoDB sets cannot be empty (add omitempty)", t)
	}
	if set == setString && plainStrings {
		return func(_ *encState, p unsafe.Pointer) (types.AttributeValue, error) {
			data, n := elems(t, p)
			if n == 0 {
				return empty()
			}
			ss := make([]string, n)
			for i := range ss {
				s := *(*string)(unsafe.Add(data, uintptr(i)*size))
				if !utf8.ValidString(s) {
					return nil, at(badString(s), "["+strconv.Itoa(i)+"]")
				}
				ss[i] = s
			}
			return &types.AttributeValueMemberSS{Value: ss}, nil
		}, nil
	}
	elem, err := c.encField(et, eo, elemAddr)
	if err != nil {
		return nil, err
	}
	return func(e *encState, p unsafe.Pointer) (types.AttributeValue, error) {
		data, n := elems(t, p)
		if n == 0 {
			return empty()
		}
		var out types.AttributeValue
		var ss []string
		var bs [][]byte
		switch set {
		case setString, setNumber:
			ss = make([]string, 0, n)
		case setBinary:
			bs = make([][]byte, 0, n)
		}
		if err := e.enter(); err != nil {
			return nil, err
		}
		for i := 0; i < n; i++ {
			av, err := elem(e, unsafe.Add(data, uintptr(i)*size))
			if err != nil {
				return nil, at(err, "["+strconv.Itoa(i)+"]")
			}
			if av == nil {
				continue
			}
			var ok bool
			switch set {
			case setString:
				var s *types.AttributeValueMemberS
				if s, ok = av.(*types.AttributeValueMemberS); ok {
					ss = append(ss, s.Value)
				}
			case setNumber:
				var s *types.AttributeValueMemberN
				if s, ok = av.(*types.AttributeValueMemberN); ok {
					ss = append(ss, s.Value)
				}
			case setBinary:
				var b *types.AttributeValueMemberB
				if b, ok = av.(*types.AttributeValueMemberB); ok && b.Value != nil {
					bs = append(bs, b.Value)
				} else {
					ok = false
				}
			}
			if !ok {
				return nil, at(errorf("a %s element encodes as %s", setName(set), TypeName(av)), "["+strconv.Itoa(i)+"]")
			}
		}
		e.depth--
		switch set {
		case setString:
			out = &types.AttributeValueMemberSS{Value: ss}
		case setNumber:
			out = &types.AttributeValueMemberNS{Value: ss}
		default:
			out = &types.AttributeValueMemberBS{Value: bs}
		}
		if strict && len(ss)+len(bs) == 0 {
			return empty()
		}
		return out, nil
	}, nil
}

// plainString reports a string type the list and set fast paths may copy
// as it is: no Marshaler or number methods, also on its pointer when the
// element is addressable (attributevalue calls a pointer-receiver Marshaler
// on slice elements and on array elements of an addressable array).
func plainString(t reflect.Type, addr bool) bool {
	return t.Kind() == reflect.String && t.NumMethod() == 0 && (!addr || reflect.PointerTo(t).NumMethod() == 0)
}

func setName(s setKind) string {
	switch s {
	case setString:
		return "string set (SS)"
	case setNumber:
		return "number set (NS)"
	}
	return "binary set (BS)"
}

// TypeName is the DynamoDB type name of av ("S", "N", "SS" …), for
// messages.
func TypeName(av types.AttributeValue) string {
	switch av.(type) {
	case *types.AttributeValueMemberS:
		return "S"
	case *types.AttributeValueMemberN:
		return "N"
	case *types.AttributeValueMemberB:
		return "B"
	case *types.AttributeValueMemberBOOL:
		return "BOOL"
	case *types.AttributeValueMemberNULL:
		return "NULL"
	case *types.AttributeValueMemberL:
		return "L"
	case *types.AttributeValueMemberM:
		return "M"
	case *types.AttributeValueMemberSS:
		return "SS"
	case *types.AttributeValueMemberNS:
		return "NS"
	case *types.AttributeValueMemberBS:
		return "BS"
	case nil:
		return "nothing"
	}
	return fmt.Sprintf("%T", av)
}
